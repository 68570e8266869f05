"""`nl2code rerank`: CodeT's test parsing, consensus groups, scores and tie handling worked by hand;
dual execution in the real sandbox; the real CLI on a real SQLite file, derived run and resume."""

from __future__ import annotations

import json
import math
import sqlite3

import pytest

from helpers import cli
from nl2code.execution import run_samples
from nl2code.records import Sample
from nl2code.rerank import Tier, consensus_groups, merge_ties, parse_test_sample, picks, ranked_pass_at_k
from nl2code.rerank._codet import codet_ranking
from nl2code.rerank._dual import passed_tests, limits_for_tests, problem_of_tests
from nl2code.rerank._ranking import reranked_scores

# -- generated tests, parsed as CodeT parses them ---------------------------------------------


def test_a_generated_sample_is_split_on_assert_and_keeps_tests_that_name_the_entry_point():
    sample = "add(1, 2) == 3\nassert add(0, 0) == 0, 'zero'\nassert other(1) == 1\nassert add(2, 2) == 4\n"
    assert parse_test_sample(sample, "add") == ["assert add(1, 2) == 3", "assert add(0, 0) == 0, 'zero'", "assert add(2, 2) == 4"]


def test_a_test_is_cut_at_the_first_stop_sequence_and_dropped_when_it_does_not_compile():
    sample = "add(1, 2) == 3\n\ndef helper():\n    pass\nassert add(1, == 2\nassert add(5, 5) == 10\n# done\nprint(1)"
    # the first piece stops before `\ndef`, the second does not compile, the third stops before `\n#`
    assert parse_test_sample(sample, "add") == ["assert add(1, 2) == 3", "assert add(5, 5) == 10"]


def test_an_assert_followed_by_a_newline_does_not_compile_and_is_dropped():
    # CodeGen often writes `assert \n    f(x) == y`: a bare assert with the expression on the next line
    assert parse_test_sample("\n    add(1, 2) == 3, 'msg'\nassert add(1, 1) == 2", "add") == ["assert add(1, 1) == 2"]


def test_a_test_spanning_lines_compiles_as_one_indented_block():
    # the lines after the first are indented with it inside CodeT's `try:`, so a second statement is fine
    assert parse_test_sample("add(1, 2) == 3\nadd(2, 2)\n", "add") == ["assert add(1, 2) == 3\nadd(2, 2)"]


def test_at_most_five_tests_per_sample_count_and_a_blank_sample_gives_none():
    sample = "\nassert ".join(f"add({i}, 0) == {i}" for i in range(8))
    assert parse_test_sample(sample, "add") == [f"assert add({i}, 0) == {i}" for i in range(5)]
    assert parse_test_sample(sample, "add", limit=None)[-1] == "assert add(7, 0) == 7"
    assert parse_test_sample("\n", "add") == []


# -- consensus groups and scores, worked by hand ----------------------------------------------


def test_solutions_are_grouped_by_the_exact_set_of_tests_passed_and_scored_by_tests_times_sqrt_size():
    passed = {
        "A": frozenset({"t1", "t2"}),  # 3 copies
        "B": frozenset({"t1", "t2"}),  # 1 copy: same set as A, same group
        "C": frozenset({"t1", "t2", "t3"}),  # 2 copies
        "D": frozenset({"t3"}),  # 4 copies
        "E": frozenset(),  # passes nothing: not ranked
        "F": None,  # its run did not finish: not ranked
        "G": frozenset({"unknown"}),  # a test not among the generated ones counts for nothing
    }
    solutions = {"A": 3, "B": 1, "C": 2, "D": 4, "E": 5, "F": 6, "G": 1}
    tests = {"t1": 2, "t2": 1, "t3": 1}  # t1 was generated twice
    groups = consensus_groups(passed, solutions, tests)
    # {t1,t2}: tests 2+1 = 3, solutions 3+1 = 4 -> 3 x 2 = 6
    # {t1,t2,t3}: tests 4, solutions 2 -> 4 x sqrt(2) = 5.657
    # {t3}: tests 1, solutions 4 -> 1 x 2 = 2
    assert [(g.solutions, g.tests_counted, g.solutions_counted) for g in groups] == [(("A", "B"), 3, 4), (("C",), 4, 2), (("D",), 1, 4)]
    assert [g.score for g in groups] == [6.0, 4 * math.sqrt(2), 2.0]


