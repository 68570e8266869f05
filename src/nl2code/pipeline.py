"""Evaluate samples on a benchmark, resumably: samples -> executions -> store -> summary.

The driver is the store's one writer; results are committed in batches, so an interrupted run
(Ctrl-C, kill -9) loses at most one batch, and the same command resumes where it stopped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import platform
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from nl2code import __version__
from nl2code import benchmarks as _benchmarks
from nl2code.benchmarks import PREIMPORTS, TEXT_SCORED, Benchmark
from nl2code.errors import ConfigError
from nl2code.execution.executor import Executor, LocalExecutor
from nl2code.execution._worker import DEFAULT_PREIMPORTS
from nl2code.execution.pool import default_workers
from nl2code.metrics import n_at_k, summarize
from nl2code.records import Execution, Limits, Problem, Sample, Status
from nl2code.samples import SampleFile
from nl2code.store import Store

log = logging.getLogger(__name__)

BATCH_SIZE = 256
BATCH_SECONDS = 1.0
REFERENCE_LIMITS = Limits(cpu_seconds=60.0, wall_seconds=120.0)


DEFAULT_TIMEOUT_FLOOR = 3.0
# Floors of the per-sample CPU limit chosen from measurement (bench/RESULTS.md, "Time limits from
# evidence"). HumanEval: a floor of 0.5 s, raised per problem by a table shipped with the package
# (PROBLEM_LIMIT_TABLES): 4x the slowest correct CodeGen-16B sample of that problem (CodeT's
# release, 16,400 samples, measured under load), or 4x the reference. Other benchmarks keep 3 s
# until measured. --timeout sets one floor for every problem instead.
TIMEOUT_FLOORS: dict[str, float] = {"humaneval": 0.5}
PROBLEM_LIMIT_TABLES: dict[str, str] = {"humaneval": "humaneval_cpu_limits.json"}
_tables: dict[str, tuple[str, dict[str, float]]] = {}


def problem_limit_table(benchmark: str) -> tuple[str, dict[str, float]] | None:
    """The benchmark's per-problem CPU floors (package data, with their evidence) and a label
    naming that table's content, for run fingerprints; None when it has none."""
    name = PROBLEM_LIMIT_TABLES.get(benchmark)
    if name is None:
        return None
    if benchmark not in _tables:
        import importlib.resources

        data = importlib.resources.files("nl2code.benchmarks").joinpath(name).read_bytes()
        table = json.loads(data)
        _tables[benchmark] = (f"{name}@{hashlib.sha256(data).hexdigest()[:12]}", {t: float(v) for t, v in table["limits"].items()})
    return _tables[benchmark]


@dataclass(frozen=True, slots=True)
class EvalSettings:
    """What an evaluation needs beyond its samples. Fields marked verdict-affecting are part of
    the run's fingerprint: change one and the evaluation is a new run."""

    benchmark: str
    dataset: str | None = None
    ks: tuple[int, ...] | None = None
    workers: int | None = None
    timeout: float | None = None  # verdict-affecting: the floor of the per-sample CPU limit (None: the benchmark's, see floor())
    time_factor: float = 4.0  # verdict-affecting: limit = max(timeout, factor * reference time)
    memory_mb: int = 4096  # verdict-affecting
    isolation: str = "auto"  # verdict-affecting
    model: str = ""
    bootstrap: int = 1000
    n_at_k: tuple[tuple[int, int], ...] = ()  # (n, k) pairs; filter: the prompt's examples
    dedupe: bool = True  # execute each distinct (problem, program) once; copies get its verdict
    executor: str = "local"  # where samples run: "local" (this machine's pool); see make_executor
    executor_options: tuple[tuple[str, str], ...] = ()  # e.g. (("address", "auto"),) for a cluster
    text_metrics: tuple[str, ...] = ()  # text-match metrics of each sample vs the reference (default: the benchmark's, if text-scored)
    text_lang: str = "python"  # CodeBLEU's language
    codebleu_fixed: bool = False  # CodeBLEU with the package's defects fixed

    @property
    def text_scored(self) -> bool:
        """A benchmark without tests: its samples are compared with the reference, never run."""
        return self.benchmark in TEXT_SCORED

    def text_metric_names(self) -> tuple[str, ...]:
        return self.text_metrics or TEXT_SCORED.get(self.benchmark, ())

    def floor(self) -> float:
        """The CPU-limit floor: --timeout, else the benchmark's floor chosen from measurement."""
        return self.timeout if self.timeout is not None else TIMEOUT_FLOORS.get(self.benchmark, DEFAULT_TIMEOUT_FLOOR)

    def problem_floors(self) -> tuple[str, dict[str, float]] | None:
        """Per-problem floors above floor(), from the benchmark's table; None with --timeout."""
        return None if self.timeout is not None else problem_limit_table(self.benchmark)

    def fingerprint_fields(self) -> dict:
        fields = {"timeout": self.floor(), "time_factor": self.time_factor, "memory_mb": self.memory_mb, "isolation": self.isolation}
        table = self.problem_floors()
        if table is not None:
            fields["timeout_table"] = table[0]
        return fields


