"""`nl2code evaluate`, `selfcheck` and `runs` end to end: the real CLI, a real SQLite file or PostgreSQL server."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from helpers import MBPP, cli, db_scalar, humaneval_completions


def evaluate(samples, db, *extra, benchmark="humaneval"):
    result = cli("evaluate", str(samples), "--benchmark", benchmark, "--db", str(db), "--quiet", *extra)
    assert result.returncode == 0, result.stderr + result.stdout
    return result


def test_humaneval_reference_completions_score_one_and_results_keep_input_order(tmp_path):
    samples = humaneval_completions(tmp_path / "ref.jsonl")
    evaluate(samples, tmp_path / "runs.db", "--json", str(tmp_path / "summary.json"), "--results", str(tmp_path / "results.jsonl"))
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["benchmark"] == "humaneval" and summary["problems"] == 164 and summary["samples"] == 164
    assert summary["pass_at_k"] == {"pass@1": 1.0}
    assert summary["status_counts"]["passed"] == 164
    lines = [json.loads(x) for x in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert [(x["task_id"], x["sample_id"]) for x in lines] == [(f"HumanEval/{i}", 0) for i in range(164)]
    assert all(x["status"] == "passed" and x["passed"] is True for x in lines)


def test_twenty_reference_copies_score_one_at_every_k(tmp_path):
    samples = humaneval_completions(tmp_path / "ref20.jsonl", copies=20)
    evaluate(samples, tmp_path / "runs.db", "--k", "1,10,100", "--json", str(tmp_path / "s.json"))
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["samples"] == 3280
    assert summary["pass_at_k"] == {"pass@1": 1.0, "pass@10": 1.0, "pass@100": None}
    assert any("pass@100" in note for note in summary["notes"])


def test_return_none_scores_zero(tmp_path):
    samples = humaneval_completions(tmp_path / "none.jsonl", completion=lambda p: "    return None\n")
    evaluate(samples, tmp_path / "runs.db", "--json", str(tmp_path / "s.json"))
    assert json.loads((tmp_path / "s.json").read_text())["pass_at_k"]["pass@1"] == 0.0


def test_a_subset_file_counts_only_the_problems_present(tmp_path):
    samples = humaneval_completions(tmp_path / "ten.jsonl", limit=10)
    result = evaluate(samples, tmp_path / "runs.db", "--json", str(tmp_path / "s.json"))
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["problems"] == 10 and summary["problems_in_benchmark"] == 164
    assert "10 of 164 (subset)" in result.stdout


def test_mbpp_reference_programs_all_pass_with_integer_task_ids(tmp_path):
    records = [json.loads(line) for line in MBPP.read_text().splitlines()]
    samples = tmp_path / "mbpp.jsonl"
    samples.write_text("".join(json.dumps({"task_id": r["task_id"], "completion": r["code"]}) + "\n" for r in records))
    evaluate(samples, tmp_path / "runs.db", "--dataset", str(MBPP), "--json", str(tmp_path / "s.json"), benchmark="mbpp")
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["samples"] == 974 and summary["status_counts"]["passed"] == 974


def test_selfcheck_passes_and_names_failures_otherwise(tmp_path):
    result = cli("selfcheck", "humaneval", "--db", str(tmp_path / "runs.db"), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "all 164 reference solutions pass" in result.stdout


def _count(db) -> int:
    return db_scalar(db, "select count(*) from executions") or 0


@pytest.mark.parametrize(("db_url", "sig"), [  # PostgreSQL differs from SQLite in the store, not in the signal
    pytest.param("sqlite", signal.SIGKILL, id="sqlite-kill-9"), pytest.param("sqlite", signal.SIGINT, id="sqlite-ctrl-c"),
    pytest.param("postgresql", signal.SIGKILL, id="postgresql-kill-9", marks=pytest.mark.postgres),
], indirect=["db_url"])
def test_an_interrupted_evaluation_resumes_and_counts_every_sample_once(tmp_path, db_url, sig):
    samples = humaneval_completions(tmp_path / "ref20.jsonl", copies=20)
    db = db_url
    args = [sys.executable, "-m", "nl2code", "evaluate", str(samples), "--benchmark", "humaneval", "--db", str(db), "--quiet"]
    # SIGINT back to its default: under `nohup` or `cmd &` it is inherited as ignored, and a
    # Python started that way never turns Ctrl-C into KeyboardInterrupt
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while _count(db) < 300 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    os.killpg(proc.pid, sig) if sig == signal.SIGKILL else proc.send_signal(sig)
    proc.communicate(timeout=60)
    partial = _count(db)
    assert 300 <= partial < 3280
    result = evaluate(samples, db, "--json", str(tmp_path / "s.json"))
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["samples"] == 3280 and summary["pass_at_k"]["pass@1"] == 1.0
    assert f"resumed: {partial} samples were already judged" in result.stdout
    assert db_scalar(db, "select count(*) from runs") == 1
    assert db_scalar(db, "select count(*) from executions") == db_scalar(db, "select count(distinct idx) from executions") == 3280
    # a finished evaluation run again executes nothing
    again = evaluate(samples, db)
    assert "resumed: 3280 samples were already judged, 0 executed now" in again.stdout


def test_runs_commands_list_show_export_compare_delete(tmp_path, db_url):
    db = db_url
    good = humaneval_completions(tmp_path / "good.jsonl", limit=20)
    bad = humaneval_completions(tmp_path / "bad.jsonl", limit=20, completion=lambda p: "    return None\n")
    evaluate(good, db, "--model", "good")
    evaluate(bad, db, "--model", "bad")
    runs = json.loads(cli("runs", "list", "--db", str(db), "--json").stdout)
    assert [r["model"] for r in runs] == ["good", "bad"]
    good_id, bad_id = runs[0]["id"], runs[1]["id"]
    shown = json.loads(cli("runs", "show", good_id, "--db", str(db), "--json").stdout)
    assert shown["run"]["summary"]["pass_at_k"]["pass@1"] == 1.0 and len(shown["per_problem_pass_rate"]) == 20
    exported = cli("runs", "export", bad_id, "--format", "jsonl", "--db", str(db)).stdout.splitlines()
    assert len(exported) == 20 and json.loads(exported[0])["status"] in {"failed", "no_result"}
    csv_out = tmp_path / "bad.csv"
    assert cli("runs", "export", bad_id, "--format", "csv", "--out", str(csv_out), "--db", str(db)).returncode == 0
    assert csv_out.read_text().splitlines()[0].startswith("run_id,idx,task_id,sample_id,status,passed")
    compared = json.loads(cli("runs", "compare", good_id, bad_id, "--db", str(db), "--json").stdout)
    assert compared["difference"] == -1.0 and compared["common_problems"] == 20 and len(compared["regressed"]) == 20
    assert compared["ci"] == [-1.0, -1.0]
    assert cli("runs", "delete", bad_id, "--yes", "--db", str(db)).returncode == 0
    assert [r["id"] for r in json.loads(cli("runs", "list", "--db", str(db), "--json").stdout)] == [good_id]
    missing = cli("runs", "show", "nope", "--db", str(db))
    assert missing.returncode == 2 and "no run 'nope'" in missing.stderr


def test_two_evaluations_started_at_once_into_one_empty_database_both_finish(tmp_path, db_url):
    good = humaneval_completions(tmp_path / "good.jsonl", copies=2, limit=40)
    bad = humaneval_completions(tmp_path / "bad.jsonl", copies=2, limit=40, completion=lambda p: "    return None\n")
    procs = [subprocess.Popen([sys.executable, "-m", "nl2code", "evaluate", str(path), "-b", "humaneval", "--db", db_url,
                               "--quiet", "--workers", "1", "--model", path.stem], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for path in (good, bad)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    runs = {r["model"]: r for r in json.loads(cli("runs", "list", "--db", db_url, "--json").stdout)}
    assert set(runs) == {"good", "bad"} and {r["status"] for r in runs.values()} == {"complete"}
    scores = {m: json.loads(cli("runs", "show", r["id"], "--db", db_url, "--json").stdout)["run"]["summary"]["pass_at_k"]["pass@1"] for m, r in runs.items()}
    assert scores == {"good": 1.0, "bad": 0.0}
    assert db_scalar(db_url, "select count(*) from executions") == 160
    assert db_scalar(db_url, "select count(*) from schema_version") == db_scalar(db_url, "select max(version) from schema_version")


PYCODEGPT = MBPP.parent / "pycodegpt_library_evals"


def test_pandaseval_reproduces_the_authors_seven_of_101_for_pycodegpt(tmp_path):
    pandas = pytest.importorskip("pandas")
    if not pandas.__version__.startswith("1."):
        pytest.skip(f"PandasEval needs pandas 1.x (the `pandas` extra); this venv has {pandas.__version__}")
    evaluate(PYCODEGPT / "Example_Pandas_PYCODEGPT_samples.jsonl", tmp_path / "runs.db", "--dataset", str(PYCODEGPT / "PandasEval.jsonl.gz"),
             "--json", str(tmp_path / "s.json"), benchmark="pandaseval")
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["status_counts"]["passed"] == 7 and summary["samples"] == 101
    assert round(summary["pass_at_k"]["pass@1"], 4) == 0.0693


def test_n_at_k_filters_samples_by_the_examples_in_the_prompt(tmp_path):
    from nl2code.benchmarks import load

    bench = load("humaneval")
    samples = tmp_path / "two.jsonl"
    with open(samples, "w") as f:
        for p in bench.problems[:40]:  # a wrong sample first, then the canonical one
            f.write(json.dumps({"task_id": p.task_id, "completion": "    return None\n"}) + "\n")
            f.write(json.dumps({"task_id": p.task_id, "completion": p.reference[len(p.prompt):]}) + "\n")
    evaluate(samples, tmp_path / "runs.db", "--n-at-k", "1@2,2@2,1@1", "--json", str(tmp_path / "s.json"), "--results", str(tmp_path / "r.jsonl"))
    summary = json.loads((tmp_path / "s.json").read_text())
    with_examples = sum(1 for p in bench.problems[:40] if p.n_examples)
    assert 0 < with_examples < 40 and summary["problems_with_examples"] == with_examples
    # the wrong sample fails the examples where there are some, so the filter submits the right one
    assert summary["n_at_k"] == {"1@2": with_examples / 40, "2@2": 1.0, "1@1": 0.0}
    assert summary["pass_at_k"]["pass@1"] == 0.5
    results = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert {r["examples_passed"] for r in results if r["sample_id"] == 1} <= {True, None}
    assert any(r["examples_passed"] is False for r in results if r["sample_id"] == 0)


def test_reference_times_are_measured_once_per_machine_even_for_a_new_database(tmp_path):
    samples = humaneval_completions(tmp_path / "ten.jsonl", limit=10)
    env = {"NL2CODE_CACHE": str(tmp_path / "cache")}
    first = cli("-v", "evaluate", str(samples), "-b", "humaneval", "--db", str(tmp_path / "a.db"), "-q", env=env)
    assert first.returncode == 0, first.stderr
    assert "measuring 10 reference solutions of humaneval" in first.stderr
    second = cli("-v", "evaluate", str(samples), "-b", "humaneval", "--db", str(tmp_path / "b.db"), "-q", env=env)
    assert second.returncode == 0, second.stderr
    assert "measuring" not in second.stderr
    with sqlite3.connect(tmp_path / "b.db") as conn:  # the new database records them all the same
        assert conn.execute("select count(*) from reference_times").fetchone()[0] == 10


CODET_SOLUTIONS = os.path.join(os.path.dirname(MBPP), "..", "samples", "codet_humaneval_codegen16B",
                               "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl")


def test_duplicate_execution_gives_every_copy_the_verdict_it_gets_when_run_itself(tmp_path):
    """Real CodeGen-16B samples (CodeT's release, T=0.8) repeat themselves: each distinct program
    runs once, its copies are recorded as copies, and every verdict equals the one with --no-dedupe."""
    rows = []
    with open(CODET_SOLUTIONS, encoding="utf-8") as f:
        for task, line in zip(range(12), f):
            for completion in json.loads(line)["samples"][:25]:
                rows.append({"task_id": f"HumanEval/{task}", "completion": completion})
    samples = tmp_path / "codet.jsonl"
    samples.write_text("".join(json.dumps(r) + "\n" for r in rows))
    distinct = len({(r["task_id"], r["completion"]) for r in rows})
    assert distinct < len(rows)  # the test needs copies to mean anything
    evaluate(samples, tmp_path / "a.db", "--json", str(tmp_path / "on.json"), "--results", str(tmp_path / "on.jsonl"))
    evaluate(samples, tmp_path / "b.db", "--no-dedupe", "--json", str(tmp_path / "off.json"), "--results", str(tmp_path / "off.jsonl"))
    on = [json.loads(x) for x in (tmp_path / "on.jsonl").read_text().splitlines()]
    off = [json.loads(x) for x in (tmp_path / "off.jsonl").read_text().splitlines()]
    assert [r["status"] for r in on] == [r["status"] for r in off]
    assert sum(r["copy_of"] is not None for r in on) == len(rows) - distinct
    assert all(r["copy_of"] is None for r in off)
    for index, r in enumerate(on):  # a copy names an earlier sample of the same problem with the same program
        if r["copy_of"] is not None:
            source = rows[r["copy_of"]]
            assert r["copy_of"] < index and (source["task_id"], source["completion"]) == (rows[index]["task_id"], rows[index]["completion"])
    summary_on, summary_off = (json.loads((tmp_path / n).read_text()) for n in ("on.json", "off.json"))
    assert summary_on["pass_at_k"] == summary_off["pass_at_k"] and summary_on["copies"] == len(rows) - distinct
    assert summary_off["copies"] == 0