def test_groups_with_equal_scores_are_one_tier_and_a_pick_is_uniform_over_its_samples():
    passed = {"X": frozenset({"t1", "t2"}), "Y": frozenset({"t1", "t2", "t3", "t4"}), "Z": frozenset({"t3"})}
    groups = consensus_groups(passed, {"X": 4, "Y": 1, "Z": 1}, {"t1": 1, "t2": 1, "t3": 1, "t4": 1})
    # X: 2 tests x sqrt(4) = 4.0; Y: 4 tests x sqrt(1) = 4.0 -> a tie; Z: 1 x 1 = 1.0
    assert [g.score for g in groups] == [4.0, 4.0, 1.0]
    verdicts = {"X": [True, True, False, False], "Y": [True], "Z": [False]}
    tiers = merge_ties(codet_ranking(groups, verdicts))
    assert [(sorted(t.verdicts), t.score) for t in tiers] == [([False, False, True, True, True], 4.0), ([False], 1.0)]
    ranking = codet_ranking(groups, verdicts)
    assert ranked_pass_at_k(ranking, 1) == pytest.approx(3 / 5)  # one pick from the merged tier of 5, 3 correct
    assert ranked_pass_at_k(ranking, 2) == pytest.approx(1 - (2 / 5) * 1.0)  # one pick per tier; Z is wrong
    # three picks, two tiers: the extra pick goes to the top tier (with replacement)
    assert ranked_pass_at_k(ranking, 3) == pytest.approx(1 - (2 / 5) ** 2 * 1.0)


def test_picks_go_one_per_tier_and_extras_round_robin_from_the_top():
    assert picks(5, 2) == [1, 1]
    assert picks(2, 5) == [3, 2]
    assert picks(3, 10) == [4, 3, 3]
    assert picks(1, 1) == [1]


def test_a_problem_without_a_ranking_keeps_its_unranked_estimate():
    rankings = {"p1": [Tier((True,), 2.0), Tier((False, False), 1.0)], "p2": []}
    verdicts = {"p1": [True, False, False], "p2": [True, False, False, False]}
    scores = reranked_scores(rankings, verdicts, [1], bootstrap=0)["pass@1"]
    assert scores.per_problem == {"p1": 1.0, "p2": 0.25}
    assert scores.value == pytest.approx(0.625)


def test_a_lower_scored_correct_group_is_not_picked_at_one_but_is_at_two():
    ranking = [Tier((False, False, False), 3 * math.sqrt(3)), Tier((True,), 2.0)]
    assert ranked_pass_at_k(ranking, 1) == 0.0
    assert ranked_pass_at_k(ranking, 2) == 1.0
    assert ranked_pass_at_k([], 1) is None


# -- dual execution in the sandbox --------------------------------------------------------------

TESTS = [
    "assert add(1, 2) == 3",
    "assert add(2, 2) == 5",  # wrong test: every solution fails it
    "assert slow(add(0, 0)) == 0",  # loops unless the answer is 1
    "assert add(-1, 1) == 0",
]
HELPERS = "def slow(x):\n    while x != 1:\n        pass\n    return x\n\n"


def dual_run(programs: list[str], tests=TESTS):
    problem = problem_of_tests("humaneval", "t", "t", "P", "add", tests, 0.1)
    samples = [Sample("P", i, i, HELPERS + p) for i, p in enumerate(programs)]
    executions = run_samples({"P": problem}, samples, limits_for_tests(len(tests), 0.1), workers=1)
    return [passed_tests(e, tests) for e in executions]


def test_each_solution_runs_every_test_and_a_hanging_test_fails_alone():
    right, wrong, broken = dual_run([
        "def add(a, b):\n    return a + b\n",
        "def add(a, b):\n    return a - b\n",
        "def add(a, b)\n    return a + b\n",  # does not compile: passes nothing
    ])
    # the third test hangs in `slow` for both solutions: the per-test timer fails it and the next test runs
    assert right == frozenset({"assert add(1, 2) == 3", "assert add(-1, 1) == 0"})
    assert wrong == frozenset()
    assert broken is None


def test_a_system_exit_in_a_test_ends_the_run_and_it_passes_nothing():
    [exits, loads_forever] = dual_run([
        "import sys\ndef add(a, b):\n    if a == 2:\n        sys.exit(0)\n    return a + b\n",
        "def add(a, b):\n    return a + b\nwhile True:\n    pass\n",  # never finishes loading: killed at the overall limit
    ])
    assert exits is None and loads_forever is None


