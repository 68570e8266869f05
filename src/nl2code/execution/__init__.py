"""Execution of untrusted programs behind the executor contract (`executor.Executor`): a pool of
warm workers, a sandboxed child per sample (a process per stage for compiled languages), verdicts
decided by the trusted driver. `run_samples` is the one-call entry point."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from nl2code.execution.executor import Executor, LocalExecutor
from nl2code.execution.judge import judge
from nl2code.execution.pool import ExecutionPool, Job, default_workers
from nl2code.records import Execution, Limits, Problem, Sample

__all__ = ["Executor", "ExecutionPool", "Job", "LocalExecutor", "default_workers", "execute", "judge", "run_samples"]


class _LimitsOf(Mapping):
    """task id -> Limits, from a function of the problem (computed once per task)."""

    def __init__(self, problems: Mapping[str, Problem], limits_for: Callable[[Problem], Limits]) -> None:
        self.problems, self.limits_for, self.cache = problems, limits_for, {}

    def __getitem__(self, task_id: str) -> Limits:
        if task_id not in self.cache:
            self.cache[task_id] = self.limits_for(self.problems[task_id])
        return self.cache[task_id]

    def __iter__(self):
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)


def execute(
    pool: ExecutionPool,
    problems: Mapping[str, Problem],
    samples: Iterable[Sample],
    limits_for: Callable[[Problem], Limits],
) -> Iterator[Execution]:
    """Judge samples on a started pool; yields executions in completion order."""
    from nl2code.execution._jobs import execute_on_pool

    return execute_on_pool(pool, samples, problems, _LimitsOf(problems, limits_for))


def run_samples(
    problems: Mapping[str, Problem],
    samples: Iterable[Sample],
    limits: Limits | Callable[[Problem], Limits] = Limits(),
    *,
    workers: int | None = None,
    isolation: str = "auto",
) -> list[Execution]:
    """Run samples to completion on this machine and return their executions in input order."""
    limits_for = limits if callable(limits) else (lambda _p: limits)
    with LocalExecutor(workers=workers, isolation=isolation) as executor:
        results = list(executor.execute(samples, problems, _LimitsOf(problems, limits_for)))
    return sorted(results, key=lambda e: e.index)
