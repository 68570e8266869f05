"""CoNaLa and MCoNaLa (text-scored benchmarks), `evaluate --text-metrics` on an executable
benchmark, and `analyze text-vs-exec`."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3

import numpy as np
import pytest

from nl2code import benchmarks
from nl2code.benchmarks import _data, conala
from nl2code.errors import DatasetError
from nl2code.metrics.text import conala_bleu, score_pairs
from nl2code.metrics.text._analysis import average_ranks, roc_auc, separation, spearman

from helpers import DATASETS, cli, data_mirror, humaneval_completions, listed_sha256
from llm_server import LLMServer, prompt_of

CONALA = DATASETS / "conala" / "conala-test.json"


def test_conala_task_ids_are_record_indices_and_prompts_are_the_rewritten_intents():
    bench = benchmarks.load("conala", CONALA)
    records = json.loads(CONALA.read_text())
    assert len(bench.problems) == 500 and len({r["question_id"] for r in records}) == 364
    assert [p.task_id for p in bench.problems] == [str(i) for i in range(500)]
    first = bench.problems[0]
    assert first.reference == "os.kill(os.getpid(), signal.SIGUSR1)"
    assert first.prompt == "send a signal `signal.SIGUSR1` to the current process\n" and not first.prompt_is_code
    without = next(i for i, r in enumerate(records) if not r["rewritten_intent"])
    assert bench.problems[without].prompt == records[without]["intent"] + "\n"
    assert first.n_tests == 0 and bench.get(0) is first


@pytest.mark.parametrize(("name", "count"), [("mconala-es", 341), ("mconala-ja", 210), ("mconala-ru", 345)])
def test_mconala_languages_load_their_test_files(name, count):
    bench = benchmarks.load(name, DATASETS / "mconala" / f"{name[-2:]}_test.json")
    assert len(bench.problems) == count and bench.version == conala.MCONALA_VERSION


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A real HTTP server on 127.0.0.1 serving copies of the CoNaLa files under their names."""
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(CONALA, served / "conala-test.json")
    for lang in ("es", "ja", "ru"):
        shutil.copy(DATASETS / "mconala" / f"{lang}_test.json", served / f"{lang}_test.json")
    with data_mirror(served, monkeypatch, tmp_path / "cache"):
        yield served


@pytest.mark.parametrize(("text", "error"), [
    ('[{"intent": "x",\n "snippet": }]', "mine.json:2: not valid JSON"),
    ('{"intent": "x", "snippet": "y"}', "mine.json: expected a JSON list of records; pass an unmodified conala-test.json"),
])
def test_a_conala_file_that_is_not_a_json_list_is_named_with_its_line(tmp_path, text, error):
    (tmp_path / "mine.json").write_text(text)
    with pytest.raises(DatasetError, match=error):
        conala.load("conala", tmp_path / "mine.json")


def test_conala_files_download_and_verify_against_the_pinned_sha256(mirror, tmp_path):
    listed = listed_sha256()
    assert conala.DATA["conala"].sha256 == listed["conala/conala-test.json"]
    for lang in ("es", "ja", "ru"):
        assert conala.DATA[f"mconala-{lang}"].sha256 == listed[f"mconala/{lang}_test.json"]
        path, digest = _data.resolve(conala.DATA[f"mconala-{lang}"], None)
        assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    (mirror / "conala-test.json").write_text("[]")  # a changed upstream file is refused
    with pytest.raises(DatasetError, match="does not match the pinned b3f96344"):
        _data.resolve(conala.DATA["conala"], None)