# -- the command ---------------------------------------------------------------------------------


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture
def codet_inputs(tmp_path):
    """Two HumanEval problems. HumanEval/0: 2 right programs (one written twice) and 3 copies of a
    wrong one that the generated tests reject; HumanEval/1 gets no generated tests."""
    right = "    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])\n"
    right2 = "    for i in range(len(numbers)):\n        for j in range(i + 1, len(numbers)):\n            if abs(numbers[i] - numbers[j]) < threshold:\n                return True\n    return False\n"
    wrong = "    return True\n"
    samples = [right, right, right2, wrong, wrong, wrong]
    records = [{"task_id": "HumanEval/0", "completion": c} for c in samples]
    records += [{"task_id": "HumanEval/1", "completion": "    return []\n"}] * 2
    tests = [{"task_id": "HumanEval/0", "samples": [
        "has_close_elements([1.0, 1.05], 0.1) == True\nassert has_close_elements([1.0, 3.0], 0.5) == False",
        "has_close_elements([0.0, 0.01, 5.0], 0.1) == True\n",
        "\n",
    ]}]
    return write_jsonl(tmp_path / "samples.jsonl", records), write_jsonl(tmp_path / "tests.jsonl", tests)


def test_rerank_cli_writes_the_promised_json_stores_a_linked_derived_run_and_resumes(tmp_path, codet_inputs):
    samples, tests = codet_inputs
    db = tmp_path / "runs.db"
    result = cli("evaluate", str(samples), "-b", "humaneval", "--db", str(db), "-q", "--json", str(tmp_path / "eval.json"))
    assert result.returncode == 0, result.stderr
    source = json.loads((tmp_path / "eval.json").read_text())["run_id"]
    out = tmp_path / "rerank.json"
    result = cli("rerank", source, "--tests", str(tests), "--db", str(db), "-q", "--json", str(out))
    assert result.returncode == 0, result.stderr + result.stdout
    data = json.loads(out.read_text())
    assert set(data) == {"reranked", "baseline", "checks", "seconds"}
    # HumanEval/0: one group {all 3 tests} of the 3 right samples (3 tests x sqrt 3); the wrong
    # program passes the two `True` tests (2 x sqrt 3): pass@1 = 1. HumanEval/1: no tests, 0 right.
    assert data["reranked"]["pass@1"] == pytest.approx((1.0 + 0.0) / 2)
    assert data["baseline"]["pass@1"] == pytest.approx((3 / 6 + 0.0) / 2)
    assert data["checks"] == 3 * 3  # 3 unique programs x 3 unique tests; HumanEval/1 has none
    assert data["seconds"] > 0
    with sqlite3.connect(db) as conn:
        kind, settings, status = conn.execute("SELECT kind, settings, status FROM runs WHERE kind = 'rerank'").fetchone()
        assert json.loads(settings)["source_run"] == source and status == "complete"
        assert conn.execute("SELECT count(*) FROM executions e JOIN runs r ON r.id = e.run_id WHERE r.kind = 'rerank'").fetchone() == (3,)
    shown = cli("runs", "show", "latest", "--db", str(db))
    assert shown.returncode == 0 and f"derived from run {source} (codet)" in shown.stdout, shown.stderr
    again = cli("rerank", source, "--tests", str(tests), "--db", str(db), "-q", "--json", str(tmp_path / "again.json"))
    assert again.returncode == 0 and "resumed: 3 solutions were already run, 0 now" in again.stdout
    assert json.loads((tmp_path / "again.json").read_text())["reranked"] == data["reranked"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM runs WHERE kind = 'rerank'").fetchone() == (1,)


def test_rerank_by_the_prompts_examples_needs_no_tests(tmp_path, codet_inputs):
    samples, _ = codet_inputs
    db = tmp_path / "runs.db"
    assert cli("evaluate", str(samples), "-b", "humaneval", "--db", str(db), "-q").returncode == 0
    result = cli("rerank", "latest", "--method", "examples", "--db", str(db), "-q", "--json", str(tmp_path / "ex.json"))
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "ex.json").read_text())
    # HumanEval/0's prompt example expects False: `return True` fails it, only right programs remain
    assert data["reranked"]["pass@1"] == pytest.approx(0.5) and data["checks"] == 0


def test_rerank_errors_name_the_flag_or_the_file_line(tmp_path, codet_inputs):
    samples, _ = codet_inputs
    db = tmp_path / "runs.db"
    assert cli("evaluate", str(samples), "-b", "humaneval", "--db", str(db), "-q").returncode == 0
    missing = cli("rerank", "latest", "--db", str(db), "-q")
    assert missing.returncode == 2 and "--tests" in missing.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"task_id": "HumanEval/0", "samples": ["f(1) == 1"]}\n{"task_id": "HumanEval/999", "samples": []}\n')
    result = cli("rerank", "latest", "--tests", str(bad), "--db", str(db), "-q")
    assert result.returncode == 2 and f"{bad}:2" in result.stderr and "HumanEval/999" in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM runs WHERE kind = 'rerank'").fetchone() == (0,)


