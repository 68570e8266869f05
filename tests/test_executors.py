"""The executor contract on each executor: the local pool and the Ray executor (on the session's
local Ray head) judge the same samples alike, every sample once, staged languages included.

One executor of each kind serves the whole module: a Ray executor costs an actor and a worker pool
to start (seconds here), a batch after that costs milliseconds."""

from __future__ import annotations

import shutil

import pytest

from nl2code import benchmarks
from nl2code.execution.executor import Executor
from nl2code.pipeline import make_executor
from nl2code.records import Limits, Sample, Status

FAST = Limits(cpu_seconds=1.0, wall_seconds=3.0)
MISBEHAVING = {
    "endless loop": ("    while True:\n        pass\n", Status.TIMEOUT),
    "long sleep": ("    import time\n    time.sleep(60)\n", Status.TIMEOUT),
    "syntax error": ("    return (\n", Status.COMPILE_ERROR),
    "segfault": ("    import os, signal\n    os.kill(os.getpid(), signal.SIGSEGV)\n", Status.CRASHED),
    "6 GiB allocation": ("    x = bytearray(6 * 1024 ** 3)\n    return True\n", Status.OOM),
    "stdout flood": ("    while True:\n        print('y' * 100000, flush=True)\n", Status.OUTPUT_LIMIT),
    "os._exit(0)": ("    import os\n    os._exit(0)\n", Status.NO_RESULT),
    "exception": ("    raise ValueError('boom')\n", Status.FAILED),
    "kills its worker": ("    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n", None),
}


@pytest.fixture(scope="module")
def humaneval():
    return benchmarks.load("humaneval")


@pytest.fixture(scope="module", params=["local", pytest.param("ray", marks=pytest.mark.ray)])
def executor(request):
    options = {"address": request.getfixturevalue("ray_address")} if request.param == "ray" else {}
    with make_executor(request.param, workers=2, options=options) as started:
        yield started


def judged(executor, samples, problems, limits=FAST) -> list:
    results = list(executor.execute(samples, problems, {task: limits for task in problems}))
    assert sorted(e.index for e in results) == [s.index for s in samples]  # every sample once
    return sorted(results, key=lambda e: e.index)


def test_reference_solutions_pass_and_return_none_fails(executor, humaneval):
    assert isinstance(executor, Executor)
    problems = humaneval.problems[:40]
    samples = [Sample(p.task_id, 0, i, p.reference) for i, p in enumerate(problems)]
    samples += [Sample(p.task_id, 1, 40 + i, p.prompt + "    return None\n") for i, p in enumerate(problems)]
    results = judged(executor, samples, {p.task_id: p for p in problems}, Limits(cpu_seconds=3, wall_seconds=10))
    assert all(r.status is Status.PASSED for r in results[:40]), [(r.task_id, r.error) for r in results[:40] if not r.passed]
    assert not any(r.passed for r in results[40:])
    assert {r.isolation for r in results} == {executor.level} and executor.level.startswith(("linux-", "weak"))


def test_misbehaving_samples_get_the_same_statuses(executor, humaneval):
    problem = humaneval.get("HumanEval/0")
    samples = [Sample(problem.task_id, i, i, problem.prompt + body) for i, (body, _) in enumerate(MISBEHAVING.values())]
    samples.append(Sample(problem.task_id, len(samples), len(samples), problem.reference))  # after them all, a pass
    results = judged(executor, samples, {problem.task_id: problem})
    for (name, (_, status)), execution in zip(MISBEHAVING.items(), results):
        if status is not None:
            assert execution.status is status, (name, execution)
    assert results[list(MISBEHAVING).index("kills its worker")].status is not Status.PASSED
    assert results[-1].status is Status.PASSED and results[-1].tests and all(t.passed for t in results[-1].tests)


def test_the_cpu_limit_applies_and_is_recorded(executor, humaneval):
    problem = humaneval.get("HumanEval/0")
    [execution] = judged(executor, [Sample(problem.task_id, 0, 0, problem.prompt + "    while True:\n        pass\n")],
                         {problem.task_id: problem}, Limits(cpu_seconds=0.5, wall_seconds=5.0))
    assert execution.status is Status.TIMEOUT and execution.limits.cpu_seconds == 0.5 and 0.4 < execution.cpu_time < 2.0


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed (nl2code toolchains install cpp)")
def test_a_staged_language_is_judged_alike(executor):
    from test_languages import PROBLEM, PROGRAMS

    samples = [Sample("t/0", i, i, program) for i, (program, _, _) in enumerate(PROGRAMS.values())]
    results = judged(executor, samples, {"t/0": PROBLEM}, Limits(cpu_seconds=1, wall_seconds=20))
    assert [r.status for r in results] == [status for _, status, _ in PROGRAMS.values()]


def test_a_wrong_value_too_large_to_print_fails_the_sample_not_the_run(executor, humaneval):
    # one of CodeGen-16B's 16,400 HumanEval samples returned an int of more than 4,300 digits:
    # repr() of it raised in the judge and stopped the whole evaluation
    problem = humaneval.get("HumanEval/55")
    samples = [Sample(problem.task_id, 0, 0, problem.prompt + "    return 10 ** 5000\n"), Sample(problem.task_id, 1, 1, problem.reference)]
    results = judged(executor, samples, {problem.task_id: problem})
    assert results[0].status is Status.FAILED and "too large to show" in results[0].error
    assert results[1].status is Status.PASSED
