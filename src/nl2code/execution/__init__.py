"""Execution of untrusted programs: a pool of warm workers, a child per sample, verdicts decided
by the trusted driver. `run_samples` is the one-call entry point."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from nl2code.execution.judge import judge
from nl2code.execution.pool import ExecutionPool, Job, default_workers
from nl2code.records import Execution, Limits, Problem, Sample

__all__ = ["ExecutionPool", "Job", "default_workers", "execute", "judge", "run_samples"]


def execute(
    pool: ExecutionPool,
    problems: Mapping[str, Problem],
    samples: Iterable[Sample],
    limits_for: Callable[[Problem], Limits],
) -> Iterator[Execution]:
    """Judge samples on a started pool; yields executions in completion order."""
    by_job: dict[int, Sample] = {}

    def jobs() -> Iterator[Job]:
        for sample in samples:
            by_job[sample.index] = sample
            problem = problems[sample.task_id]
            yield Job(sample.index, problem, sample.program, limits_for(problem))

    for job, raw in pool.imap(jobs()):
        sample = by_job.pop(job.job_id)
        yield judge(job.problem, raw, job.limits, task_id=sample.task_id, sample_id=sample.sample_id, index=sample.index, isolation=pool.level)


def run_samples(
    problems: Mapping[str, Problem],
    samples: Iterable[Sample],
    limits: Limits | Callable[[Problem], Limits] = Limits(),
    *,
    workers: int | None = None,
    isolation: str = "auto",
) -> list[Execution]:
    """Run samples to completion and return their executions in input order."""
    limits_for = limits if callable(limits) else (lambda _p: limits)
    with ExecutionPool(workers=workers, isolation=isolation) as pool:
        results = list(execute(pool, problems, samples, limits_for))
    return sorted(results, key=lambda e: e.index)