@dataclass
class RunReport:
    run_id: str
    summary: dict
    executions: list[Execution]
    resumed: int
    executed: int
    run: dict = field(default_factory=dict)


EXECUTORS = ("local", "ray", "text")


def make_executor(executor: str = "local", *, workers: int | None = None, isolation: str = "auto",
                  preimports: tuple[str, ...] | None = None, options: dict | None = None) -> Executor:
    """Build an executor: the one place that does (CLI commands, evaluations, oracles, reranking
    all come here). `executor` is "local" (this machine's sandboxed fork-server pool) or "ray"
    (that pool on every node of a Ray cluster; option "address": HOST:PORT, "auto", or none for
    a Ray instance started on this machine; `workers` is then per node)."""
    if executor == "local":
        return LocalExecutor(workers=workers, isolation=isolation, preimports=preimports)
    if executor == "text":  # benchmarks without tests (CoNaLa): nothing runs, samples are scored by text match
        from nl2code.metrics.text import TextExecutor

        return TextExecutor()
    if executor == "ray":
        from nl2code.execution.ray_executor import RayExecutor

        return RayExecutor((options or {}).get("address"), workers=workers, isolation=isolation, preimports=preimports)
    raise ConfigError(f"unknown executor {executor!r} (--executor): use one of {', '.join(EXECUTORS)}")


def executor_for(settings: EvalSettings, benchmark_name: str | None = None) -> Executor:
    if (benchmark_name or settings.benchmark) in TEXT_SCORED:
        return make_executor("text")
    preimports = DEFAULT_PREIMPORTS + PREIMPORTS.get((benchmark_name or settings.benchmark).partition("@")[0], ())
    return make_executor(settings.executor, workers=settings.workers, isolation=settings.isolation,
                         preimports=preimports, options=dict(settings.executor_options))


def load_benchmark(name: str, dataset: str | os.PathLike | None = None, settings: EvalSettings | None = None) -> Benchmark:
    """Load a benchmark; where its expected outputs come from running its reference solutions
    (EvalPlus's differential testing), they are computed here, once per machine and data file,
    through the executor (and cached by the benchmark's module)."""

    timed: dict[str, float] = {}

    def oracle(problems, samples, limits):  # noqa: ANN001, ANN202 - benchmarks._oracle.Oracle
        chosen = settings or EvalSettings(benchmark=name)
        with executor_for(chosen, name) as executor:
            for execution in executor.execute(samples, problems, {task: limits for task in problems}):
                if execution.status is Status.PASSED:
                    timed[execution.task_id] = execution.cpu_time
                yield execution

    benchmark = _benchmarks.load(name, dataset, oracle=oracle)
    if timed:
        # the oracle ran every reference solution on every input: that is the reference time the
        # evaluation's limits need, so it is not measured again (a whole second pass over MBPP+)
        key = machine_key()
        known = {t: v for t, v in timed.items() if t in benchmark.by_id}
        _cache_reference_times(benchmark, key, {**_cached_reference_times(benchmark, key), **known})
    return benchmark


def machine_info() -> dict:
    return {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "cpus": default_workers(),
    }


def machine_key() -> str:
    return f"{platform.node()}|{platform.machine()}|{platform.python_version()}"