def _conala_predictions(path, broken_every: int = 3) -> list[str]:
    records = json.loads(CONALA.read_text())
    predictions = [r["snippet"][: len(r["snippet"]) // 2] if i % broken_every == 0 else r["snippet"] for i, r in enumerate(records)]
    with open(path, "w") as f:
        for i, text in enumerate(predictions):
            f.write(json.dumps({"task_id": i, "completion": text}) + "\n")
    return predictions


def test_evaluate_conala_stores_text_scores_resumably_and_reports_text_metrics(tmp_path):
    predictions = _conala_predictions(tmp_path / "pred.jsonl")
    references = [r["snippet"] for r in json.loads(CONALA.read_text())]
    args = ("evaluate", str(tmp_path / "pred.jsonl"), "-b", "conala", "--dataset", str(CONALA), "--db", str(tmp_path / "r.db"),
            "--text-metrics", "conala-bleu,bleu,exact-match,edit-sim", "-q", "--json", str(tmp_path / "s.json"))
    done = cli(*args)
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "s.json").read_text())
    metrics = summary["text_metrics"]
    assert metrics["conala-bleu"]["value"] == pytest.approx(100 * conala_bleu(predictions, references).bleu, abs=1e-4)
    assert metrics["exact-match"]["value"] == pytest.approx(100 * 333 / 500)  # every third is cut in half
    assert "sacrebleu" in metrics["bleu"]["library"] and metrics["conala-bleu"]["definition"].startswith("CoNaLa's official BLEU")
    assert summary["pass_at_k"] == {} and summary["status_counts"]["not_executed"] == 500
    db = sqlite3.connect(tmp_path / "r.db")
    stored = dict(db.execute("select idx, value from text_scores where metric = 'edit-sim'").fetchall())
    assert len(stored) == 500 and stored[1] == 100.0
    assert stored[0] == pytest.approx(score_pairs("edit-sim", predictions[:1], references[:1])[0])
    # interrupted after the verdicts: the scores of one metric are lost; the same command rescores only them
    db.execute("delete from text_scores where metric = 'exact-match'")
    db.commit()
    again = cli(*args)
    assert again.returncode == 0, again.stderr
    assert "resumed: 500 samples were already judged, 0 executed now" in again.stdout
    assert db.execute("select count(*) from text_scores").fetchone()[0] == 2000
    assert json.loads((tmp_path / "s.json").read_text())["text_metrics"] == metrics
    # corpus values of the last summary are reused when nothing they cover changed: a value planted
    # in the stored summary comes back
    summary["text_metrics"]["conala-bleu"]["value"] = 12.5
    db.execute("update runs set summary = ?", (json.dumps(summary),))
    db.commit()
    assert cli(*args).returncode == 0
    assert json.loads((tmp_path / "s.json").read_text())["text_metrics"]["conala-bleu"]["value"] == 12.5
    assert metrics["conala-bleu"]["pairs"] == 500


def test_run_generates_conala_answers_from_the_intent_and_scores_them(tmp_path):
    problems = benchmarks.load("conala", CONALA).problems[:20]

    def first_with_prompt(text: str):
        # records 5 and 6 have the same intent and different snippets: a model cannot tell them apart
        return next(p for p in problems if p.description in text)

    def answer(body: dict) -> str:
        return first_with_prompt(prompt_of(body)).reference + "\n"

    with LLMServer(answer=answer) as server:
        done = cli("run", "-b", "conala", "--dataset", str(CONALA), "-m", "canned", "--base-url", server.url, "--limit", "20", "-q",
                   "--db", str(tmp_path / "r.db"), "-o", str(tmp_path / "s.jsonl"), "--json", str(tmp_path / "summary.json"), cwd=tmp_path)
        prompts = [prompt_of(body) for body in server.served]
    assert done.returncode == 0, done.stderr
    assert sorted(prompts) == sorted(f'"""\n{p.prompt}\n"""\n' for p in problems)  # the intent, as a docstring
    summary = json.loads((tmp_path / "summary.json").read_text())
    expected = 100 * sum(first_with_prompt(p.prompt).reference == p.reference for p in problems) / 20
    assert expected == 95.0
    assert summary["problems"] == 20 and summary["text_metrics"]["exact-match"]["value"] == expected


