"""`nl2code analyze`: analyses that tie several runs into one question, stored and charted."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import click

from nl2code.cli._common import execution_options
from nl2code.cli.generate import generation_options


@click.group()
def analyze() -> None:
    """Analyses over several runs (each stored, reused by a rerun, and drawn on the site's Charts page)."""


def parse_temperatures(ctx, param, value: str) -> tuple[float, ...]:
    try:
        temperatures = tuple(float(x) for x in value.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r}: give temperatures separated by commas, e.g. 0.2,0.4,0.6,0.8,1.0") from None
    if not temperatures or any(t < 0 for t in temperatures):
        raise click.BadParameter(f"{value!r}: give non-negative temperatures separated by commas, e.g. 0.2,0.4,0.6,0.8,1.0")
    if len(set(temperatures)) != len(temperatures):
        raise click.BadParameter(f"{value!r}: a temperature is listed twice")
    return temperatures


@analyze.command()
@functools.partial(generation_options, temperature=False)
@click.option("--temperatures", callback=parse_temperatures, default="0.2,0.4,0.6,0.8,1.0", show_default=True, help="Sampling temperatures, one run each.")
@click.option("--samples-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True, help="Where each temperature's samples file is written.")
@execution_options
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the analysis (one row per temperature) as JSON.")
def temperature(temperatures, samples_dir, workers, timeout, time_factor, memory_mb, isolation, json_path, **opts: Any):
    """pass@1, pass@10 and pass@N against the sampling temperature: one `nl2code run` per
    temperature (reused from the store when it exists), with bootstrap intervals over problems.
    The analysis is stored and drawn on the site's Charts page."""
    from rich.table import Table

    from nl2code.analyses import save_analysis, temperature_finding, temperature_rows
    from nl2code.cli._common import ProgressBar, console, import_numpy, write_json
    from nl2code.cli.generate import _samples_file, generation_spec, run_generation
    from nl2code.pipeline import EvalSettings, evaluate, load_benchmark
    from nl2code.store import Store

    import_numpy()
    n = opts["n"]
    if n < 2:
        raise click.BadParameter("give --n 2 or more: pass@k at several k needs several samples per problem", param_hint="--n")
    ks = tuple(dict.fromkeys(k for k in (1, 10, n) if k <= n))
    bench = load_benchmark(opts["benchmark"], opts["dataset"])
    store = Store(opts["db"])
    samples_dir.mkdir(parents=True, exist_ok=True)
    slug = "".join(c if c.isalnum() or c in "-._" else "_" for c in Path(opts["model"]).name)
    summaries = []
    for t in temperatures:
        run_opts = {**opts, "temperature": t}
        _, report = run_generation(run_opts)
        sample_file = _samples_file(samples_dir / f"samples-{opts['benchmark']}-{slug}-t{t:g}.jsonl", report.generations)
        settings = EvalSettings(benchmark=opts["benchmark"], dataset=str(opts["dataset"]) if opts["dataset"] else None, ks=ks,
                                workers=workers, timeout=timeout, time_factor=time_factor, memory_mb=memory_mb, isolation=isolation,
                                model=opts["model"])
        with ProgressBar(f"temperature {t:g}", enabled=not opts["quiet"]) as bar:
            result = evaluate(sample_file, bench, settings, store, kind="run", on_progress=bar, generation=generation_spec(run_opts, report))
        summaries.append((t, result.summary))
    rows = temperature_rows(summaries, ks)
    inputs = {"model": opts["model"], "benchmark": opts["benchmark"], "n": n, "limit": opts["limit"], "tasks": list(opts["tasks"]),
              "temperatures": list(temperatures), "style": opts["style"], "top_p": opts["top_p"], "max_tokens": opts["max_tokens"],
              "seed": opts["seed"], "ks": list(ks)}
    analysis_id = save_analysis(store, "temperature", inputs, rows, benchmark=bench, model=opts["model"])
    table = Table(title=f"{opts['model']} on {opts['benchmark']}: pass@k by temperature (n={n}, {rows[0]['problems']} problems)")
    table.add_column("temperature", justify="right")
    for k in ks:
        table.add_column(f"pass@{k}", justify="right")
        table.add_column("95% CI", justify="right")
    table.add_column("run")
    for row in rows:
        cells = [f"{row['temperature']:g}"]
        for k in ks:
            value, ci = row[f"pass@{k}"], row[f"pass@{k}_ci"]
            cells += ["n/a" if value is None else f"{value:.4f}", f"[{ci[0]:.4f}, {ci[1]:.4f}]" if ci else ""]
        table.add_row(*cells, row["run_id"])
    console.print(table)
    for line in temperature_finding(rows, ks):
        console.print(line)
    console.print(f"analysis [bold]{analysis_id}[/] stored in {store.url}")
    if json_path:
        write_json(json_path, {"analysis": "temperature", "id": analysis_id, **inputs, "rows": rows})