def run_spec(benchmark: Benchmark, samples: SampleFile, settings: EvalSettings, kind: str, generation: dict | None) -> dict:
    """Everything that defines a run, stored with it when it is created: what was judged (the
    benchmark's version and data hash, the samples file's hash), how (evaluation settings, the
    executor, each language's toolchain), and, for runs whose samples nl2code generated, how they
    were generated (backend, model, prompt style and template hash, sampling parameters, seed)."""
    from nl2code.execution import languages

    present = {benchmark.by_id[s.task_id].language or "python" for s in samples.samples if s.task_id in benchmark.by_id}
    toolchains = {}
    for name in sorted(present):
        try:
            toolchains[name] = languages.get(name).version()
        except Exception as exc:  # noqa: BLE001 - a record, never a reason to fail the run
            toolchains[name] = f"unknown ({exc})"
    return {
        "kind": kind,
        "benchmark": {"name": benchmark.name, "version": benchmark.version, "data_sha256": benchmark.data_sha256, "dataset": benchmark.source},
        "samples": {"path": os.path.abspath(samples.path), "sha256": samples.sha256, "format": samples.format, "count": len(samples.samples)},
        "evaluation": {
            "timeout_floor_s": settings.floor(), "timeout_table": (settings.problem_floors() or (None,))[0],
            "time_factor": settings.time_factor, "memory_mb": settings.memory_mb,
            "isolation": settings.isolation, "ks": list(settings.ks) if settings.ks else None,
            "n_at_k": [f"{n}@{k}" for n, k in settings.n_at_k], "workers": settings.workers or default_workers(), "bootstrap": settings.bootstrap,
            "dedupe": settings.dedupe,
        },
        "executor": {"name": "text" if settings.text_scored else settings.executor, "options": dict(settings.executor_options)},
        **({"text_metrics": {"metrics": list(settings.text_metric_names()), "lang": settings.text_lang, "codebleu_fixed": settings.codebleu_fixed}}
           if settings.text_metric_names() else {}),
        "languages": toolchains,
        "generation": generation,
        "model": settings.model,
        "nl2code_version": __version__,
    }


