"""Options and output helpers shared by the CLI commands."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from nl2code.store import DEFAULT_DB

import sys

# piped output (files, CI logs) gets a wide console instead of rich's 80-column default
console = Console(stderr=False, width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 200)


def parse_ks(ctx, param, value: str | None) -> tuple[int, ...] | None:
    if value is None:
        return None
    try:
        ks = tuple(int(x) for x in value.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r}: give positive integers separated by commas, e.g. 1,10,100") from None
    if not ks or any(k < 1 for k in ks):
        raise click.BadParameter(f"{value!r}: give positive integers separated by commas, e.g. 1,10,100")
    return ks


def parse_n_at_k(ctx, param, value: str | None) -> tuple[tuple[int, int], ...]:
    if not value:
        return ()
    pairs = []
    for item in value.split(","):
        try:
            n, k = (int(x) for x in item.strip().split("@"))
        except ValueError:
            raise click.BadParameter(f"{item!r}: write n@k pairs such as 1@10,10@100") from None
        if not 1 <= n <= k:
            raise click.BadParameter(f"{item!r}: n@k needs 1 <= n <= k")
        pairs.append((n, k))
    return tuple(pairs)


def import_numpy() -> None:
    """Import numpy, for the bootstrap intervals a command computes, with one OpenBLAS thread.

    The intervals index and average arrays and never call BLAS, but OpenBLAS starts a thread per
    core when it loads: about 0.1 s of CPU, half of numpy's import. The variable is set for the
    import only (OpenBLAS reads it once, when it loads), so the workers and samples a command
    starts later never see it; a value the user set is left alone."""
    if "numpy" in sys.modules or "OPENBLAS_NUM_THREADS" in os.environ:
        return
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        import numpy  # noqa: F401
    finally:
        del os.environ["OPENBLAS_NUM_THREADS"]


def db_option(f: Callable) -> Callable:
    return click.option("--db", default=DEFAULT_DB, show_default=True, help="Results database: a file path or an SQLAlchemy URL.")(f)


def existing_store(db: str):
    """The store at --db for commands that only read or remove runs: a file that is not there is
    an error (opening it would create an empty database and hide a typo)."""
    from nl2code.store import Store

    if "://" not in db and not Path(db).is_file():
        raise click.BadParameter(f"no results store at {db}; check the path, or run `nl2code evaluate` first", param_hint="--db")
    return Store(db)


def natural_key(text: str) -> tuple:
    """'HumanEval/10' after 'HumanEval/9': digit runs compare as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text))


def execution_options(f: Callable) -> Callable:
    for option in reversed([
        click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker processes (default: one per core). 1 runs serially for debugging."),
        click.option("--timeout", type=click.FloatRange(min=0.1), default=None, help="Floor of the per-sample CPU-time limit, seconds (default: the benchmark's floor from measurement, 1 s for HumanEval; else 3 s)."),
        click.option("--time-factor", type=click.FloatRange(min=1.0), default=4.0, show_default=True, help="Per-sample limit = max(--timeout, factor x the reference solution's CPU time)."),
        click.option("--memory-mb", type=click.IntRange(min=64), default=4096, show_default=True, help="Address-space cap per sample, MiB."),
        click.option("--isolation", type=click.Choice(["auto", "weak"]), default="auto", show_default=True, help="auto: the strongest sandbox this machine offers; weak: rlimits and process-group kill only."),
        click.option("--dedupe/--no-dedupe", default=True, show_default=True, help="Execute each distinct (problem, program) once and give identical samples its verdict (recorded as copies)."),
    ]):
        f = option(f)
    return f


def executor_options(f: Callable) -> Callable:
    """--executor and --ray-address: where samples run (see docs/scale-out.md)."""
    f = click.option("--ray-address", default=None, metavar="HOST:PORT|auto",
                     help="With --executor ray: the cluster's head (`ray start --head` prints it), or auto for the cluster this "
                          "machine belongs to. Without it a Ray instance is started on this machine.")(f)
    return click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True,
                        help="local: this machine's sandboxed worker pool; ray: that pool on every node of a Ray cluster "
                             "(the ray extra), --workers per node.")(f)


def executor_settings(executor: str, ray_address: str | None) -> dict:
    """EvalSettings fields for --executor/--ray-address."""
    if ray_address and executor != "ray":
        raise click.UsageError("--ray-address needs --executor ray")
    return {"executor": executor, "executor_options": (("address", ray_address),) if ray_address else ()}


class ProgressBar:
    """A rich progress bar with samples/s and ETA, fed by the pipeline's progress callback."""

    def __init__(self, description: str, enabled: bool = True) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn(),
            console=err_console, disable=not enabled, transient=False,
        )
        self.description = description
        self.task = None
        self.start_done = 0
        self.started = None

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        self.progress.__exit__(*exc)

    def __call__(self, done: int, total: int) -> None:
        import time

        if self.task is None:
            self.task = self.progress.add_task(self.description, total=total, completed=done, rate="")
            self.start_done, self.started = done, time.monotonic()
            return
        elapsed = time.monotonic() - self.started
        rate = (done - self.start_done) / elapsed if elapsed > 0 else 0.0
        self.progress.update(self.task, completed=done, rate=f"{rate:,.0f} samples/s")


def fmt(value, digits: int = 4) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def summary_table(summary: dict) -> Table:
    table = Table(title=f"{summary['benchmark']} {summary.get('benchmark_version', '')}".strip(), show_header=True)
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("95% CI", justify="right")
    problems = summary["problems"]
    total = summary.get("problems_in_benchmark", problems)
    table.add_row("problems", f"{problems}" + (f" of {total} (subset)" if problems != total else ""), "")
    table.add_row("samples", str(summary["samples"]), "")
    for name, value in summary["pass_at_k"].items():
        ci = (summary.get("pass_at_k_ci") or {}).get(name)
        table.add_row(name, fmt(value), f"[{ci[0]:.4f}, {ci[1]:.4f}]" if ci else "")
    base = summary.get("pass_at_k_base") or {}
    for name, value in base.items():  # EvalPlus: the original tests alone; the rows above are base + extra
        ci = (summary.get("pass_at_k_base_ci") or {}).get(name)
        table.add_row(f"{name} base tests", fmt(value), f"[{ci[0]:.4f}, {ci[1]:.4f}]" if ci else "")
    for name, value in (summary.get("n_at_k") or {}).items():
        table.add_row(name, fmt(value), "filter: the prompt's examples")
    for name, score in (summary.get("text_metrics") or {}).items():
        table.add_row(name, fmt(score["value"], 2), "text match, 0-100")
    if summary.get("test_case_average") is not None or not summary.get("text_metrics"):
        table.add_row("test-case average", fmt(summary.get("test_case_average")), "")
    counts = {k: v for k, v in summary["status_counts"].items() if v}
    table.add_row("statuses", ", ".join(f"{k} {v}" for k, v in counts.items()), "")
    table.add_row("isolation", summary.get("isolation") or "n/a", "")
    return table


def write_json(path: str, data) -> None:
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def print_notes(summary: dict) -> None:
    for note in summary.get("notes", []):
        err_console.print(f"[yellow]warning:[/] {note}")
