"""`benchmarks list` and `benchmarks stats` cover the benchmarks added for issue 11."""

from __future__ import annotations

import json

from helpers import DATASETS, cli
from nl2code import benchmarks
from nl2code.benchmarks import stats
from nl2code.benchmarks._listing import LISTINGS

NEW = ["humaneval-infilling-single-line", "humaneval-infilling-multi-line", "humaneval-infilling-random-span",
       "humaneval-infilling-random-span-light", "mtpb", "odex-en", "odex-es", "odex-ja", "odex-ru", "securityeval", "apps", "code-contests"]


def test_every_new_benchmark_is_registered_and_listed_with_size_language_metric_and_source():
    assert set(NEW) <= set(benchmarks.names()) and set(NEW) <= set(LISTINGS)
    result = cli("benchmarks", "list", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    for name in NEW:
        listing = LISTINGS[name]
        assert (rows[name]["problems"], rows[name]["language"], rows[name]["metric"], rows[name]["source"]) == (
            listing.problems, listing.language, listing.metric, listing.source), name
    assert rows["mtpb"]["problems"] == "115 (x 5 test cases)" and "Bandit" in rows["securityeval"]["metric"]
    table = cli("benchmarks", "list").stdout
    assert all(name in table for name in NEW)


def test_stats_are_computed_from_the_data_beside_the_survey_row():
    cases = {"mtpb": DATASETS / "mtpb" / "mtpb.jsonl", "odex-ja": DATASETS / "odex" / "ja_test.jsonl",
             "humaneval-infilling-random-span-light": DATASETS / "humaneval-infilling" / "HumanEval-RandomSpanInfillingLight.jsonl.gz"}
    values = {name: json.loads(cli("benchmarks", "stats", name, "--dataset", str(path), "--json").stdout) for name, path in cases.items()}
    assert values["mtpb"]["problems"] == 575 and values["mtpb"]["avg_solution_chars"] is None  # no references published
    assert values["odex-ja"]["problems_skipped_here"] == 11 and values["odex-ja"]["avg_tests"] == 1.7
    light = values["humaneval-infilling-random-span-light"]
    assert light["problems"] == 164 and light["avg_solution_chars"] == 79.0  # the middle alone, without the suffix
    assert stats.SURVEY["mtpb"]["row"] == "MTPB" and stats.SURVEY["code-contests"]["avg_tests"] == 203.7
    table = cli("benchmarks", "stats", "odex-ja", "--dataset", str(cases["odex-ja"]), env={"COLUMNS": "200"}).stdout
    assert "survey row: ODEX (all four languages)" in table


def test_stats_cover_the_evalplus_library_text_and_security_benchmarks_beside_their_survey_row_or_none():
    library = DATASETS / "pycodegpt_library_evals"
    cases = {"humaneval-plus-mini": DATASETS / "evalplus" / "HumanEvalPlus-Mini-v0.1.10.jsonl.gz",
             "mbpp-plus": DATASETS / "evalplus" / "MbppPlus-v0.2.0.jsonl.gz",
             "monkeyeval": library / "real_monkey_eval_v3.jsonl.gz", "beatnumeval": library / "real_beatnum_eval_v3.jsonl.gz",
             "torchdataeval": library / "real_torchdata_eval_v3.jsonl.gz",  # its statistics need no torch
             "conala": DATASETS / "conala" / "conala-test.json", "mconala-ru": DATASETS / "mconala" / "ru_test.json",
             "securityeval": DATASETS / "securityeval" / "dataset.jsonl"}
    values = {}
    for name, path in cases.items():
        result = cli("benchmarks", "stats", name, "--dataset", str(path), "--json")
        assert result.returncode == 0, (name, result.stderr)
        values[name] = json.loads(result.stdout)
    assert (values["humaneval-plus-mini"]["problems"], values["humaneval-plus-mini"]["avg_tests"]) == (164, 16.3)
    assert (values["mbpp-plus"]["problems"], values["mbpp-plus"]["avg_tests"]) == (378, 108.5)
    assert values["monkeyeval"]["avg_tests"] == 6.4 and values["beatnumeval"]["avg_tests"] == 3.5
    assert (values["torchdataeval"]["problems"], values["torchdataeval"]["avg_tests"], values["torchdataeval"]["avg_problem_chars"]) == (
        50, stats.SURVEY["torchdataeval"]["avg_tests"], stats.SURVEY["torchdataeval"]["avg_problem_chars"])
    # nothing is run on these: no tests per problem, the survey's "/", not a mean of zeros
    assert values["conala"]["avg_tests"] is None and values["securityeval"]["avg_tests"] is None
    assert values["mconala-ru"]["problems"] == 345 and values["securityeval"]["problems"] == 121
    assert stats.SURVEY["humaneval"]["avg_tests"] == 7.8 and stats.SURVEY["mbpp"]["avg_tests"] == 3.1
    wide = {"COLUMNS": "200"}
    mconala = cli("benchmarks", "stats", "mconala-es", "--dataset", str(DATASETS / "mconala" / "es_test.json"), env=wide).stdout
    assert "survey row: MCoNaLa (all three languages)" in mconala and "896" in mconala
    plus = cli("benchmarks", "stats", "mbpp-plus", "--dataset", str(cases["mbpp-plus"]), env=wide).stdout
    assert "no survey row" in plus


def test_a_library_benchmark_without_its_library_is_refused_before_a_run_is_stored(tmp_path, monkeypatch):
    import sys

    import pytest

    from nl2code.errors import MissingExtraError
    from nl2code.pipeline import EvalSettings, evaluate, load_benchmark
    from nl2code.samples import read_samples
    from nl2code.store import Store

    bench = load_benchmark("torchdataeval", DATASETS / "pycodegpt_library_evals" / "real_torchdata_eval_v3.jsonl.gz")
    samples = tmp_path / "s.jsonl"
    samples.write_text(json.dumps({"task_id": bench.problems[0].task_id, "completion": "pass"}) + "\n")
    monkeypatch.setitem(sys.modules, "torch", None)  # as if the torchdata extra were not installed
    store = Store(str(tmp_path / "r.db"))
    with pytest.raises(MissingExtraError, match=r"pip install 'nl2code\[torchdata\]'"):
        evaluate(read_samples(samples, bench), bench, EvalSettings(benchmark="torchdataeval"), store)
    assert store.list_runs() == []