def fingerprint(benchmark: Benchmark, samples: SampleFile, settings: EvalSettings, kind: str, generation: dict | None = None) -> str:
    payload = {
        "kind": kind,
        "benchmark": benchmark.name,
        "version": benchmark.version,
        "data_sha256": benchmark.data_sha256,
        "samples_sha256": samples.sha256,
        "nl2code_version": __version__,
        "tests_sha256": tests_digest(benchmark),
        **settings.fingerprint_fields(),
        # runs generated by nl2code: other settings make another run even where outputs agree
        **({"generation": generation} if generation else {}),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


_digests: dict[int, tuple[Benchmark, str]] = {}


def tests_digest(benchmark: Benchmark) -> str:
    """A hash of how the benchmark's tests are run (steps, comparisons, tolerances): a change in
    the loader's test parsing makes a new run instead of mixing verdicts of two harnesses."""
    cached = _digests.get(id(benchmark))
    if cached is not None and cached[0] is benchmark:
        return cached[1]
    digest = hashlib.sha256()
    for p in benchmark.problems:
        digest.update(repr((p.task_id, p.setup, p.test_prelude, [(s.kind.value, s.source, s.comparison, s.tolerance, s.inclusive, s.example) for s in p.steps])).encode())
        if p.language != "python":  # staged languages run the test code itself (and python-program)
            digest.update(repr((p.language, p.test)).encode())
        if p.wall_seconds:  # only where set: other benchmarks keep their digests (and their runs)
            digest.update(repr(("wall", p.wall_seconds)).encode())
    _digests[id(benchmark)] = (benchmark, digest.hexdigest())
    return _digests[id(benchmark)][1]


def limits_for(settings: EvalSettings, reference_time: float | None, task_id: str | None = None, wall_floor: float = 0.0) -> Limits:
    """A problem's limits: CPU from the floor (the problem's own where a table has one) and the
    reference's CPU time; wall clock twice that plus 6 s, or the benchmark's own allowance for a
    whole sample (`Problem.wall_seconds`) where larger."""
    floor = settings.floor()
    table = settings.problem_floors()
    if table is not None and task_id is not None:
        floor = max(floor, table[1].get(task_id, floor))
    cpu = floor if reference_time is None else max(floor, settings.time_factor * reference_time)
    cpu = round(cpu, 3)
    # the wall clock only stops programs that sleep or block: generous, so that a loaded machine
    # (where a sample gets a small share of a core) does not turn CPU-bound work into timeouts
    wall = max(round(2 * cpu + 6, 3), wall_floor)
    return Limits(cpu_seconds=cpu, wall_seconds=wall, memory_bytes=settings.memory_mb * 1024 * 1024)


def reference_times(store: Store, benchmark: Benchmark, problems: Iterable[Problem], executor: Executor) -> dict[str, float]:
    """CPU seconds of each problem's reference solution on this machine, measured once and kept in
    the database and in the user's cache (so that a new database does not measure again)."""
    key = machine_key()
    known = store.reference_times(benchmark.name, benchmark.data_sha256, key)
    missing = [p for p in problems if p.task_id not in known and p.reference]  # most multilingual problems have none
    cached = _cached_reference_times(benchmark, key)
    if missing and cached:
        found = {p.task_id: cached[p.task_id] for p in missing if p.task_id in cached}
        store.save_reference_times(benchmark.name, benchmark.data_sha256, key, found)
        known.update(found)
        missing = [p for p in missing if p.task_id not in found]
    if missing:
        log.info("measuring %d reference solutions of %s", len(missing), benchmark.name)
        samples = [Sample(p.task_id, 0, i, p.reference) for i, p in enumerate(missing)]
        measured = {}
        for execution in executor.execute(samples, benchmark.by_id, {p.task_id: REFERENCE_LIMITS for p in missing}):
            if execution.status is Status.PASSED:
                measured[execution.task_id] = execution.cpu_time
            else:
                log.warning("reference solution of %s did not pass (%s: %s); its limit is the --timeout floor", execution.task_id, execution.status, execution.error)
        store.save_reference_times(benchmark.name, benchmark.data_sha256, key, measured)
        known.update(measured)
        _cache_reference_times(benchmark, key, {**cached, **measured})
    return known


def _reference_cache_path(benchmark: Benchmark):
    from nl2code.benchmarks._data import cache_dir

    return cache_dir().parent / "reference-times" / f"{benchmark.name}-{benchmark.data_sha256[:16]}.json"


def _cached_reference_times(benchmark: Benchmark, key: str) -> dict[str, float]:
    try:
        return json.loads(_reference_cache_path(benchmark).read_text()).get(key, {})
    except (OSError, ValueError, AttributeError):
        return {}


def _cache_reference_times(benchmark: Benchmark, key: str, times: dict[str, float]) -> None:
    path = _reference_cache_path(benchmark)
    try:
        data = json.loads(path.read_text()) if path.exists() else {}
        data[key] = times
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, path)
    except (OSError, ValueError) as exc:  # a cache only: never fail an evaluation over it
        log.debug("reference times not cached in %s: %s", path, exc)


def distinct_samples(samples: list[Sample]) -> tuple[list[Sample], dict[int, list[Sample]]]:
    """Samples with a distinct (task id, program), in order, and for each the later samples that
    are identical to it (by its index). Verdicts are reproducible (`random` is seeded from the
    program, the hash seed is fixed), so one execution stands for every copy."""
    first: dict[tuple[str, str], int] = {}
    unique: list[Sample] = []
    copies: dict[int, list[Sample]] = {}
    for sample in samples:
        key = (sample.task_id, sample.program)
        if key in first:
            copies.setdefault(first[key], []).append(sample)
        else:
            first[key] = sample.index
            unique.append(sample)
    return unique, copies


class _BatchWriter:
    def __init__(self, store: Store, run_id: str) -> None:
        self.store, self.run_id = store, run_id
        self.pending: list[tuple[Execution, Sample]] = []
        self.last = time.monotonic()

    def add(self, execution: Execution, sample: Sample) -> None:
        self.pending.append((execution, sample))
        if len(self.pending) >= BATCH_SIZE or time.monotonic() - self.last >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.store.add_executions(self.run_id, self.pending)
            self.pending = []
        self.last = time.monotonic()


