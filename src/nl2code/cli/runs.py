"""`nl2code runs list|show|export|compare|delete`: the stored runs."""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from typing import TYPE_CHECKING

import click
from rich.table import Table

from nl2code.cli._common import console, db_option, existing_store, fmt, import_numpy, natural_key, summary_table
from nl2code.metrics import paired_bootstrap_difference

if TYPE_CHECKING:
    from nl2code.store import Store

EXPORT_FIELDS = ["run_id", "idx", "task_id", "sample_id", "status", "passed", "tests_passed", "tests_total",
                 "duration", "cpu_time", "cpu_limit", "wall_limit", "error", "copy_of", "program", "raw"]


@click.group()
def runs():
    """Stored evaluation runs."""


@runs.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list to stdout.")
def list_(db, as_json):
    """List runs, oldest first."""
    rows = existing_store(db).list_runs()
    if as_json:
        click.echo(json.dumps([{k: r[k] for k in ("id", "created_at", "status", "kind", "benchmark", "model", "n_samples", "n_problems")}
                               | {"pass_at_k": (r["summary"] or {}).get("pass_at_k")} for r in rows], indent=1))
        return
    table = Table("run", "created", "status", "kind", "benchmark", "model", "samples", "pass@1")
    for r in rows:
        p1 = ((r["summary"] or {}).get("pass_at_k") or {}).get("pass@1")
        table.add_row(r["id"], r["created_at"], r["status"], r["kind"], r["benchmark"], r["model"] or "", str(r["n_samples"]), fmt(p1))
    console.print(table)


def per_problem_rates(store: "Store", run_id: str) -> dict[str, float]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in store.execution_rows(run_id):
        counts[row["task_id"]][0] += 1
        counts[row["task_id"]][1] += bool(row["passed"])
    return {task: c / n for task, (n, c) in counts.items()}


@runs.command()
@click.argument("run")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the run (metadata, summary, per-problem pass rates) as JSON.")
def show(run, db, as_json):
    """Summary, per-problem pass rates and failures by status of RUN (an id, a prefix, or 'latest')."""
    store = existing_store(db)
    row = store.get_run(run)
    rates = per_problem_rates(store, row["id"])
    failures: dict[str, list[str]] = defaultdict(list)
    for e in store.execution_rows(row["id"]):
        if not e["passed"]:
            failures[e["status"]].append(f"{e['task_id']}#{e['sample_id']}")
    if as_json:
        click.echo(json.dumps({"run": row, "per_problem_pass_rate": rates, "failures_by_status": failures}, indent=1, default=str))
        return
    console.print(f"[bold]run {row['id']}[/]  {row['kind']}  {row['status']}  created {row['created_at']}")
    if row.get("status_detail"):
        console.print(f"{row['status']}: {row['status_detail']}", markup=False, highlight=False)
    console.print(f"model: {row['model'] or '-'}   samples: {row['samples_path']} (sha256 {row['samples_sha256'][:12]}, {row['samples_format']})")
    console.print(f"benchmark: {row['benchmark']} {row['benchmark_version']} (data sha256 {row['data_sha256'][:12]})   nl2code {row['nl2code_version']}   isolation: {row['isolation']}")
    for line in spec_lines(row.get("spec")):
        console.print(line, markup=False, highlight=False)
    if row["kind"] in ("rerank", "analysis"):
        # a derived record: its executions judge generated tests, not the model's samples
        settings = row["settings"] or {}
        console.print(f"derived from run {settings.get('source_run')} ({settings.get('method')})" if row["kind"] == "rerank" else f"analysis: {settings.get('analysis')}")
        console.print_json(json.dumps({k: v for k, v in (row["summary"] or {}).items() if k != "inputs"}, default=str))
        return
    if row["summary"]:
        console.print(summary_table(row["summary"]))
    table = Table("problem", "pass rate", title="per-problem pass rates")
    for task, rate in rates.items():
        table.add_row(task, f"{rate:.2f}")
    console.print(table)
    for status, items in sorted(failures.items()):
        console.print(f"[bold]{status}[/] ({len(items)}): " + ", ".join(items[:30]) + (" ..." if len(items) > 30 else ""))