def test_evaluate_with_text_metrics_scores_each_sample_against_the_reference_next_to_its_verdict(tmp_path):
    samples = tmp_path / "s.jsonl"
    humaneval_completions(samples, limit=12)  # canonical completions: pass, text identical
    with open(samples, "a") as f:
        for i in range(12):
            f.write(json.dumps({"task_id": f"HumanEval/{i}", "completion": "    return None\n"}) + "\n")
    db = tmp_path / "r.db"
    done = cli("evaluate", str(samples), "-b", "humaneval", "--db", str(db), "-q", "--text-metrics", "bleu,codebleu", "--json", str(tmp_path / "sum.json"))
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "sum.json").read_text())
    assert summary["pass_at_k"]["pass@1"] == pytest.approx(0.5)
    assert set(summary["text_metrics"]) == {"bleu", "codebleu"}
    rows = sqlite3.connect(db).execute("select e.passed, t.value from executions e join text_scores t using (run_id, idx) where t.metric = 'bleu'").fetchall()
    assert len(rows) == 24 and all(v == pytest.approx(100.0) for passed, v in rows if passed) and all(v < 50 for passed, v in rows if not passed)
    out = tmp_path / "a.json"
    analysis = cli("analyze", "text-vs-exec", "latest", "--db", str(db), "--bootstrap", "200", "--json", str(out))
    assert analysis.returncode == 0, analysis.stderr
    figures = json.loads(out.read_text())["metrics"]
    assert set(figures) == {"bleu", "codebleu:python"}
    assert figures["bleu"]["roc_auc"] == 1.0 and figures["bleu"]["within_problem_auc"] == 1.0 and figures["bleu"]["within_problems"] == 12
    # the failing samples' scores differ, the passing ones tie: rho is high but below 1
    assert 0.9 < figures["bleu"]["spearman"] < 1.0 and figures["bleu"]["samples"] == 24
    # stored as an analysis record (the site charts it); `latest` still means the run of samples, and a rerun replaces the record
    again = cli("analyze", "text-vs-exec", "latest", "--db", str(db), "--bootstrap", "200", "--json", str(out))
    assert again.returncode == 0, again.stderr
    assert json.loads(out.read_text())["metrics"] == figures
    stored = sqlite3.connect(db).execute("select id, status, summary from runs where kind = 'analysis'").fetchall()
    assert len(stored) == 1 and stored[0][1] == "complete" and stored[0][0] == json.loads(out.read_text())["analysis_id"]
    summary = json.loads(stored[0][2])
    assert summary["analysis"] == "text-vs-exec" and {r["metric"]: r["roc_auc"] for r in summary["rows"]} == {"bleu": 1.0, "codebleu:python": figures["codebleu:python"]["roc_auc"]}


def test_analyze_refuses_a_run_without_verdicts_or_scores(tmp_path):
    _conala_predictions(tmp_path / "pred.jsonl")
    db = str(tmp_path / "r.db")
    assert cli("evaluate", str(tmp_path / "pred.jsonl"), "-b", "conala", "--dataset", str(CONALA), "--db", db, "-q",
               "--text-metrics", "exact-match").returncode == 0
    done = cli("analyze", "text-vs-exec", "latest", "--db", db)
    assert done.returncode == 2 and "has no verdicts" in done.stderr
    samples = humaneval_completions(tmp_path / "h.jsonl", limit=2)
    assert cli("evaluate", str(samples), "-b", "humaneval", "--db", db, "-q").returncode == 0
    done = cli("analyze", "text-vs-exec", "latest", "--db", db)
    assert done.returncode == 2 and "has no text scores" in done.stderr and "--text-metrics" in done.stderr


# -- the analysis, worked by hand ----------------------------------------------------------------

def test_average_ranks_share_ties():
    assert average_ranks(np.array([3.0, 1.0, 3.0, 2.0])).tolist() == [3.5, 1.0, 3.5, 2.0]


def test_roc_auc_counts_ties_as_half():
    # positives 0.9, 0.5; negatives 0.5, 0.1: pairs (0.9>0.5), (0.9>0.1), (0.5=0.5 -> 1/2), (0.5>0.1) = 3.5/4
    scores = np.array([0.9, 0.5, 0.5, 0.1])
    positive = np.array([True, True, False, False])
    assert roc_auc(scores, positive) == pytest.approx(3.5 / 4)
    assert roc_auc(scores, ~positive) == pytest.approx(0.5 / 4)
    assert roc_auc(scores, np.ones(4, dtype=bool)) is None


def test_spearman_of_a_perfect_and_a_reversed_order():
    scores = np.array([1.0, 2.0, 3.0, 4.0])
    assert spearman(scores, np.array([False, False, True, True])) == pytest.approx(np.corrcoef([1, 2, 3, 4], [1.5, 1.5, 3.5, 3.5])[0, 1])
    assert spearman(scores, np.array([True, True, False, False])) < 0


def test_within_problem_auc_discounts_problem_difficulty():
    # the easy problem's samples score high and mostly pass, the hard one's low and mostly fail,
    # but within each problem the one odd sample out reverses the order
    by_task = {"easy": [(90.0, True), (91.0, True), (92.0, True), (95.0, False)],
               "hard": [(10.0, False), (11.0, False), (12.0, False), (5.0, True)]}
    result = separation("m", by_task, bootstrap=100)
    assert result.auc == pytest.approx(9 / 16)  # pooled: difficulty makes the metric look useful
    assert result.within_auc == 0.0 and result.within_problems == 2
    assert result.auc_ci is not None and result.auc_ci[0] <= result.auc <= result.auc_ci[1]