def require_toolchains(problems: Iterable[Problem], settings: EvalSettings) -> None:
    """Refuse before a run is created when a language's toolchain is missing on this machine
    (every sample would otherwise be stored as a sandbox error). Only for the local executor: a
    Ray cluster's nodes have their own toolchains."""
    if settings.text_scored or settings.executor != "local":
        return
    from nl2code.execution import languages

    for name in sorted({p.language or "python" for p in problems}):
        language = languages.get(name)
        if language.staged and not language.available():
            raise ConfigError(f"{language.title} samples need {', '.join(language.missing())}, which is not on PATH here: "
                              f"{language.how_to_install()}")


def evaluate(
    samples: SampleFile,
    benchmark: Benchmark,
    settings: EvalSettings,
    store: Store,
    *,
    kind: str = "evaluate",
    command: str = "",
    on_progress: Callable[[int, int], None] | None = None,
    resume: bool = True,
    generation: dict | None = None,
    on_text_progress: Callable[[int, int], None] | None = None,
) -> RunReport:
    """Execute every sample not yet stored for this evaluation, then summarize the whole run.
    With resume=False a new run is always started (the self-check measures this machine now).
    `generation`: how nl2code generated the samples (`nl2code run`), stored in the run spec."""
    from nl2code.benchmarks.pycodegpt import require_libraries

    present = {s.task_id: benchmark.by_id[s.task_id] for s in samples.samples}
    require_toolchains(present.values(), settings)
    require_libraries(benchmark.name)  # before any run is stored: the tests import them
    fp = fingerprint(benchmark, samples, settings, kind, generation)
    run = store.find_run(fp) if resume else None
    by_index = {s.index: s for s in samples.samples}
    if run is None:
        run_id = store.create_run(
            kind=kind, fingerprint=fp, benchmark=benchmark.name, benchmark_version=benchmark.version,
            data_sha256=benchmark.data_sha256, dataset_path=benchmark.source, samples_path=os.path.abspath(samples.path),
            samples_sha256=samples.sha256, samples_format=samples.format, model=settings.model,
            n_samples=len(samples.samples), n_problems=len(present), nl2code_version=__version__,
            settings={**dataclasses.asdict(settings), "workers": settings.workers or default_workers()},
            machine=machine_info(), command=command or " ".join(sys.argv),
            spec=run_spec(benchmark, samples, settings, kind, generation),
        )
        done: set[int] = set()
    else:
        run_id = run["id"]
        if run.get("status") != "complete":
            store.claim_run(run_id)  # refused while another process still runs it
        done = store.done_indices(run_id)
        log.info("resuming run %s: %d of %d samples already judged", run_id, len(done), len(by_index))
    # problems that cannot run here (ODEX: a library that needs the network) are reported as
    # skipped with their reason: neither executed nor counted in any score
    skipped = {task: p.skip_reason for task, p in present.items() if p.skip_reason}
    todo = [s for s in samples.samples if s.index not in done and s.task_id not in skipped]
    total = sum(1 for s in samples.samples if s.task_id not in skipped)
    if on_progress:
        on_progress(len(done), total)
    isolation, placement = "", {}
    try:
        with store.keep_alive(run_id):
            if todo:
                isolation, placement = _execute(store, run_id, benchmark, settings, todo, by_index, present, len(done), total, on_progress)
            previous = ((run or {}).get("summary") or {}).get("text_metrics") or {}
            text = score_text(store, run_id, benchmark, settings, on_text_progress, previous) if settings.text_metric_names() else None
    except BaseException:
        # Ctrl-C or an error: what was judged is stored; say so instead of `running` for ever
        # (a run killed with SIGKILL cannot say it: readers see its owner gone, store/_liveness.py)
        store.update_run(run_id, status="interrupted")
        raise
    executions = store.executions(run_id)
    summary = build_summary(run_id, benchmark, samples, settings, executions, isolation or (run or {}).get("isolation", ""), text)
    if skipped:
        summary["skipped"] = {"problems": len(skipped), "samples": len(by_index) - total, "reasons": dict(sorted(skipped.items()))}
        summary["notes"].append(f"{len(skipped)} problems skipped (cannot run here; not counted as failed): see 'skipped'")
    store.update_run(run_id, status="complete", summary=summary, **({"isolation": isolation} if isolation else {}))
    if isolation and run is None:  # the isolation in force, known once the executor started
        spec = store.get_run(run_id).get("spec") or {}
        spec["executor"] = {**spec.get("executor", {}), "isolation_level": isolation, **placement}
        store.update_run(run_id, spec=spec)
    return RunReport(run_id, summary, executions, resumed=len(done), executed=len(todo), run=store.get_run(run_id))