# -- mbr-exec -------------------------------------------------------------------------------------


def test_mbr_inputs_are_the_distinct_outermost_calls_of_the_entry_point():
    from nl2code.rerank._mbr import inputs

    tests = ["assert add(1, 2) == 3", "assert add(add(1, 1), 0) == 2 and add(1, 2) == 3", "assert other(1) == add(0, 0)", "assert add(1,2)==3"]
    assert inputs(tests, "add") == ["add(1, 2)", "add(add(1, 1), 0)", "add(0, 0)"]
    assert inputs(tests, "add", limit=2) == ["add(1, 2)", "add(add(1, 1), 0)"]


def test_mbr_outputs_are_equal_for_equal_values_whatever_the_set_order():
    from nl2code.rerank._mbr import canonical

    assert canonical({"b", "a", "c"}) == canonical({"c", "b", "a"}) and canonical({2: [1], 1: (2,)}) == canonical({1: (2,), 2: [1]})
    assert canonical([1, 2]) != canonical((1, 2)) and canonical(1) != canonical(1.0) and canonical("1") != canonical(1)


def test_mbr_exec_picks_the_largest_group_of_samples_with_the_same_outputs(tmp_path):
    right = "    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])\n"
    right2 = "    for i in range(len(numbers)):\n        for j in range(i + 1, len(numbers)):\n            if abs(numbers[i] - numbers[j]) < threshold:\n                return True\n    return False\n"
    wrong = "    return len(numbers) > 1\n"
    loops = "    while True:\n        pass\n"  # times out on every input: a group of its own
    samples = write_jsonl(tmp_path / "s.jsonl", [{"task_id": "HumanEval/0", "completion": c} for c in (right, right, right2, wrong, wrong, loops)])
    # the inputs: ([1.0, 1.05], 0.1), ([1.0, 3.0], 0.5), ([0.0, 0.01, 5.0], 0.1); the expected values are not used
    tests = write_jsonl(tmp_path / "t.jsonl", [{"task_id": "HumanEval/0", "samples": [
        "has_close_elements([1.0, 1.05], 0.1) == False\nassert has_close_elements([1.0, 3.0], 0.5) == True",
        "has_close_elements([0.0, 0.01, 5.0], 0.1) == 7\n",
    ]}])
    db = tmp_path / "runs.db"
    assert cli("evaluate", str(samples), "-b", "humaneval", "--db", str(db), "-q").returncode == 0
    result = cli("rerank", "latest", "--tests", str(tests), "--method", "mbr-exec", "--db", str(db), "-q", "--json", str(tmp_path / "m.json"))
    assert result.returncode == 0, result.stderr + result.stdout
    data = json.loads((tmp_path / "m.json").read_text())
    # outputs (T, F, T): 3 right samples; (T, T, T): 2 wrong ones; (timeout x 3): the loop
    assert data["reranked"]["pass@1"] == 1.0 and data["baseline"]["pass@1"] == pytest.approx(3 / 6)
    assert data["reranked"]["pass@2"] == 1.0 and data["checks"] == 4 * 3


def test_rerank_refuses_an_unfinished_run_and_a_derived_record(tmp_path):
    from nl2code.errors import InputError
    from nl2code.rerank import RerankSettings, rerank
    from nl2code.store import Store

    store = Store(str(tmp_path / "runs.db"))
    fields = dict(benchmark="humaneval", benchmark_version="1", data_sha256="a", dataset_path="", samples_path="", samples_sha256="",
                  samples_format="", model="m", n_samples=0, n_problems=0, nl2code_version="0", settings={}, machine={})
    store.create_run(id="unfinished", kind="evaluate", fingerprint="f1", **fields)
    with pytest.raises(InputError, match="not complete"):
        rerank(store, "unfinished", None, RerankSettings(method="examples"))
    store.create_run(id="derived", kind="rerank", fingerprint="f2", **fields)
    store.update_run("derived", status="complete")
    with pytest.raises(InputError, match="derived record"):
        rerank(store, "derived", None, RerankSettings(method="examples"))
    assert [r["id"] for r in store.list_runs()] == ["unfinished", "derived"]  # nothing was added
