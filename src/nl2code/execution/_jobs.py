"""Samples to pool jobs and raw results to verdicts: the driver side of `LocalExecutor`."""

from __future__ import annotations

import secrets
import signal
from collections.abc import Iterable, Iterator, Mapping

from nl2code.execution.judge import judge
from nl2code.execution.pool import ExecutionPool, Job, child_program
from nl2code.records import Execution, Limits, Problem, Sample, Status


def make_job(sample: Sample, problem: Problem, limits: Limits) -> Job:
    """Python samples run the fork-server's step protocol; other languages become an ExecSpec
    with a fresh end marker per sample."""
    if problem.language in ("python", ""):
        return Job(sample.index, problem, child_program(problem, sample.program), limits)
    from nl2code.execution import languages

    language = languages.get(problem.language)
    if not language.staged:
        return Job(sample.index, problem, sample.program, limits)
    marker = f"nl2code-end-{secrets.token_hex(12)}"
    return Job(sample.index, problem, sample.program, limits, spec=language.spec(problem, sample.program, limits, marker))


def judge_job(job: Job, raw, sample: Sample, isolation: str) -> Execution:  # noqa: ANN001 - a RawResult
    if raw.bad_channel and not raw.messages and not raw.stages and raw.signal == signal.SIGKILL:
        # the pool's own report: the sample killed its worker, or the worker stopped answering, twice
        return Execution(task_id=sample.task_id, sample_id=sample.sample_id, index=sample.index, status=Status.CRASHED,
                         error=raw.bad_channel, isolation=isolation, limits=job.limits)
    if job.spec is None:
        return judge(job.problem, raw, job.limits, task_id=sample.task_id, sample_id=sample.sample_id, index=sample.index, isolation=isolation)
    from nl2code.execution import languages

    language = languages.get(job.problem.language)
    return language.judge(job.problem, raw.stages, raw.sandbox_error, job.spec, task_id=sample.task_id, sample_id=sample.sample_id,
                          index=sample.index, isolation=isolation, limits=job.limits)


def execute_on_pool(pool: ExecutionPool, samples: Iterable[Sample], problems: Mapping[str, Problem], limits: Mapping[str, Limits]) -> Iterator[Execution]:
    by_job: dict[int, Sample] = {}

    def jobs() -> Iterator[Job]:
        for sample in samples:
            by_job[sample.index] = sample
            problem = problems[sample.task_id]
            yield make_job(sample, problem, limits[sample.task_id])

    for job, raw in pool.imap(jobs()):
        yield judge_job(job, raw, by_job.pop(job.job_id), pool.level)
