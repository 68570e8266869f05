"""HumanEval+ and MBPP+ at their current releases: expected outputs from the reference solutions
(computed through the executor), EvalPlus's comparison rules and special oracles in the driver,
per-input time limits, and release selection. Data: the shared copies of the EvalPlus files."""

from __future__ import annotations

import pytest

from helpers import DATASETS, MBPP_PLUS
from nl2code import benchmarks
from nl2code.errors import DatasetError, InputError
from nl2code.execution import oracles, run_samples
from nl2code.pipeline import load_benchmark
from nl2code.records import Comparison, Limits, Sample, Status

EVALPLUS = DATASETS / "evalplus"
HE_MINI = EVALPLUS / "HumanEvalPlus-Mini-v0.1.10.jsonl.gz"
MBPP_V020 = EVALPLUS / "MbppPlus-v0.2.0.jsonl.gz"
LIMITS = Limits(cpu_seconds=30.0, wall_seconds=90.0)


@pytest.fixture(scope="module")
def mini():
    return load_benchmark("humaneval-plus-mini", HE_MINI)


@pytest.fixture(scope="module")
def mbpp_plus():
    return load_benchmark("mbpp-plus", MBPP_V020)


def _run(bench, programs):
    samples = [Sample(task, 0, i, program) for i, (task, program) in enumerate(programs)]
    return run_samples(bench.by_id, samples, LIMITS, workers=2)


def test_current_releases_load_with_one_protected_step_per_input(mini, mbpp_plus):
    assert (mini.name, mini.version, len(mini.problems)) == ("humaneval-plus-mini", "0.1.10", 164)
    assert (mbpp_plus.name, mbpp_plus.version, len(mbpp_plus.problems)) == ("mbpp-plus", "0.2.0", 378)
    assert sum(p.n_tests for p in mini.problems) == 2677  # every input of the Mini file has an expected output
    assert all(p.fully_protected for p in mini.problems + mbpp_plus.problems)
    zero = mini.get("HumanEval/0")
    assert {s.comparison for s in zero.steps} == {Comparison.EVALPLUS}
    assert mini.get("HumanEval/32").steps[0].comparison is Comparison.ORACLE  # find_zero: any root
    assert mini.get("HumanEval/4").steps[0].tolerance == 1e-6  # the data's atol
    assert mbpp_plus.get("Mbpp/2").steps[0].expected[0] == "set"
    assert mbpp_plus.get(2) is mbpp_plus.get("Mbpp/2")


def test_releases_are_selected_by_name_at_version():
    names = benchmarks.names()
    assert "mbpp-plus@0.1.0-767efcc" in names and "mbpp-plus@0.2.0" in names
    old = load_benchmark("mbpp-plus@0.1.0-767efcc", MBPP_PLUS)
    assert (old.name, old.version, len(old.problems)) == ("mbpp-plus", "0.1.0-767efcc", 399)
    with pytest.raises(InputError, match=r"mbpp-plus has no version '9\.9'.*mbpp-plus@0\.2\.0, mbpp-plus@0\.1\.0-767efcc"):
        benchmarks.load("mbpp-plus@9.9")


def test_expected_outputs_need_the_executor_the_first_time(tmp_path, monkeypatch):
    monkeypatch.setenv("NL2CODE_CACHE", str(tmp_path))
    with pytest.raises(DatasetError, match="load_benchmark"):
        benchmarks.evalplus.load("humaneval-plus-mini", HE_MINI, oracle=None)


def test_reference_passes_and_wrong_or_plus_only_wrong_answers_fail(mini):
    zero = mini.get("HumanEval/0")
    # right on HumanEval's own inputs, wrong where two equal numbers are given (a plus input)
    subtle = zero.prompt + (
        "    for i in range(len(numbers)):\n        for j in range(i + 1, len(numbers)):\n"
        "            if 0 < abs(numbers[i] - numbers[j]) < threshold:\n                return True\n    return False\n"
    )
    done = _run(mini, [(zero.task_id, zero.reference), (zero.task_id, zero.prompt + "    return False\n"), (zero.task_id, subtle)])
    assert [e.status for e in done] == [Status.PASSED, Status.FAILED, Status.FAILED], [e.error for e in done]
    assert done[2].tests_passed > len(done[2].tests) // 2  # it failed on a few inputs only
    assert "got" in done[1].error


def test_find_zero_accepts_any_root_within_atol(mini):
    problem = mini.get("HumanEval/32")
    # bisection from the other side finds a root the reference may not: still a root
    other_root = problem.prompt + (
        "    lo, hi = -1e6, 1e6\n"
        "    if poly(xs, lo) * poly(xs, hi) > 0:\n        lo, hi = hi, lo\n"
        "    for _ in range(200):\n        mid = (lo + hi) / 2\n"
        "        if poly(xs, mid) * poly(xs, lo) > 0:\n            lo = mid\n        else:\n            hi = mid\n"
        "    return (lo + hi) / 2\n"
    )
    not_a_root = problem.prompt + "    return 12345.0\n"
    done = _run(mini, [(problem.task_id, problem.reference), (problem.task_id, other_root), (problem.task_id, not_a_root)])
    assert [e.status for e in done] == [Status.PASSED, Status.PASSED, Status.FAILED], [e.error for e in done]


