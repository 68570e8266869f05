"""The execution engine: verdicts decided by the driver, limits enforced from outside."""

from __future__ import annotations

import sys
import time

import pytest

from helpers import MBPP
from nl2code import benchmarks
from nl2code.execution import run_samples
from nl2code.records import Comparison, Limits, Problem, Sample, Status, StepKind
from nl2code.records import TestStep as Step  # not "Test*": pytest would try to collect it


FAST = Limits(cpu_seconds=1.0, wall_seconds=3.0)


@pytest.fixture(scope="module")
def humaneval():
    return benchmarks.load("humaneval")


def judge_one(bench, completion: str, task: str = "HumanEval/0", limits: Limits = FAST, isolation: str = "auto", workers: int = 1):
    problem = bench.get(task)
    [execution] = run_samples(bench.by_id, [Sample(problem.task_id, 0, 0, problem.prompt + completion)], limits, workers=workers, isolation=isolation)
    return execution


def canonical(bench, task="HumanEval/0"):
    p = bench.get(task)
    return p.reference[len(p.prompt):]


def test_reference_solutions_pass_and_return_none_fails(humaneval):
    samples = [Sample(p.task_id, 0, i, p.reference) for i, p in enumerate(humaneval.problems)]
    samples += [Sample(p.task_id, 1, len(samples) + i, p.prompt + "    return None\n") for i, p in enumerate(humaneval.problems)]
    results = run_samples(humaneval.by_id, samples, Limits(cpu_seconds=3, wall_seconds=10))
    assert [r.index for r in results] == list(range(len(samples)))
    assert all(r.status is Status.PASSED for r in results[:164]), [(r.task_id, r.error) for r in results[:164] if not r.passed]
    assert not any(r.passed for r in results[164:])


@pytest.mark.parametrize("isolation", ["auto", "weak"])
@pytest.mark.parametrize(
    ("completion", "status"),
    [
        ("    while True:\n        pass\n", Status.TIMEOUT),
        ("    import time\n    time.sleep(60)\n", Status.TIMEOUT),
        ("    return (\n", Status.COMPILE_ERROR),
        ("    import os, signal\n    os.kill(os.getpid(), signal.SIGSEGV)\n", Status.CRASHED),
        ("    x = bytearray(6 * 1024 ** 3)\n    return True\n", Status.OOM),
        ("    print('x' * 1000, end='', flush=True)\n    while True:\n        print('y' * 100000, flush=True)\n", Status.OUTPUT_LIMIT),
        ("    import os\n    os._exit(0)\n", Status.NO_RESULT),
        ("    raise ValueError('boom')\n", Status.FAILED),
        ("    return input()\n", Status.FAILED),
    ],
    ids=["endless_loop", "long_sleep", "syntax_error", "segfault", "6gib_allocation", "stdout_flood", "os_exit_0", "exception", "input_reads_dev_null"],
)
def test_status_of_misbehaving_samples(humaneval, completion, status, isolation):
    started = time.monotonic()
    execution = judge_one(humaneval, completion, isolation=isolation)
    assert execution.status is status, execution
    assert time.monotonic() - started < 15


def test_sys_exit_zero_before_the_tests_is_not_a_pass(humaneval):
    program_exit = humaneval.get("HumanEval/0").prompt + "    return True\nimport sys\nsys.exit(0)\n"
    [execution] = run_samples(humaneval.by_id, [Sample("HumanEval/0", 0, 0, program_exit)], FAST, workers=1)
    assert execution.status is Status.FAILED and "SystemExit" in execution.error


def test_an_always_equal_object_fails_protected_tests(humaneval):
    completion = "    class AlwaysEqual:\n        def __eq__(self, other):\n            return True\n        __hash__ = None\n    return AlwaysEqual()\n"
    execution = judge_one(humaneval, completion)
    assert execution.status is Status.FAILED
    assert all(t.protected and not t.passed for t in execution.tests)


