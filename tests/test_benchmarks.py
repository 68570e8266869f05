from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from helpers import DATASETS, MBPP, MBPP_PLUS, MBPP_SANITIZED, cli, data_mirror, listed_sha256
from nl2code import benchmarks
from nl2code.benchmarks import _data, humaneval, mbpp
from nl2code.errors import DatasetError, InputError
from nl2code.records import Comparison, StepKind


def test_humaneval_loads_164_problems_from_the_pinned_package_file():
    bench = benchmarks.load("humaneval")
    assert len(bench.problems) == 164
    assert bench.data_sha256 == humaneval.DATA.sha256 == "b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef"
    first = bench.problems[0]
    assert first.task_id == "HumanEval/0" and first.entry_point == "has_close_elements"
    assert bench.get("0") is first
    # the check function (and its expected values) is stripped from what the child runs
    assert "def check" not in first.test_prelude
    assert first.steps[0].kind is StepKind.COMPARE and first.steps[0].expected is True


def test_mbpp_loaders_read_the_shared_copies_and_accept_both_task_id_spellings():
    full = benchmarks.load("mbpp", MBPP)
    assert len(full.problems) == 974 and full.data_sha256 == mbpp.FULL.sha256
    assert full.get(2) is full.get("2") is full.get("Mbpp/2")
    sanitized = benchmarks.load("mbpp-sanitized", MBPP_SANITIZED)
    assert len(sanitized.problems) == 427 and sanitized.data_sha256 == mbpp.SANITIZED.sha256
    # the entry point is the function the tests call, not a builtin wrapped around it
    assert sanitized.problems[0].entry_point == "similar_elements"  # assert set(similar_elements(...)) == ...
    assert full.get(2).entry_point == "similar_elements"


def test_mbpp_test_setup_code_runs_after_the_solution():
    full = benchmarks.load("mbpp", MBPP)
    with_setup = [p for p in full.problems if p.setup.strip()]
    assert with_setup, "MBPP has problems with test_setup_code"
    assert all(p.setup for p in with_setup)


def test_mbpp_plus_767efcc_is_selected_by_version_and_has_399_problems_with_protected_inputs():
    from nl2code.pipeline import load_benchmark

    plus = load_benchmark("mbpp-plus@0.1.0-767efcc", MBPP_PLUS)
    assert plus.name == "mbpp-plus" and plus.version == "0.1.0-767efcc"
    assert len(plus.problems) == 399
    problem = plus.get("Mbpp/2")
    assert problem is plus.get(2)
    assert problem.n_tests > 100
    assert all(s.kind is StepKind.COMPARE and s.comparison is Comparison.ALLCLOSE for s in problem.steps)


def test_unknown_benchmark_names_the_flag_and_the_choices():
    with pytest.raises(InputError, match=r"unknown benchmark 'humaneva' \(--benchmark\); choose one of: humaneval, mbpp"):
        benchmarks.load("humaneva")


def test_a_missing_dataset_file_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetError, match=r"no such file \(given with --dataset\)"):
        benchmarks.load("mbpp", tmp_path / "nope.jsonl")


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A real HTTP server on 127.0.0.1 serving a copy of the shared datasets."""
    served = tmp_path / "served"
    served.mkdir()
    for name in ("mbpp.jsonl", "sanitized-mbpp.json"):
        shutil.copy(DATASETS / name, served / name)
    with data_mirror(served, monkeypatch, tmp_path / "cache"):
        yield served


def test_loader_downloads_the_canonical_file_once_and_verifies_its_sha256(mirror, tmp_path):
    # sha256 values as listed in ../shared/datasets/README.md
    listed = listed_sha256()
    assert mbpp.FULL.sha256 == listed["mbpp.jsonl"] and mbpp.SANITIZED.sha256 == listed["sanitized-mbpp.json"]
    path, digest = _data.resolve(mbpp.FULL, None)
    assert path == tmp_path / "cache" / "data" / "mbpp.jsonl"
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest() == mbpp.FULL.sha256
    (mirror / "mbpp.jsonl").unlink()  # a second load uses the verified cache, not the network
    assert _data.resolve(mbpp.FULL, None)[0] == path


def test_a_download_whose_sha256_differs_is_rejected_and_not_cached(mirror, tmp_path):
    (mirror / "sanitized-mbpp.json").write_text("[]")
    with pytest.raises(DatasetError, match=r"downloaded sha256 .* does not match the pinned 7fec0165"):
        _data.resolve(mbpp.SANITIZED, None)
    assert not (tmp_path / "cache" / "data" / "sanitized-mbpp.json").exists()


def test_an_unreachable_download_says_to_pass_a_local_copy(monkeypatch, tmp_path):
    monkeypatch.setenv("NL2CODE_DATA_MIRROR", "http://127.0.0.1:9")
    monkeypatch.setenv("NL2CODE_CACHE", str(tmp_path))
    with pytest.raises(DatasetError, match=r"cannot download mbpp.jsonl .* pass a local copy with --dataset PATH"):
        _data.resolve(mbpp.FULL, None)


@pytest.mark.parametrize(
    ("name", "dataset", "expected"),
    [
        ("humaneval", None, {"problems": 164, "avg_problem_chars": 450.6, "avg_problem_lines": 13.7, "avg_solution_chars": 180.9, "avg_solution_lines": 6.8}),
        ("mbpp", MBPP, {"problems": 974, "avg_tests": 3.0, "avg_problem_chars": 78.6, "avg_problem_lines": 1.0, "avg_solution_chars": 181.1, "avg_solution_lines": 6.7}),
    ],
)
def test_benchmark_stats_reproduce_the_survey_table(name, dataset, expected):
    args = ["benchmarks", "stats", name, "--json"] + (["--dataset", str(dataset)] if dataset else [])
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert {"problems", "avg_tests", "avg_problem_chars", "avg_problem_lines", "avg_solution_chars", "avg_solution_lines"} <= stats.keys()
    for key, value in expected.items():
        assert stats[key] == value, key


def test_asserts_with_constant_expected_sides_are_protected():
    from nl2code.benchmarks._steps import steps_from_asserts

    steps = steps_from_asserts([
        "assert abs(f([1.0, 2.0]) - 2.0 / 3.0) < 1e-06",
        "assert f(3) == (3 + 5, 3 * 5)",
        "assert set(f(1)) == set((4, 5))",
        "assert f(2) is None",
        "assert not f(4)",
        "assert f(5) == g(5)",
        "assert True, 'This prints if this assert fails'",
    ])
    kinds = [(s.kind.value, s.comparison.value if s.comparison else None) for s in steps]
    assert kinds == [("compare", "close"), ("compare", "equal"), ("compare", "equal"), ("compare", "is"),
                     ("compare", "falsy"), ("assert", None), ("statement", None)]
    assert steps[0].expected == 2.0 / 3.0 and steps[0].tolerance == 1e-06 and steps[0].source == "f([1.0, 2.0])"
    assert steps[1].expected == (8, 15) and steps[2].expected == {4, 5}


def test_protection_report_lists_the_problems_that_fall_back_to_in_child_asserts():
    result = cli("benchmarks", "protection", "humaneval", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 164
    full = sum(r["fully_protected"] for r in rows)
    assert 150 <= full < 164  # e.g. HumanEval/32 checks its answer with a loop of asserts
    assert not next(r for r in rows if r["task_id"] == "HumanEval/32")["fully_protected"]
