"""ODEX: open-domain problems whose tests import third-party libraries (the odex extra); those that
cannot run here are skipped with their reason, never failed."""

from __future__ import annotations

import json

import pytest

from helpers import DATASETS, cli
from nl2code import benchmarks
from nl2code.benchmarks import odex
from nl2code.execution import run_samples
from nl2code.records import Sample, Status, StepKind

FILES = {language: DATASETS / "odex" / f"{language}_test.jsonl" for language in odex.LANGUAGES}


def bench(language: str):
    return benchmarks.load(f"odex-{language}", FILES[language])


def test_the_four_languages_load_with_ids_by_line_and_their_skips():
    sizes = {"en": 439, "es": 90, "ja": 164, "ru": 252}
    skipped = {}
    for language, size in sizes.items():
        b = bench(language)
        assert len(b.problems) == size and b.data_sha256 == odex.DATA[language].sha256
        skipped[language] = {p.task_id: p.skip_reason for p in b.problems if p.skip_reason}
    # the network, a socket or a browser: never available in the sandbox
    assert skipped["en"]["ODEX/en/26"].startswith("its test reaches a host on the internet")
    assert skipped["ja"]["ODEX/ja/40"].startswith("its test opens a network socket")
    assert "selenium" in skipped["ja"]["ODEX/ja/37"]
    # libraries the odex extra leaves out (too large, or proprietary)
    assert "'obspy', which is not installed" in skipped["en"]["ODEX/en/268"]
    assert "'tensorflow', which is not installed" in skipped["ja"]["ODEX/ja/17"]
    assert "'aspose', which is not installed" in skipped["ru"]["ODEX/ru/28"]
    assert {k: len(v) for k, v in skipped.items()} == {"en": 7, "es": 0, "ja": 11, "ru": 13}
    # ODEX ids repeat (one StackOverflow question, several intents): a unique one is an alias
    ru = bench("ru")
    assert ru.get("712792") is ru.get("ODEX/ru/4")


def test_reference_solutions_of_a_slice_pass_including_checks_that_must_run_whole():
    en = bench("en")
    chosen = [p for p in en.problems[:40] if not p.skip_reason] + [en.get(f"ODEX/en/{i}") for i in (32, 107, 318)]
    ja = bench("ja")
    chosen += [ja.get("ODEX/ja/122"), ja.get("ODEX/ja/129")]  # urllib.parse after a bare import; a local named like a module
    problems = {p.task_id: p for p in chosen}
    executions = run_samples(problems, [Sample(p.task_id, 0, i, p.reference) for i, p in enumerate(problems.values())])
    failed = [(e.task_id, e.status, e.error) for e in executions if not e.passed]
    assert not failed
    # checks that return (try/except: return False) or name their argument otherwise run whole
    assert en.get("ODEX/en/32").steps[0].source == "check(f_16344756)"
    assert ja.get("ODEX/ja/129").steps == (en.get("ODEX/en/32").steps[0].__class__(StepKind.ASSERT, "check(f_49478)"),)
    assert en.get("ODEX/en/1").steps[0].kind is StepKind.COMPARE  # the others keep their protected comparisons


def test_tabs_become_four_spaces_as_odex_runs_programs():
    ru = bench("ru")
    problem = ru.get("ODEX/ru/4")  # def f_712792(s):\n\treturn <s.title()>
    assert problem.prompt == "def f_712792(s):\n\treturn "
    mixed = problem.prompt + "s.title()\n    s = None\n"  # a tab, then four spaces: consistent once tabs are spaces
    wrong = problem.prompt + "s.upper()\n"
    executions = run_samples(ru.by_id, [Sample(problem.task_id, 0, 0, mixed), Sample(problem.task_id, 1, 1, wrong)])
    assert [e.status for e in executions] == [Status.PASSED, Status.FAILED]


def test_evaluate_reports_skipped_problems_apart_and_scores_the_others(tmp_path):
    en = bench("en")
    runnable, network = en.get("ODEX/en/1"), en.get("ODEX/en/26")
    samples = tmp_path / "samples.jsonl"
    records = [(runnable, runnable.reference[len(runnable.prompt):len(runnable.reference) - len(runnable.suffix)]),
               (network, network.reference[len(network.prompt):len(network.reference) - len(network.suffix)])]
    samples.write_text("".join(json.dumps({"task_id": p.task_id, "completion": c}) + "\n" for p, c in records))
    result = cli("evaluate", str(samples), "-b", "odex-en", "--dataset", str(FILES["en"]), "--db", str(tmp_path / "r.db"),
                 "--json", str(tmp_path / "s.json"), "-q")
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["skipped"]["problems"] == 1 and summary["skipped"]["samples"] == 1
    assert summary["skipped"]["reasons"]["ODEX/en/26"].startswith("its test reaches a host on the internet")
    assert summary["samples"] == 1 and summary["pass_at_k"]["pass@1"] == 1.0
    assert summary["status_counts"]["failed"] == 0 and summary["status_counts"]["passed"] == 1


@pytest.mark.parametrize("library, missing", [("pandas", ""), ("re", ""), ("obspy", "obspy")])
def test_a_problem_is_skipped_when_its_library_is_not_installed(library, missing):
    assert odex.missing_library([library]) == missing