def spec_lines(spec: dict | None) -> list[str]:
    """The run spec for people: the executor, toolchains and, for generated samples, how."""
    if not spec:
        return ["spec: not recorded (a run stored before schema 3)"]
    executor = spec.get("executor") or {}
    lines = [f"executor: {executor.get('name', '?')}" + "".join(f"  {k}={v}" for k, v in (executor.get("options") or {}).items())]
    evaluation = spec.get("evaluation") or {}
    if evaluation:
        lines.append(f"limits: CPU floor {evaluation.get('timeout_floor_s')} s, x{evaluation.get('time_factor')} the reference, "
                     f"{evaluation.get('memory_mb')} MB; isolation asked: {evaluation.get('isolation')}")
    if spec.get("languages"):
        lines.append("toolchains: " + "; ".join(f"{k}: {v or 'not found'}" for k, v in spec["languages"].items()))
    generation = spec.get("generation")
    if generation:
        backend = generation.get("backend") or {}
        seed = generation.get("seed")
        lines.append(
            f"generation: T={generation.get('temperature')} top_p={generation.get('top_p')} n={generation.get('n')} "
            f"seed={'none' if seed is None else seed} max_tokens={generation.get('max_tokens')} style={generation.get('style')} "
            f"template {str(generation.get('template_sha256', ''))[:12]} backend {backend.get('backend', '?')} ({backend.get('preset', '-')})"
        )
    else:
        lines.append("generation: samples read from a file (settings as its producer reported them, if any)")
    return lines


@runs.command()
@click.argument("run")
@click.option("--format", "fmt_", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--out", "-o", type=click.Path(dir_okay=False), help="Write to this file (default: stdout).")
@db_option
def export(run, fmt_, out, db):
    """Export every sample execution of RUN, in input order."""
    store = existing_store(db)
    row = store.get_run(run)
    rows = store.execution_rows(row["id"])
    stream = open(out, "w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        if fmt_ == "jsonl":
            for r in rows:
                stream.write(json.dumps({k: r[k] for k in EXPORT_FIELDS if k in r}) + "\n")
        else:
            writer = csv.DictWriter(stream, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    finally:
        if out:
            stream.close()


@runs.command()
@click.argument("run_a")
@click.argument("run_b")
@db_option
@click.option("--json", "as_json", is_flag=True)
def compare(run_a, run_b, db, as_json):
    """Compare two runs on the problems they share: what flipped, and the paired bootstrap
    difference of per-problem pass rates (B - A) with its 95% interval."""
    store = existing_store(db)
    a, b = store.get_run(run_a), store.get_run(run_b)
    if a["benchmark"] != b["benchmark"]:
        raise click.UsageError(f"runs are on different benchmarks ({a['benchmark']} vs {b['benchmark']})")
    ra, rb = per_problem_rates(store, a["id"]), per_problem_rates(store, b["id"])
    import_numpy()
    diff = paired_bootstrap_difference(ra, rb)
    improved = sorted((t for t in ra.keys() & rb.keys() if rb[t] > ra[t]), key=natural_key)
    regressed = sorted((t for t in ra.keys() & rb.keys() if rb[t] < ra[t]), key=natural_key)
    result = {"run_a": a["id"], "run_b": b["id"], "common_problems": diff.problems, "mean_a": diff.mean_a, "mean_b": diff.mean_b,
              "difference": diff.mean, "ci": [diff.ci_low, diff.ci_high], "improved": improved, "regressed": regressed}
    if as_json:
        click.echo(json.dumps(result, indent=1))
        return
    console.print(f"A {a['id']} ({a['model'] or '-'}) vs B {b['id']} ({b['model'] or '-'}) on {diff.problems} common problems")
    console.print(f"pass rate A {fmt(diff.mean_a)}  B {fmt(diff.mean_b)}  difference B-A {fmt(diff.mean)}  95% CI [{fmt(diff.ci_low)}, {fmt(diff.ci_high)}]")
    console.print(f"improved in B ({len(improved)}): " + ", ".join(improved))
    console.print(f"regressed in B ({len(regressed)}): " + ", ".join(regressed))


@runs.command()
@click.argument("run")
@db_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete(run, db, yes):
    """Delete RUN and all its executions."""
    store = existing_store(db)
    row = store.get_run(run)
    if not yes and not click.confirm(f"delete run {row['id']} ({row['n_samples']} samples)?"):
        console.print(f"run {row['id']} kept")
        return
    store.delete_run(row["id"])
    console.print(f"deleted run {row['id']}")
