"""The summary block of one evaluation: pass@k with intervals, status counts, APPS metrics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..records import Execution, Status
from ._apps import strict_accuracy, test_case_average
from ._pass_at_k import pass_at_k_table


def status_counts(executions: Iterable[Execution]) -> dict[str, int]:
    """Executions per status, every Status present (zeros included), in the enum's order."""
    counted = Counter(e.status for e in executions)
    return {status.value: counted.get(status, 0) for status in Status}


def default_ks(max_n: int) -> list[int]:
    """k = 1, plus 10 and 100 where the largest number of samples per problem allows."""
    return [k for k in (1, 10, 100) if k == 1 or k <= max_n]


def correct_counts(executions: Iterable[Execution]) -> dict[str, tuple[int, int]]:
    """task_id -> (samples, passed samples); raises on a sample counted twice."""
    seen: set[tuple[str, int]] = set()
    totals: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for e in executions:
        key = (e.task_id, e.sample_id)
        if key in seen:
            raise ValueError(f"sample {e.sample_id} of problem {e.task_id!r} appears twice")
        seen.add(key)
        totals[e.task_id] += 1
        if e.status is Status.PASSED:
            passed[e.task_id] += 1
    return {task_id: (n, passed[task_id]) for task_id, n in totals.items()}


def base_passed(execution: Execution, n_base: int) -> bool:
    """Whether a sample passed the first `n_base` tests, EvalPlus's "base" (the original
    benchmark's inputs): its verdict on those, whatever happened on the added inputs after them
    (a failure, or the limits stopping it there), as a run on the base inputs alone gives it. A
    sandbox error judged nothing."""
    if execution.status is Status.PASSED:
        return True
    if execution.status is Status.SANDBOX_ERROR or len(execution.tests) < n_base:
        return False
    return all(t.passed for t in execution.tests[:n_base])


def base_counts(executions: Iterable[Execution], base_tests: Mapping[str, int]) -> dict[str, tuple[int, int]]:
    """task_id -> (samples, samples that passed the base tests), for the problems with a base
    split (`Problem.base_tests`); the others are left out."""
    counts: dict[str, list[int]] = {}
    for e in executions:
        n_base = base_tests.get(e.task_id, 0)
        if n_base:
            count = counts.setdefault(e.task_id, [0, 0])
            count[0] += 1
            count[1] += base_passed(e, n_base)
    return {task: (n, c) for task, (n, c) in counts.items()}


def summarize(
    executions: Iterable[Execution],
    ks: Sequence[int] | None = None,
    *,
    bootstrap: int = 1000,
    seed: int = 0,
    n_tests: Mapping[str, int] | None = None,
    base_tests: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The JSON-ready summary of a run's executions.

    Keys: pass_at_k {"pass@k": value or None}, pass_at_k_ci {"pass@k": [low, high] or None},
    status_counts, test_case_average, strict_accuracy, problems, samples, and notes (why
    some problems were left out of a pass@k). ks defaults to default_ks(largest n). With
    `base_tests` (task -> N, EvalPlus's base split): pass_at_k_base and pass_at_k_base_ci too.
    """
    executions = list(executions)
    counts = correct_counts(executions)
    if ks is None:
        ks = default_ks(max((n for n, _ in counts.values()), default=0))
    table = pass_at_k_table(counts, ks, bootstrap=bootstrap, seed=seed)
    base = {}
    if base_tests:
        # EvalPlus reports both: "base" (the original tests) and "plus" (base + extra), which is pass_at_k here
        base_table = pass_at_k_table(base_counts(executions, base_tests), ks, bootstrap=bootstrap, seed=seed)
        base = {"pass_at_k_base": {name: score.value for name, score in base_table.items()},
                "pass_at_k_base_ci": {name: _interval(score.ci_low, score.ci_high) for name, score in base_table.items()}}
    return {
        "pass_at_k": {name: score.value for name, score in table.items()},
        "pass_at_k_ci": {name: _interval(score.ci_low, score.ci_high) for name, score in table.items()},
        **base,
        "status_counts": status_counts(executions),
        "test_case_average": test_case_average(executions, n_tests=n_tests),
        "strict_accuracy": strict_accuracy(executions),
        "problems": len(counts),
        "samples": len(executions),
        "notes": [f"{name}: {score.note}" for name, score in table.items() if score.note],
    }


def _interval(low: float | None, high: float | None) -> list[float] | None:
    if low is None or high is None:
        return None
    return [low, high]
