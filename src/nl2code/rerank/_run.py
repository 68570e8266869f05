"""`rerank`: rank each problem's samples of a stored run and score the top picks; the ranking's
executions and scores are stored as a derived run that names its source run.

Derived runs are resumable like evaluations: their executions (one per unique solution) are
committed in batches, and the same command continues where an interrupted one stopped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from nl2code import __version__
from nl2code.errors import InputError
from nl2code.records import Execution, Problem, Sample
from nl2code.rerank import _codet, _dual, _examples
from nl2code.rerank._generated_tests import TESTS_PER_SAMPLE, GeneratedTests, read_generated_tests
from nl2code.rerank._ranking import Tier, baseline_scores, reranked_scores
from nl2code.store import Store

log = logging.getLogger(__name__)

METHODS = ("codet", "mbr-exec", "examples")
DEFAULT_KS = (1, 2, 10)
BATCH_SIZE = 128


@dataclass(frozen=True, slots=True)
class RerankSettings:
    method: str = "codet"
    test_seconds: float = _dual.DEFAULT_TEST_SECONDS  # verdict-affecting
    tests_per_sample: int = TESTS_PER_SAMPLE  # verdict-affecting
    workers: int | None = None
    isolation: str = "auto"  # verdict-affecting
    executor: str = "local"  # where the checks run (pipeline.make_executor); the verdicts do not depend on it
    executor_options: tuple[tuple[str, str], ...] = ()  # e.g. (("address", "auto"),) for a Ray cluster
    ks: tuple[int, ...] = DEFAULT_KS
    bootstrap: int = 1000


@dataclass
class RerankReport:
    run_id: str
    source_run: str
    summary: dict
    resumed: int = 0
    executed: int = 0
    rankings: dict[str, list[Tier]] = field(default_factory=dict)


@dataclass
class SourceSolutions:
    """A source run's samples by problem: unique programs in first-seen order, each with the
    verdicts of its samples (one per sample, duplicates included)."""

    verdicts: dict[str, list[bool]]  # task_id -> every sample's verdict
    programs: dict[str, dict[str, list[bool]]]  # task_id -> program -> its samples' verdicts
    examples: dict[str, dict[str, list[bool | None]]]  # task_id -> program -> examples_passed per sample


def source_solutions(store: Store, run_id: str) -> SourceSolutions:
    verdicts: dict[str, list[bool]] = {}
    programs: dict[str, dict[str, list[bool]]] = {}
    examples: dict[str, dict[str, list[bool | None]]] = {}
    for row in store.execution_rows(run_id):
        task, program, ok = row["task_id"], row["program"], bool(row["passed"])
        verdicts.setdefault(task, []).append(ok)
        programs.setdefault(task, {}).setdefault(program, []).append(ok)
        examples.setdefault(task, {}).setdefault(program, []).append(row["examples_passed"])
    if not verdicts:
        raise InputError(f"run {run_id} has no executions to rank; evaluate samples first (`nl2code evaluate`)")
    return SourceSolutions(verdicts, programs, examples)


def _oracle_settings(source: dict, settings: RerankSettings):  # noqa: ANN202 - an EvalSettings
    """Where a benchmark's expected outputs are computed, if not cached yet (EvalPlus): on the
    reranking's own executor."""
    from nl2code.pipeline import EvalSettings

    return EvalSettings(benchmark=source["benchmark"], workers=settings.workers, isolation=settings.isolation,
                        executor=settings.executor, executor_options=settings.executor_options)