def test_each_input_runs_under_its_own_time_limit(mini):
    problem = mini.get("HumanEval/2")  # truncate_number: microseconds per input in the reference
    slow_once = problem.prompt + (
        "    import time\n    if number == 3.5:\n        started = time.process_time()\n"
        "        while time.process_time() - started < 3:\n            pass\n    return number % 1.0\n"
    )
    [execution] = _run(mini, [(problem.task_id, slow_once)])
    assert execution.status is Status.FAILED
    assert "ran over its time limit of 1 s of CPU time" in execution.error
    assert sum(not t.passed for t in execution.tests) == 1


def test_mbpp_plus_special_oracles(mbpp_plus):
    programs = [
        # Mbpp/2: any order of the shared elements (compared as sets)
        ("Mbpp/2", "def similar_elements(a, b):\n    return tuple(sorted(set(a) & set(b), reverse=True))\n"),
        # Mbpp/737: returns re.Match objects; EvalPlus asks only that they are not None
        ("Mbpp/737", mbpp_plus.get("Mbpp/737").reference),
        ("Mbpp/737", "def check_str(string):\n    return None\n"),
        # Mbpp/581: the surface with `height` read as the pyramid's perpendicular height
        ("Mbpp/581", "import math\ndef surface_Area(b, s):\n    return round(b * b + 2 * b * math.sqrt((b / 2) ** 2 + s * s))\n"),
        ("Mbpp/581", "def surface_Area(b, s):\n    return -1\n"),
    ]
    done = _run(mbpp_plus, programs)
    assert [e.status for e in done] == [Status.PASSED, Status.PASSED, Status.FAILED, Status.PASSED, Status.FAILED], [e.error for e in done]


@pytest.mark.parametrize(("value", "expected", "atol", "ok"), [
    (1, 1, 0, True),
    (0.1 + 0.2, 0.3, 0, False),  # atol 0 in the data is exact (the loader turns it to 1e-6 for float outputs)
    (0.1 + 0.2, 0.3, 1e-6, True),
    ([1.0, 2.0000001], [1.0, 2.0], 1e-6, True),
    ((1.0, 2.0), [1.0, 2.0], 1e-6, False),  # EvalPlus requires the reference's type
    ([1.0], [1.0, 2.0], 1e-6, False),
    (1, 1.0000001, 1e-6, False),  # int vs float: not the same type
    (float("nan"), float("nan"), 1e-6, False),  # np.allclose: NaN is not close to NaN
])
def test_evalplus_rule(value, expected, atol, ok):
    assert oracles.evalplus_match(value, expected, atol) is ok


def test_special_oracle_functions():
    assert oracles.check((3, 1), ("set", (1, 3), None), 0)
    assert not oracles.check((3,), ("set", (1, 3), None), 0)
    assert oracles.check(True, ("not-none", True, None), 0) and not oracles.check(None, ("not-none", True, None), 0)
    assert oracles.check(None, ("not-none", False, None), 0)
    assert oracles.check(7, ("any-of", 5, (7,)), 0) and not oracles.check(6, ("any-of", 5, (7,)), 0)
    assert oracles.check(2.0, ("poly-root", 0.0, [-4, 0, 1]), 1e-4)  # x^2 - 4
    assert not oracles.check(1.0, ("poly-root", 2.0, [-4, 0, 1]), 1e-4)
    assert oracles.accepts_opaque(("not-none", True, None)) and not oracles.accepts_opaque(("set", True, None))


def test_the_oracle_run_gives_the_reference_times_so_they_are_not_measured_again(tmp_path, monkeypatch, caplog):
    from nl2code.pipeline import _cached_reference_times, machine_key

    monkeypatch.setenv("NL2CODE_CACHE", str(tmp_path))
    monkeypatch.setattr(benchmarks, "_cache", {})
    bench = load_benchmark("humaneval-plus-mini", HE_MINI)
    times = _cached_reference_times(bench, machine_key())
    assert set(times) == set(bench.by_id) and all(t > 0 for t in times.values())


