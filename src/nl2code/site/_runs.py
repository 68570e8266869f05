"""Our runs, read from the results store (`nl2code.store`) into the site's `RunView`s:
per-problem pass counts, per-sample verdicts and pass@k computed from them."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from nl2code.metrics import pass_at_k
from nl2code.site._data import ProblemRow, RunView, SampleRow, display_command

log = logging.getLogger(__name__)

KS = (1, 10, 100)
DERIVED_KINDS = ("analysis", "rerank")
DETAIL_CHARS = 200


def runs_from_store(db: str, *, include_incomplete: bool = False) -> list[RunView]:
    """Every run in the store at `db` (a file path or an SQLAlchemy URL), oldest first.

    Runs not complete (running, or interrupted) are left out unless `include_incomplete`: their
    numbers would change. The site lists them on its Runs page, labelled, and never ranks them.
    Analyses and rerankings are not runs of a model (their executions judge generated tests):
    the site charts them from `nl2code.analyses.analyses_from_store` instead.
    """
    from nl2code.store import open_store

    store = open_store(db)
    views = []
    for run in store.list_runs():
        if run.get("kind") in DERIVED_KINDS:
            continue
        if run.get("status") != "complete" and not include_incomplete:
            log.info("skipping run %s (status %s)", run["id"], run.get("status"))
            continue
        views.append(run_view(run, store.execution_rows(run["id"])))
    return views


def run_view(run: dict[str, Any], executions: list[dict[str, Any]]) -> RunView:
    """A run row and its execution rows (as the store returns them) as the site shows them."""
    settings = run.get("settings") or {}
    counts: OrderedDict[str, list[int]] = OrderedDict()
    samples = []
    for row in executions:
        n_c = counts.setdefault(row["task_id"], [0, 0])
        n_c[0] += 1
        n_c[1] += int(bool(row["passed"]))
        detail = (row.get("error") or row.get("stderr_tail") or "").strip().splitlines()
        samples.append(
            SampleRow(
                task_id=row["task_id"],
                sample_index=int(row.get("sample_id", 0)),
                status=row["status"],
                duration_s=row.get("duration"),
                tests_passed=row.get("tests_passed"),
                tests_total=row.get("tests_total"),
                detail=(detail[-1] if detail else "")[:DETAIL_CHARS],
            )
        )
    problems = [ProblemRow(task, n, c) for task, (n, c) in counts.items()]
    spec = run.get("spec") if isinstance(run.get("spec"), dict) else None
    generation = (spec or {}).get("generation") or {}
    # the spec's generation settings when the run has them (schema 3), else what older stores kept
    setting = (lambda *names: next((generation[n] for n in names if generation.get(n) is not None), None)) if generation else \
        (lambda *names: _setting(settings, *names))
    backend = generation.get("backend") or {}
    return RunView(
        id=run["id"],
        model=run.get("model") or "(unnamed model)",
        benchmark=run.get("benchmark", ""),
        benchmark_version=run.get("benchmark_version"),
        backend=backend.get("backend") or _setting(settings, "backend"),
        status=run.get("status"),
        status_detail=run.get("status_detail"),
        samples_expected=_count(run.get("n_samples")),
        kind=run.get("kind"),
        started_at=run.get("created_at"),
        finished_at=run.get("updated_at") if run.get("status") == "complete" else None,
        temperature=_number(setting("temperature")),
        top_p=_number(setting("top_p")),
        n=_count(generation.get("n")) or max((p.samples for p in problems), default=None),  # samples per problem
        max_new_tokens=_number(setting("max_tokens", "max_new_tokens")),
        prompt_style=setting("style", "prompt_style", "template"),
        package_version=run.get("nl2code_version"),
        isolation=run.get("isolation") or None,
        benchmark_sha256=run.get("data_sha256"),
        prompt_template_sha256=setting("template_sha256", "prompt_template_sha256"),
        command=display_command(run.get("command")) or None,
        scores=scores_from_counts(problems),
        problems=problems,
        samples=samples,
        config=settings if isinstance(settings, dict) else {},
        problems_in_benchmark=_count((run.get("summary") or {}).get("problems_in_benchmark")),
        seed=_count_or_zero(generation.get("seed")),
        spec=spec,
        generated_by=_generated_by(generation),
        generated_model=(generation.get("model") or (generation.get("backend") or {}).get("model")) if generation else None,
    )


def _generated_by(generation: dict[str, Any]) -> str | None:
    """'openai (generic)': the backend (and its preset) that generated the samples."""
    if not generation:
        return None
    backend = generation.get("backend") or {}
    preset = f" ({backend['preset']})" if backend.get("preset") else ""
    return f"{backend.get('backend') or '?'}{preset}"


def _count_or_zero(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def scores_from_counts(problems: list[ProblemRow]) -> dict[str, float]:
    """pass@k in percent, the unbiased estimator averaged over problems, for each k some problem allows."""
    scores = {}
    for k in KS:
        values = [pass_at_k(p.samples, p.passed, k) for p in problems if p.samples >= k]
        if values and len(values) == len(problems):
            scores[f"pass@{k}"] = 100.0 * sum(values) / len(values)
    return scores


def _setting(settings: Any, *names: str) -> Any:
    """A value from the run's settings, at the top level or one level down (e.g. settings['sampling'])."""
    if not isinstance(settings, dict):
        return None
    for name in names:
        if settings.get(name) is not None:
            return settings[name]
    for value in settings.values():
        if isinstance(value, dict):
            for name in names:
                if value.get(name) is not None:
                    return value[name]
    return None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _number(value: Any) -> Any:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