def test_an_int_subclass_is_not_a_plain_value(humaneval):
    completion = "    class Liar(int):\n        def __eq__(self, other):\n            return True\n    return Liar(0)\n"
    execution = judge_one(humaneval, completion, task="HumanEval/13")
    assert execution.status is Status.FAILED and "not a plain builtin value" in execution.error


def test_a_counter_equals_a_dict_as_it_does_in_python(tmp_path):
    bench = benchmarks.load("mbpp", MBPP)
    problem = bench.get(40)  # expects a dict; the reference returns collections.Counter
    [execution] = run_samples(bench.by_id, [Sample(problem.task_id, 0, 0, problem.reference)], FAST, workers=1)
    assert execution.status is Status.PASSED


def test_per_test_outcomes_are_kept_and_failures_do_not_stop_later_tests(humaneval):
    # HumanEval/13 greatest_common_divisor: a wrong answer for most inputs but right for (3, 7)
    execution = judge_one(humaneval, "    return 1\n", task="HumanEval/13")
    assert execution.status is Status.FAILED
    outcomes = [t.passed for t in execution.tests]
    assert len(outcomes) == humaneval.get("HumanEval/13").n_tests
    assert True in outcomes and False in outcomes


def test_a_daemon_started_by_a_sample_is_killed_and_the_correct_answer_still_passes(humaneval, tmp_path):
    marker = tmp_path / "daemon-alive"
    daemon = (
        "    import os, time\n"
        "    if os.fork() == 0:\n"
        "        os.setsid()\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(1.5)\n"
        f"            open({str(marker)!r}, 'w').write('still here')\n"
        "        os._exit(0)\n"
    )
    execution = judge_one(humaneval, daemon + canonical(humaneval), isolation="weak")
    assert execution.status is Status.PASSED
    time.sleep(2.5)
    assert not marker.exists()


def test_the_cpu_limit_applies_and_is_recorded(humaneval):
    limits = Limits(cpu_seconds=1.0, wall_seconds=30.0)
    execution = judge_one(humaneval, "    while True:\n        pass\n", limits=limits)
    assert execution.status is Status.TIMEOUT
    # rusage can read under the limit when SIGXCPU lands (tick accounting on a loaded machine)
    assert 0.5 <= execution.cpu_time <= 3.0 and execution.duration < 10
    assert execution.limits == limits


def test_a_sample_that_kills_its_worker_does_not_stop_the_evaluation(humaneval):
    problem = humaneval.get("HumanEval/0")
    killer = problem.prompt + "    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n"
    samples = [Sample(problem.task_id, 0, 0, killer), Sample(problem.task_id, 1, 1, problem.reference)]
    results = run_samples(humaneval.by_id, samples, FAST, workers=1, isolation="weak")
    assert results[0].status is not Status.PASSED
    assert results[1].status is Status.PASSED


def test_prompt_examples_filter_but_never_decide_the_verdict(humaneval):
    problem = next(p for p in humaneval.problems if p.n_examples)
    wrong_examples = judge_one(humaneval, canonical(humaneval, problem.task_id), task=problem.task_id)
    assert wrong_examples.status is Status.PASSED and wrong_examples.examples_passed is True
    assert len(wrong_examples.tests) == problem.n_tests  # examples are not test cases
    none = judge_one(humaneval, "    return None\n", task=problem.task_id)
    assert none.examples_passed is False and none.status is not Status.PASSED


@pytest.mark.parametrize("isolation", ["auto", "weak"])
def test_a_sample_may_start_a_few_helper_processes(humaneval, isolation):
    helpers = (
        "    import subprocess, sys, multiprocessing\n"
        "    subprocess.run(['true'], check=True)\n"
        "    procs = [multiprocessing.Process(target=sum, args=([1, 2],)) for _ in range(4)]\n"
        "    [p.start() for p in procs]\n"
        "    [p.join() for p in procs]\n"
        "    assert all(p.exitcode == 0 for p in procs)\n"
    )
    execution = judge_one(humaneval, helpers + canonical(humaneval), isolation=isolation, limits=Limits(cpu_seconds=3, wall_seconds=10))
    assert execution.status is Status.PASSED, execution.error