def test_a_sample_gets_evalplus_s_wall_clock_for_the_whole_task(mbpp_plus, tmp_path):
    """EvalPlus gives a task the sum of its per-input limits (capped at 60 s) plus 2 s: Mbpp/255,
    whose outputs are 119 MB to ship, is not held to the 2 x CPU + 6 s every other problem gets,
    and a correct sample that spends 8 s of wall clock waiting passes, as under EvalPlus."""
    import json

    from helpers import cli
    from nl2code.benchmarks.evalplus import task_wall
    from nl2code.pipeline import EvalSettings, limits_for

    assert task_wall([1.0, 2.5]) == 5.5 and task_wall([1.0] * 111) == 62.0
    big = mbpp_plus.get("Mbpp/255")
    assert big.wall_seconds == 62.0
    settings = EvalSettings(benchmark="mbpp-plus", timeout=0.5)
    assert limits_for(settings, 0.1).wall_seconds == 7.0
    assert limits_for(settings, 0.1, wall_floor=big.wall_seconds).wall_seconds == 62.0

    reference = mbpp_plus.get("Mbpp/2").reference
    samples = tmp_path / "s.jsonl"
    waits = "import time\ntime.sleep(8)\n"  # wall clock, no CPU: over 2 x 0.5 + 6 s, under EvalPlus's allowance
    samples.write_text("\n".join(json.dumps({"task_id": "Mbpp/2", "solution": s}) for s in (waits + reference, reference)) + "\n")
    done = cli("evaluate", str(samples), "-b", "mbpp-plus", "--dataset", str(MBPP_V020), "--timeout", "0.5", "--workers", "2",
               "--db", str(tmp_path / "r.db"), "-q", "--results", str(tmp_path / "r.jsonl"))
    assert done.returncode == 0, done.stderr
    results = [json.loads(x) for x in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [r["status"] for r in results] == ["passed", "passed"], results
    assert mbpp_plus.get("Mbpp/2").wall_seconds > 8.0


def test_the_base_score_counts_the_original_tests_alone(mini, tmp_path):
    """EvalPlus reports "base" (the original HumanEval/MBPP tests) beside "plus" (base + extra):
    a sample right on every base input and wrong on the added ones passes base only, in the
    summary, the JSON and `runs show`."""
    import gzip
    import json

    from helpers import cli

    record = next(r for r in map(json.loads, gzip.open(HE_MINI, "rt")) if r["task_id"] == "HumanEval/0")
    zero, one = mini.get("HumanEval/0"), mini.get("HumanEval/1")
    assert zero.base_tests == len(record["base_input"]) and 0 < zero.base_tests < zero.n_tests
    body = zero.reference[len(zero.prompt):]
    # right where HumanEval's own tests ask, wrong on every input EvalPlus added
    base_only = (f"BASE = {record['base_input']!r}\n" + zero.prompt.replace("def has_close_elements", "def _right") + body
                 + "\n\ndef has_close_elements(numbers, threshold):\n    right = _right(numbers, threshold)\n"
                 "    return right if [numbers, threshold] in BASE else not right\n")
    samples = tmp_path / "s.jsonl"
    rows = [("HumanEval/0", zero.reference), ("HumanEval/0", base_only), ("HumanEval/1", one.reference), ("HumanEval/1", one.prompt + "    return []\n")]
    samples.write_text("".join(json.dumps({"task_id": t, "solution": s}) + "\n" for t, s in rows))
    db = tmp_path / "r.db"
    done = cli("evaluate", str(samples), "-b", "humaneval-plus-mini", "--dataset", str(HE_MINI), "--workers", "2", "--db", str(db),
               "-q", "--json", str(tmp_path / "s.json"), "--results", str(tmp_path / "r.jsonl"))
    assert done.returncode == 0, done.stderr
    assert [json.loads(x)["status"] for x in (tmp_path / "r.jsonl").read_text().splitlines()] == ["passed", "failed", "passed", "failed"]
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["pass_at_k"]["pass@1"] == 0.5  # plus: HumanEval/0 1 of 2, HumanEval/1 1 of 2
    assert summary["pass_at_k_base"]["pass@1"] == 0.75  # base: HumanEval/0 2 of 2, HumanEval/1 1 of 2
    shown = cli("runs", "show", "latest", "--db", str(db))
    assert shown.returncode == 0, shown.stderr
    assert "pass@1 base tests" in shown.stdout and "0.7500" in shown.stdout
    as_json = json.loads(cli("runs", "show", "latest", "--db", str(db), "--json").stdout)
    assert as_json["run"]["summary"]["pass_at_k_base"] == {"pass@1": 0.75}


def test_a_sample_stopped_on_an_added_input_keeps_its_base_verdict():
    from nl2code.metrics import summarize
    from nl2code.records import Execution, TestOutcome

    def run(task, sample, status, passed):
        return Execution(task, sample, sample, status, tuple(TestOutcome(p, True, "") for p in passed))

    executions = [
        run("a", 0, Status.PASSED, [True] * 4),
        run("a", 1, Status.TIMEOUT, [True, True, False]),  # stopped on an added input: base passed
        run("a", 2, Status.FAILED, [True, False, True, True]),  # a base input failed
        run("a", 3, Status.SANDBOX_ERROR, []),
        run("b", 0, Status.FAILED, [True, False]),  # no base split: not in the base score
    ]
    summary = summarize(executions, [1], base_tests={"a": 2})
    assert summary["pass_at_k_base"]["pass@1"] == 0.5 and summary["pass_at_k"]["pass@1"] == 0.125
    assert "pass_at_k_base" not in summarize(executions, [1])