def grouped_pass_rate(benchmark: Benchmark, executions: list[Execution]) -> dict:
    """MTPB's published metric: a problem's pass rate is the share of its test cases (here, its
    `MTPB/<id>/<case>` tasks) passed, over every sample; the benchmark's is their mean."""
    if benchmark.name != "mtpb" or not executions:
        return {}
    from nl2code.benchmarks.mtpb import problem_of

    groups: dict[str, list[bool]] = {}
    for e in executions:
        groups.setdefault(problem_of(e.task_id), []).append(e.passed)
    rates = {g: sum(v) / len(v) for g, v in sorted(groups.items(), key=lambda kv: int(kv[0].split("/")[1]))}
    return {"pass_rate": sum(rates.values()) / len(rates), "pass_rate_per_problem": rates}


def score_text(store: Store, run_id: str, benchmark: Benchmark, settings: EvalSettings,
               on_progress: Callable[[int, int], None] | None = None, previous: dict | None = None) -> dict:
    """The text stage: score every sample of the run not yet scored with each asked metric (stored,
    so an interrupted run resumes here too), then the corpus value of each metric. A corpus value
    of the run's last summary is reused when nothing it covers changed (same metric and variant,
    same number of pairs): CodeBLEU's corpus pass over 16,400 pairs takes minutes."""
    from nl2code.metrics.text import TextOptions, corpus_scores, metric_key, score_samples, text_pair

    options = TextOptions(lang=settings.text_lang, codebleu_fixed=settings.codebleu_fixed)
    names = settings.text_metric_names()
    rows = store.execution_rows(run_id)
    pairs = [(r["idx"], *text_pair(benchmark.by_id[r["task_id"]], r["program"])) for r in rows]
    stored = store.text_scores(run_id)
    missing = {name: [p for p in pairs if p[0] not in stored.get(metric_key(name, options), {})] for name in names}
    total, finished = sum(len(m) for m in missing.values()), 0
    for name, todo in missing.items():
        if todo:
            log.info("text metric %s of %d samples", name, len(todo))
        for chunk in score_samples(name, todo, options):
            store.add_text_scores(run_id, metric_key(name, options), chunk)
            finished += len(chunk)
            if on_progress:
                on_progress(finished, total)
    previous = previous or {}
    reusable = {name: previous[name] for name in names
                if name in previous and previous[name].get("stored_as") == metric_key(name, options) and previous[name].get("pairs") == len(pairs)}
    todo_names = [name for name in names if name not in reusable]
    corpus = corpus_scores(todo_names, [p for _, p, _ in pairs], [r for _, _, r in pairs], options)
    per_sample = store.text_scores(run_id)
    result = {}
    for name in names:
        if name in reusable:
            result[name] = reusable[name]
            continue
        values = per_sample.get(metric_key(name, options), {})
        result[name] = {**corpus[name].as_dict(), "stored_as": metric_key(name, options), "pairs": len(pairs),
                        "sample_mean": round(sum(values.values()) / len(values), 4) if values else None}
    return result


def _execute(store: Store, run_id: str, benchmark: Benchmark, settings: EvalSettings, todo: list[Sample],
             by_index: dict[int, Sample], present: dict[str, Problem], done: int, total: int,
             on_progress: Callable[[int, int], None] | None) -> tuple[str, dict]:
    """Judge the samples not yet stored, writing them in batches; returns the isolation in force
    and, for a cluster's executor, where samples ran (each node, its workers and isolation level)."""
    with executor_for(settings, benchmark.name) as executor:
        isolation = executor.level
        # a text-scored benchmark has nothing to run: no reference times, no limits to derive
        ref = {} if settings.text_scored else reference_times(store, benchmark, [p for p in present.values() if p.reference and not p.skip_reason], executor)
        limits = {task: limits_for(settings, ref.get(task), task, problem.wall_seconds) for task, problem in present.items()}
        writer = _BatchWriter(store, run_id)
        finished = done
        try:
            unique, copies = distinct_samples(todo) if settings.dedupe else (todo, {})
            if copies:
                log.info("%d of %d samples to run are copies of another (same problem, same program): each distinct program runs once",
                         sum(map(len, copies.values())), len(todo))
            for execution in executor.execute(unique, benchmark.by_id, limits):
                writer.add(execution, by_index[execution.index])
                for copy in copies.get(execution.index, ()):
                    writer.add(dataclasses.replace(execution, index=copy.index, sample_id=copy.sample_id, copy_of=execution.index), copy)
                finished += 1 + len(copies.get(execution.index, ()))
                if on_progress:
                    on_progress(finished, total)
        finally:
            writer.flush()
        placement = executor.describe() if hasattr(executor, "describe") else {}
    return isolation, placement


