"""APPS metrics (Hendrycks et al. 2021): test-case average and strict accuracy."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping

from ..records import Execution, Status

log = logging.getLogger(__name__)

# Only these statuses mean every test ran to a verdict; anything else scores 0 tests passed.
_FINISHED = (Status.PASSED, Status.FAILED)


def test_case_average(
    executions: Iterable[Execution], *, n_tests: Mapping[str, int] | None = None
) -> float | None:
    """Mean over problems of the mean over that problem's samples of passed tests / tests.

    A sample that did not finish its tests (compile error, timeout, crash, oom, ...) counts
    0 tests passed, as APPS scores compile errors and timeouts. The denominator is the
    problem's number of test cases: n_tests[task_id] where given (prefer it: an engine that
    stops at the first failing test records fewer outcomes), else the most outcomes any
    sample of the problem recorded (a problem none of whose samples got that far scores 0).
    Problems with no test case are left out (warning); None when no problem has one.
    """
    by_problem = _group(executions)
    per_problem: list[float] = []
    skipped = 0
    for task_id, group in by_problem.items():
        total = _n_tests(task_id, group, n_tests)
        if total == 0 and any(e.status in _FINISHED for e in group):
            skipped += 1  # a sample ran every test and there were none
            continue
        if total == 0:  # no sample got far enough to report its tests: all score 0
            per_problem.append(0.0)
            continue
        passed = sum(e.tests_passed for e in group if e.status in _FINISHED)
        per_problem.append(passed / (total * len(group)))
    if skipped:
        log.warning("test-case average: %d problems have no test cases and are left out", skipped)
    return sum(per_problem) / len(per_problem) if per_problem else None


# pytest would collect a module-level name starting with "test" wherever it is imported.
test_case_average.__test__ = False  # type: ignore[attr-defined]


def _n_tests(task_id: str, group: list[Execution], n_tests: Mapping[str, int] | None) -> int:
    recorded = max(len(e.tests) for e in group)
    if n_tests is None or task_id not in n_tests:
        return recorded
    if recorded > n_tests[task_id]:
        raise ValueError(
            f"problem {task_id!r}: a sample recorded {recorded} test outcomes "
            f"but n_tests says the problem has {n_tests[task_id]}"
        )
    return n_tests[task_id]


def strict_accuracy(executions: Iterable[Execution]) -> float | None:
    """Mean over problems of the fraction of that problem's samples that pass every test.

    APPS's strict accuracy counts a problem solved when its sample passes all test cases;
    with several samples per problem we average over samples, as the APPS evaluation does
    (so with one sample per problem it is the plain fraction solved, and in general it
    equals pass@1). None when there are no executions.
    """
    by_problem = _group(executions)
    if not by_problem:
        return None
    fractions = [sum(e.passed for e in group) / len(group) for group in by_problem.values()]
    return sum(fractions) / len(fractions)


def _group(executions: Iterable[Execution]) -> dict[str, list[Execution]]:
    groups: dict[str, list[Execution]] = defaultdict(list)
    for execution in executions:
        groups[execution.task_id].append(execution)
    return groups