def fingerprint(source_run: str, tests: GeneratedTests | None, settings: RerankSettings) -> str:
    payload = {
        "kind": "rerank", "source_run": source_run, "tests_sha256": tests.sha256 if tests else "",
        "method": settings.method, "test_seconds": settings.test_seconds, "tests_per_sample": settings.tests_per_sample,
        "isolation": settings.isolation, "nl2code_version": __version__,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def rerank(
    store: Store,
    run_ref: str,
    tests_path: str | None,
    settings: RerankSettings,
    *,
    command: str = "",
    on_progress: Callable[[int, int], None] | None = None,
) -> RerankReport:
    """Rank the samples of run `run_ref` by `settings.method` and store the result as a derived run."""
    from nl2code.pipeline import load_benchmark

    if settings.method not in METHODS:
        raise InputError(f"--method {settings.method!r}: choose one of {', '.join(METHODS)}")
    source = store.get_run(run_ref)
    if source["status"] != "complete":
        raise InputError(f"run {source['id']} is not complete ({source['status']}); finish it first (rerun the command that started it)")
    if source["kind"] in ("rerank", "analysis"):
        raise InputError(f"run {source['id']} is a derived record ({source['kind']}), not a run of samples; pass a run from `nl2code evaluate` or `nl2code run`")
    bench = load_benchmark(source["benchmark"], (source["settings"] or {}).get("dataset"), _oracle_settings(source, settings))
    solutions = source_solutions(store, source["id"])
    tests = None
    if settings.method in ("codet", "mbr-exec"):
        if not tests_path:
            raise InputError(f"--method {settings.method} needs --tests GENERATED_TESTS (a JSONL of generated assert samples)")
        entry_points = {p.task_id: p.entry_point for p in bench.problems}
        aliases = {a: p.task_id for p in bench.problems for a in p.aliases}
        tests = read_generated_tests(tests_path, entry_points, aliases, settings.tests_per_sample)
    fp = fingerprint(source["id"], tests, settings)
    run = store.find_run(fp)
    if run is None:
        run_id = store.create_run(
            kind="rerank", fingerprint=fp, benchmark=source["benchmark"], benchmark_version=source["benchmark_version"],
            data_sha256=source["data_sha256"], dataset_path=source["dataset_path"],
            samples_path=os.path.abspath(tests_path) if tests_path else "", samples_sha256=tests.sha256 if tests else "",
            samples_format="generated-tests" if tests else "", model=source["model"],
            n_samples=sum(len(p) for p in solutions.programs.values()), n_problems=len(solutions.verdicts),
            nl2code_version=__version__, isolation="",
            settings={"source_run": source["id"], "method": settings.method, "test_seconds": settings.test_seconds,
                      "tests_per_sample": settings.tests_per_sample, "isolation": settings.isolation, "ks": list(settings.ks)},
            machine=_machine(), command=command or " ".join(sys.argv), summary={"seconds": 0.0},
            spec={"kind": "rerank", "source_run": source["id"], "method": settings.method,
                  "tests": {"path": os.path.abspath(tests_path), "sha256": tests.sha256} if tests else None,
                  "test_seconds": settings.test_seconds, "tests_per_sample": settings.tests_per_sample,
                  "executor": {"name": settings.executor, "isolation": settings.isolation, "options": dict(settings.executor_options)},
                  "nl2code_version": __version__},
        )
        run = store.get_run(run_id)
    elif run["status"] != "complete":
        store.claim_run(run["id"])  # refused while another process still runs it
    by_id = bench.by_id
    if settings.method == "examples":
        rankings = _examples.rankings(solutions)
        checks, seconds, executed, resumed, isolation = 0, 0.0, 0, 0, ""
    else:
        assert tests is not None
        problems, samples, order = plan(bench.name, tests, by_id, solutions, settings)
        done = store.done_indices(run["id"])
        todo = [s for s in samples if s.index not in done]
        previous = float((run.get("summary") or {}).get("seconds") or 0.0)
        started = time.monotonic()
        try:
            with store.keep_alive(run["id"]):
                isolation = _execute(store, run["id"], problems, todo, settings, len(samples), len(done), on_progress, previous)
        except BaseException:
            # Ctrl-C, or an executor that cannot start: what was judged is stored; say so, as evaluate does
            store.update_run(run["id"], status="interrupted")
            raise
        seconds = previous + (time.monotonic() - started if todo else 0.0)
        executions = {e.index: e for e in store.executions(run["id"])}
        checks = sum(len(order[s.index][1]) for s in samples)
        executed, resumed = len(todo), len(done)
        if settings.method == "codet":
            rankings = _codet_rankings(tests, solutions, samples, order, executions)
        else:
            from nl2code.rerank import _mbr

            rankings = _mbr.rankings(solutions, samples, order, executions)
    summary = summarize(source, settings, solutions, rankings, checks, seconds, tests)
    store.update_run(run["id"], status="complete", summary=summary, **({"isolation": isolation} if isolation else {}))
    return RerankReport(run["id"], source["id"], summary, resumed, executed, rankings)


def plan(benchmark: str, tests: GeneratedTests, by_id: Mapping[str, Problem], solutions: SourceSolutions, settings: RerankSettings):
    """The dual-execution work: a tests Problem per problem, one Sample per unique solution (in a
    stable order, so that a resumed run continues with the same indices), and per sample index
    the (task, tests) it runs."""
    problems: dict[str, Problem] = {}
    samples: list[Sample] = []
    order: dict[int, tuple[str, list[str]]] = {}
    for task_id, programs in solutions.programs.items():
        unique = tests.unique(task_id)
        if not unique:
            continue
        if settings.method == "mbr-exec":
            from nl2code.rerank import _mbr

            unique = _mbr.inputs(unique, by_id[task_id].entry_point)
            if not unique:
                continue
            problems[task_id] = _mbr.inputs_problem(benchmark, tests, task_id, by_id[task_id].entry_point, unique, settings.test_seconds)
        else:
            problems[task_id] = _dual.problem_of_tests(benchmark, tests.sha256[:12], tests.sha256, task_id, by_id[task_id].entry_point, unique, settings.test_seconds)
        for number, program in enumerate(programs):
            index = len(samples)
            samples.append(Sample(task_id, number, index, program))
            order[index] = (task_id, unique)
    return problems, samples, order


def _execute(store: Store, run_id: str, problems, todo: Sequence[Sample], settings: RerankSettings, total: int, done: int, on_progress, previous: float) -> str:
    if not todo:
        return ""
    from nl2code.pipeline import make_executor

    limits = {task: _dual.limits_for_tests(len(p.steps), settings.test_seconds) for task, p in problems.items()}
    by_index = {s.index: s for s in todo}
    pending: list[tuple[Execution, Sample]] = []
    finished = done
    started = time.monotonic()
    if on_progress:
        on_progress(finished, total)
    with make_executor(settings.executor, workers=settings.workers, isolation=settings.isolation, options=dict(settings.executor_options)) as executor:
        isolation = executor.level
        try:
            for execution in executor.execute(todo, problems, limits):
                if settings.method == "mbr-exec":
                    from nl2code.rerank._mbr import with_outputs

                    execution = with_outputs(execution)
                pending.append((execution, by_index[execution.index]))
                finished += 1
                if len(pending) >= BATCH_SIZE:
                    _flush(store, run_id, pending, previous + time.monotonic() - started)
                if on_progress:
                    on_progress(finished, total)
        finally:
            _flush(store, run_id, pending, previous + time.monotonic() - started)
    return isolation


def _flush(store: Store, run_id: str, pending: list, seconds: float) -> None:
    """One transaction per batch; the seconds spent so far go with it, so that a resumed run
    reports the time of all its parts."""
    if pending:
        store.add_executions(run_id, pending)
        pending.clear()
    store.update_run(run_id, summary={"seconds": round(seconds, 3)})


def _codet_rankings(tests: GeneratedTests, solutions: SourceSolutions, samples, order, executions) -> dict[str, list[Tier]]:
    passed: dict[str, dict[str, frozenset[str] | None]] = {}
    for sample in samples:
        task_id, unique = order[sample.index]
        execution = executions.get(sample.index)
        passed.setdefault(task_id, {})[sample.program] = _dual.passed_tests(execution, unique) if execution else None
    rankings = {}
    for task_id, by_program in passed.items():
        programs = solutions.programs[task_id]
        frequency = {p: len(v) for p, v in programs.items()}
        groups = _codet.consensus_groups(by_program, frequency, tests.frequency(task_id))
        rankings[task_id] = _codet.codet_ranking(groups, programs)
    return rankings


def summarize(source: dict, settings: RerankSettings, solutions: SourceSolutions, rankings, checks: int, seconds: float, tests: GeneratedTests | None) -> dict:
    reranked = reranked_scores(rankings, solutions.verdicts, settings.ks, bootstrap=settings.bootstrap)
    baseline = baseline_scores(solutions.verdicts, settings.ks, bootstrap=settings.bootstrap)
    return {
        "reranked": {name: s.value for name, s in reranked.items()},
        "baseline": {name: s.value for name, s in baseline.items()},
        "checks": checks,
        "seconds": round(seconds, 3),
        "reranked_ci": {name: [s.ci_low, s.ci_high] if s.ci_low is not None else None for name, s in reranked.items()},
        "baseline_ci": {name: [s.ci_low, s.ci_high] if s.ci_low is not None else None for name, s in baseline.items()},
        "method": settings.method,
        "source_run": source["id"],
        "benchmark": source["benchmark"],
        "model": source["model"],
        "problems": len(solutions.verdicts),
        "problems_ranked": sum(1 for r in rankings.values() if r),
        "samples": sum(len(v) for v in solutions.verdicts.values()),
        "unique_solutions": sum(len(p) for p in solutions.programs.values()),
        "generated_test_samples": tests.samples_read if tests else 0,
        "unique_tests": sum(len(tests.unique(t)) for t in solutions.verdicts) if tests else 0,
        "test_seconds": settings.test_seconds,
        "tests_per_sample": settings.tests_per_sample,
        "nl2code_version": __version__,
    }


def result_json(summary: dict) -> dict:
    """The `--json` document: exactly the four fields the command promises."""
    return {key: summary[key] for key in ("reranked", "baseline", "checks", "seconds")}


def _machine() -> dict:
    from nl2code.pipeline import machine_info

    return machine_info()
