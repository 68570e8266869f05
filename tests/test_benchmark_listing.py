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