def build_summary(run_id: str, benchmark: Benchmark, samples: SampleFile, settings: EvalSettings, executions: list[Execution],
                  isolation: str, text_metrics: dict | None = None) -> dict:
    # a staged language's program is judged whole: one test outcome (Python: one per step)
    n_tests = {p.task_id: p.n_tests if p.language == "python" else 1 for p in benchmark.problems}
    base_tests = {p.task_id: p.base_tests for p in benchmark.problems if p.base_tests}
    metrics = summarize(executions, list(settings.ks) if settings.ks else None, bootstrap=settings.bootstrap, n_tests=n_tests, base_tests=base_tests)
    if settings.text_scored:  # nothing ran: no pass@k, no test-case average
        metrics.update(pass_at_k={}, pass_at_k_ci={}, test_case_average=None, strict_accuracy=None, notes=[])
    present = {e.task_id for e in executions}
    protected = sum(1 for p in benchmark.problems if p.task_id in present and p.fully_protected)
    cpu_limits = [e.limits.cpu_seconds for e in executions]
    n_at_k_scores = {}
    if settings.n_at_k:
        by_problem: dict[str, list[tuple[bool, bool]]] = {}
        for e in sorted(executions, key=lambda e: (e.task_id, e.sample_id)):
            by_problem.setdefault(e.task_id, []).append((e.examples_passed is not False, e.passed))
        for n, k in settings.n_at_k:
            score = n_at_k(by_problem, n, k, bootstrap=settings.bootstrap)
            n_at_k_scores[f"{n}@{k}"] = score.value
            if score.note:
                metrics["notes"].append(f"{n}@{k}: {score.note}")
    return {
        "run_id": run_id,
        "benchmark": benchmark.name,
        "benchmark_version": benchmark.version,
        "data_sha256": benchmark.data_sha256,
        "model": settings.model,
        "samples_file": os.path.abspath(samples.path),
        "samples_sha256": samples.sha256,
        "samples_format": samples.format,
        "problems": metrics["problems"],
        "problems_in_benchmark": len(benchmark.problems),
        "samples": metrics["samples"],
        "pass_at_k": metrics["pass_at_k"],
        "pass_at_k_ci": metrics["pass_at_k_ci"],
        # EvalPlus's "base" score (the original benchmark's tests); pass_at_k is its "plus" (base + extra)
        **{key: metrics[key] for key in ("pass_at_k_base", "pass_at_k_base_ci") if key in metrics},
        **({"n_at_k": n_at_k_scores, "problems_with_examples": sum(1 for p in benchmark.problems if p.task_id in present and p.n_examples)} if settings.n_at_k else {}),
        "status_counts": metrics["status_counts"],
        "copies": sum(1 for e in executions if e.copy_of is not None),  # verdicts given to identical samples
        **grouped_pass_rate(benchmark, executions),
        "test_case_average": metrics["test_case_average"],
        "strict_accuracy": metrics["strict_accuracy"],
        "notes": metrics["notes"],
        "isolation": isolation,
        "problems_fully_protected": protected,
        "limits": {
            "timeout_floor_s": settings.floor(),
            "timeout_table": (settings.problem_floors() or (None,))[0],
            "time_factor": settings.time_factor,
            "cpu_seconds_min": min(cpu_limits, default=None),
            "cpu_seconds_max": max(cpu_limits, default=None),
            "memory_mb": settings.memory_mb,
        },
        **({"text_metrics": text_metrics} if text_metrics is not None else {}),
        "nl2code_version": __version__,
    }
