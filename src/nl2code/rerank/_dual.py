"""Dual execution: every unique solution of a problem against every unique generated test, in the
sandbox. One child per solution runs all of that problem's tests, as a Problem whose steps are
the tests; the executor judges it like any sample (the child only reports, the driver decides).

Each test runs under its own CPU-time limit, as in CodeT (which allows 0.1 s of wall time per
test): a timer in the child raises in the test when it expires, the test fails and the next one
runs. CPU time rather than wall time, so that a loaded machine does not fail fast tests. As in
CodeT, an exception that is not an `Exception` (SystemExit, KeyboardInterrupt) ends the
solution's run, and a run that does not reach its end (killed at the overall limit, or exited)
passes no test at all. The last step is a sentinel that reports only when every test ran.
"""

from __future__ import annotations

from collections.abc import Sequence

from nl2code.records import Execution, Limits, Problem, StepKind, Status, TestStep

DEFAULT_TEST_SECONDS = 0.1  # CodeT's per-test limit

# Runs in the child after the solution; names are prefixed so that a solution's own names are left alone.
TEST_PRELUDE = """\
import os as _nl2code_os
import signal as _nl2code_signal


class _Nl2codeTestTimeout(Exception):
    pass


def _nl2code_expired(signum, frame):
    raise _Nl2codeTestTimeout("over the per-test time limit")


def _nl2code_timer(seconds):
    _nl2code_signal.setitimer(_nl2code_signal.ITIMER_PROF, seconds)


_nl2code_signal.signal(_nl2code_signal.SIGPROF, _nl2code_expired)
"""

SENTINEL = "pass"


def timed_test(test: str, seconds: float) -> str:
    """A test as a step: run under the per-test timer; an escaping non-Exception ends the run."""
    body = test.strip().replace("\n", "\n        ")  # continuation lines move with the block, as in CodeT
    return (
        "try:\n"
        f"    _nl2code_timer({seconds!r})\n"
        "    try:\n"
        f"        {body}\n"
        "    finally:\n"
        "        _nl2code_timer(0)\n"
        "except Exception:\n"
        "    raise\n"
        "except BaseException:\n"
        "    _nl2code_os._exit(101)\n"
    )


def problem_of_tests(benchmark: str, version: str, digest: str, task_id: str, entry_point: str, tests: Sequence[str], seconds: float) -> Problem:
    """The Problem a solution runs as: its steps are the generated tests, then the sentinel."""
    steps = tuple(TestStep(StepKind.ASSERT, timed_test(t, seconds)) for t in tests) + (TestStep(StepKind.ASSERT, SENTINEL),)
    return Problem(
        benchmark=f"{benchmark}+generated-tests", version=version, data_sha256=digest, task_id=task_id,
        prompt="", entry_point=entry_point, test="\n".join(tests), reference="", test_prelude=TEST_PRELUDE, steps=steps,
    )


def limits_for_tests(n_tests: int, seconds: float, memory_bytes: int = Limits().memory_bytes) -> Limits:
    """The overall limit of one solution's run: every test's share plus a second to load it."""
    cpu = round(seconds * (n_tests + 1) + 1.0, 3)
    return Limits(cpu_seconds=cpu, wall_seconds=round(2 * cpu + 5, 3), memory_bytes=memory_bytes)


def passed_tests(execution: Execution, tests: Sequence[str]) -> frozenset[str] | None:
    """The tests a solution passed, or None when its run did not finish (it then passes nothing,
    as in CodeT) or the executor failed."""
    outcomes = execution.tests
    if execution.status is Status.SANDBOX_ERROR or len(outcomes) != len(tests) + 1 or not outcomes[-1].passed:
        return None
    return frozenset(t for t, o in zip(tests, outcomes) if o.passed)