def test_random_is_seeded_from_the_program_so_verdicts_are_reproducible(humaneval):
    problem = humaneval.get("HumanEval/0")
    body = (
        "    import random, threading\n"
        "    box = []\n"
        "    t = threading.Thread(target=lambda: box.append(random.random()))\n"
        "    t.start(); t.join()\n"
        "    print(repr(box[0]), flush=True)\n"
        "    random.seed(12345)  # a sample's own reseeding must not reach the next sample\n"
    )
    program = problem.prompt + body + canonical(humaneval)
    other = program.replace("    box = []", "    box = []  # another program")
    samples = [Sample(problem.task_id, i, i, p) for i, p in enumerate([program, program, other, program, other])]
    results = run_samples(humaneval.by_id, samples, FAST, workers=2)
    assert all(r.status is Status.PASSED for r in results), [r.error for r in results]
    printed = [r.stdout_tail.split("\n")[0] for r in results]
    assert printed[0] == printed[1] == printed[3] and printed[2] == printed[4], printed  # same program, same draws
    assert printed[0] != printed[2], printed  # another program, other draws
    again = run_samples(humaneval.by_id, samples[:1], FAST, workers=1)
    assert again[0].stdout_tail.split("\n")[0] == printed[0]  # and in another pool


def _problem(steps: tuple[Step, ...]) -> Problem:
    return Problem(benchmark="channel", version="1", data_sha256="0" * 64, task_id="C", prompt="", entry_point="f",
                   test="", reference="", steps=steps)


@pytest.mark.parametrize("isolation", ["auto", "weak"])
def test_reports_too_large_for_the_shared_area_come_through_the_pipe_in_order(isolation):
    from nl2code.execution._worker import AREA_BYTES

    big = list(range(AREA_BYTES // 4))  # marshalled: about 5 bytes an int, more than the area holds
    steps = (
        Step(StepKind.COMPARE, "f(1)", Comparison.EQUAL, 1),
        Step(StepKind.COMPARE, f"f({len(big)})", Comparison.EQUAL, big),
        Step(StepKind.ASSERT, "assert f(2) == 2"),
        Step(StepKind.COMPARE, "f(3)", Comparison.EQUAL, 3),
    )
    problem = _problem(steps)
    program = "def f(n):\n    return n if n < 10 else list(range(n))\n"
    wrong = "def f(n):\n    return n if n < 10 else list(range(n - 1))\n"
    results = run_samples({"C": problem}, [Sample("C", 0, 0, program), Sample("C", 1, 1, wrong)], FAST, workers=1, isolation=isolation)
    assert results[0].status is Status.PASSED, results[0].error
    assert [t.passed for t in results[0].tests] == [True, True, True, True]
    assert [t.passed for t in results[1].tests] == [True, False, True, True]


def test_reports_written_before_a_sample_is_killed_are_kept():
    steps = (
        Step(StepKind.COMPARE, "f(1)", Comparison.EQUAL, 1),
        Step(StepKind.ASSERT, "assert f(2) == 2"),
        Step(StepKind.COMPARE, "f(3)", Comparison.EQUAL, 3),
    )
    program = "import os, time\ndef f(n):\n    if n == 3:\n        time.sleep(60)\n    return n\n"
    crash = "import os\ndef f(n):\n    if n == 3:\n        os.kill(os.getpid(), 9)\n    return n\n"
    results = run_samples({"C": _problem(steps)}, [Sample("C", 0, 0, program), Sample("C", 1, 1, crash)],
                          Limits(cpu_seconds=1.0, wall_seconds=1.5), workers=1)
    assert results[0].status is Status.TIMEOUT
    assert results[1].status is Status.CRASHED
    for result in results:
        assert [t.passed for t in result.tests] == [True, True, False]


def test_a_sample_that_overflowed_the_shared_area_and_then_hangs_times_out():
    from nl2code.execution._worker import AREA_BYTES

    big = list(range(AREA_BYTES // 4))
    steps = (
        Step(StepKind.COMPARE, f"f({len(big)})", Comparison.EQUAL, big),  # through the pipe
        Step(StepKind.COMPARE, "f(3)", Comparison.EQUAL, 3),
    )
    program = "import time\ndef f(n):\n    if n == 3:\n        time.sleep(60)\n    return list(range(n))\n"
    [result] = run_samples({"C": _problem(steps)}, [Sample("C", 0, 0, program)], Limits(cpu_seconds=1.0, wall_seconds=1.5), workers=1)
    assert result.status is Status.TIMEOUT, (result.status, result.error)
    assert [t.passed for t in result.tests] == [True, False]


@pytest.mark.parametrize("isolation", ["auto", "weak"])
def test_the_next_sample_starts_in_an_empty_directory(isolation):
    steps = (Step(StepKind.COMPARE, "f()", Comparison.EQUAL, []),)
    leaves = (
        "import os\nos.makedirs('locked/inner')\nopen('locked/inner/x', 'w').write('x')\nopen('y', 'w').write('y')\n"
        "os.chmod('locked/inner', 0)\nos.chmod('locked', 0)\ndef f():\n    return []\n"
    )
    looks = "import os\ndef f():\n    return sorted(os.listdir('.')) + sorted(os.listdir(os.environ['HOME']))\n"
    results = run_samples({"C": _problem(steps)}, [Sample("C", 0, 0, leaves), Sample("C", 1, 1, looks)], FAST, workers=1, isolation=isolation)
    assert [r.status for r in results] == [Status.PASSED, Status.PASSED], [r.error for r in results]


def _stop_workers(pool, until: float, stopped: list, only_first: bool) -> None:
    """SIGSTOP worker processes of `pool` that hold a job (a wedged worker): the first one, or
    every one that appears before `until` (then the retry hangs too)."""
    import os
    import signal as sig

    while time.monotonic() < until and not (only_first and stopped):
        for worker in list(pool.workers):
            if worker.proc.pid not in stopped and worker.in_flight:
                os.kill(worker.proc.pid, sig.SIGSTOP)
                stopped.append(worker.proc.pid)
        time.sleep(0.02)


@pytest.mark.parametrize("stop_retry", [False, True])
def test_the_watchdog_replaces_a_worker_that_stops_answering_and_retries_its_sample_once(humaneval, stop_retry):
    import threading

    from nl2code.execution import ExecutionPool, execute

    problem = humaneval.get("HumanEval/0")
    slow = problem.prompt + "    import time; time.sleep(0.5)\n" + canonical(humaneval)
    samples = [Sample(problem.task_id, 0, 0, slow), Sample(problem.task_id, 1, 1, problem.reference)]
    stopped: list[int] = []
    with ExecutionPool(workers=1, watchdog_grace=1.0) as pool:
        first = pool.workers[0].proc.pid
        watcher = threading.Thread(target=_stop_workers, args=(pool, time.monotonic() + 30, stopped, not stop_retry), daemon=True)
        watcher.start()
        started = time.monotonic()
        results = sorted(execute(pool, humaneval.by_id, samples, lambda _p: Limits(cpu_seconds=3, wall_seconds=6)), key=lambda e: e.index)
        elapsed = time.monotonic() - started
        assert pool.hangs >= 1 and first in stopped and pool.workers[0].proc.pid != first
    if stop_retry:
        assert results[0].status is Status.CRASHED and "stopped answering" in results[0].error
    else:
        assert [r.status for r in results] == [Status.PASSED, Status.PASSED], [r.error for r in results]
    assert elapsed < 90  # never hangs the run: each stop costs the job's limits x 1.5 + the grace


@pytest.mark.timeout(180)
@pytest.mark.parametrize("stop_retry", [False, True])
def test_a_worker_stopped_while_the_driver_sends_it_a_large_job_is_replaced(humaneval, stop_retry):
    """The driver writes a job larger than the pipe to a worker that takes nothing (SIGSTOPped
    before the job arrives): the driver must not block on the write; the watchdog replaces the
    worker and the job is retried once, then reported (a hang fails through the timeout)."""
    import os
    import signal as sig
    import threading

    from nl2code.execution import ExecutionPool, execute

    problem = humaneval.get("HumanEval/0")
    large = problem.prompt + canonical(humaneval) + "\n_PADDING = " + repr("x" * 1_000_000) + "\n"
    samples = [Sample(problem.task_id, 0, 0, large), Sample(problem.task_id, 1, 1, problem.reference)]
    stopped: list[int] = []
    with ExecutionPool(workers=1, watchdog_grace=1.0) as pool:
        first = pool.workers[0].proc.pid
        os.kill(first, sig.SIGSTOP)
        stopped.append(first)
        if stop_retry:  # every later worker stops as soon as it is given a job
            threading.Thread(target=_stop_workers, args=(pool, time.monotonic() + 60, stopped, False), daemon=True).start()
        started = time.monotonic()
        results = sorted(execute(pool, humaneval.by_id, samples, lambda _p: Limits(cpu_seconds=1, wall_seconds=2)), key=lambda e: e.index)
        elapsed = time.monotonic() - started
        assert pool.hangs >= 1 and pool.workers[0].proc.pid != first
    if stop_retry:
        assert results[0].status is Status.CRASHED and "stopped answering" in results[0].error, results[0]
    else:
        assert [r.status for r in results] == [Status.PASSED, Status.PASSED], [r.error for r in results]
    assert elapsed < 120


@pytest.mark.timeout(180)
def test_a_worker_stopped_in_the_middle_of_a_large_result_is_replaced(humaneval):
    """A worker SIGSTOPped while it writes a result larger than the pipe leaves the driver with
    half a message: the driver must not wait for the rest without a bound; the watchdog replaces
    the worker and the sample is retried (and passes on the fresh worker)."""
    import os
    import signal as sig
    import threading

    from nl2code.execution import ExecutionPool, execute

    steps = (Step(StepKind.COMPARE, "f()", Comparison.EQUAL, "y" * 40_000_000),)
    program = "def f():\n    return 'y' * 40_000_000\n"
    stopped: list[int] = []
    interval = sys.getswitchinterval()
    with ExecutionPool(workers=1, watchdog_grace=1.0) as pool:
        first = pool.workers[0]

        def stop_mid_message() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not stopped:
                if first.buffer and not first.has_message():
                    os.kill(first.proc.pid, sig.SIGSTOP)
                    stopped.append(first.proc.pid)
                time.sleep(0.0002)

        sys.setswitchinterval(0.0001)
        try:
            threading.Thread(target=stop_mid_message, daemon=True).start()
            results = list(execute(pool, {"C": _problem(steps)}, [Sample("C", 0, 0, program)], lambda _p: Limits(cpu_seconds=3, wall_seconds=4)))
        finally:
            sys.setswitchinterval(interval)
        assert stopped == [first.proc.pid], "the worker was not caught in the middle of its message"
        assert pool.hangs == 1 and pool.workers[0] is not first
    assert [r.status for r in results] == [Status.PASSED], [r.error for r in results]


def test_large_problems_and_large_results_do_not_deadlock_the_pool():
    """The driver sends problems larger than a pipe while workers send results larger than a
    pipe (HumanEval+: inputs of 200 KB, outputs of MBs): neither may wait for the other. Run in
    a subprocess so that a deadlock fails the test instead of hanging the suite."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        from nl2code.execution import run_samples
        from nl2code.records import Comparison, Limits, Problem, Sample, Status, StepKind, TestStep
        problems = {}
        for n in range(12):
            prelude = "DATA = " + repr(str(n) * 400_000)
            steps = tuple(TestStep(StepKind.COMPARE, f"f({i})", Comparison.EQUAL, "y" * 300_000) for i in range(3))
            problems[str(n)] = Problem(benchmark="big", version="1", data_sha256="0" * 64, task_id=str(n), prompt="",
                                       entry_point="f", test="", reference="", test_prelude=prelude, steps=steps)
        samples = [Sample(t, 0, i, "def f(i):\\n    return 'y' * 300_000\\n") for i, t in enumerate(problems)]
        done = run_samples(problems, samples, Limits(cpu_seconds=20, wall_seconds=60), workers=2)
        assert [e.status for e in done] == [Status.PASSED] * 12, [e.error for e in done]
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


def _raised(source: str) -> BaseException:
    try:
        exec(source, {"__name__": "__main__"})
    except BaseException as exc:  # noqa: BLE001 - the exception is the test's subject
        return exc
    raise AssertionError(f"{source!r} raised nothing")


@pytest.mark.parametrize("source", [
    "[][1]", "{}['k']", "1 / 0", "undefined_name", "assert False", "assert 1 == 2, 'a message'", "raise SystemExit",
    "raise SystemExit(3)", "raise KeyboardInterrupt", "import json; json.loads('{')", "raise ValueError('  padded \\n  ')",
    "raise ValueError('x' * 2000)", "class E(Exception):\n    pass\nraise E('mine')", "class E(Exception):\n    __module__ = 5\nraise E()",
    "class E(Exception):\n    def __str__(self):\n        raise RuntimeError\nraise E('no')", "raise ValueError('')",
    "import collections; collections.OrderedDict().popitem()", "def f(): f()\nf()", "raise ExceptionGroup('g', [ValueError(1)])",
    "e = ValueError('noted'); e.add_note('a note'); raise e", "1 +", "def f(:\n    pass", "\tx = 1", "exec('1 +')",
])
def test_a_childs_error_line_is_the_one_traceback_writes(source):
    """The child writes an exception's last line itself (the traceback module costs a failing
    sample a third of its time): it must be what traceback.format_exception_only writes."""
    import traceback

    from nl2code.execution import _child

    if source in ("1 +", "def f(:\n    pass", "\tx = 1"):
        try:
            compile(source, "<sample>", "exec")
        except SyntaxError as exc:
            error = exc
    else:
        error = _raised(source)
    expected = "".join(traceback.format_exception_only(type(error), error)).strip()[-500:]
    assert _child._short(error) == expected


def test_a_failing_samples_error_names_the_exception(humaneval):
    result = judge_one(humaneval, "    import json\n    return json.loads('{')\n")
    assert result.status is Status.FAILED
    assert "json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)" in result.error, result.error


@pytest.mark.parametrize("isolation", ["auto", "weak"])
def test_a_cpu_limit_below_a_second_is_enforced(isolation):
    """RLIMIT_CPU counts whole seconds: a 0.3 s limit would be 1 s. The worker stops the child
    at the limit itself: a busy loop times out after about 0.3 s of CPU, work that needs less
    passes, and time spent sleeping (no CPU) does not count."""
    steps = (Step(StepKind.COMPARE, "f()", Comparison.EQUAL, 1),)
    spin = "def f():\n    while True:\n        pass\n"
    light = "def f():\n    sum(range(200_000))\n    return 1\n"
    sleeper = "import time\ndef f():\n    time.sleep(0.8)\n    return 1\n"
    samples = [Sample("C", i, i, program) for i, program in enumerate((spin, light, sleeper))]
    results = run_samples({"C": _problem(steps)}, samples, Limits(cpu_seconds=0.3, wall_seconds=30.0), workers=1, isolation=isolation)
    assert [r.status for r in results] == [Status.TIMEOUT, Status.PASSED, Status.PASSED], [r.error for r in results]
    assert results[0].error == "CPU time limit"
    assert 0.3 <= results[0].cpu_time < 0.7, results[0].cpu_time
