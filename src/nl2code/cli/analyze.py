"""`nl2code analyze`: analyses that tie several runs into one question, stored and charted."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import click

from nl2code.cli._common import console, db_option, execution_options, fmt, import_numpy, write_json
from nl2code.cli.generate import generation_options


@click.group()
def analyze() -> None:
    """Analyses of stored runs: over several runs (temperature: stored, reused by a rerun, drawn on the
    site's Charts page) or of one run's samples (text-vs-exec)."""


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
    inputs = {"model": opts["model"], "benchmark": opts["benchmark"], "n": n, "limit": opts["limit"], "tasks": list(opts["tasks"]),
              "temperatures": list(temperatures), "style": opts["style"], "top_p": opts["top_p"], "max_tokens": opts["max_tokens"],
              "seed": opts["seed"], "ks": list(ks)}
    summaries = []
    for done, t in enumerate(temperatures, 1):
        run_opts = {**opts, "temperature": t}
        _, report = run_generation(run_opts)
        sample_file = _samples_file(samples_dir / f"samples-{opts['benchmark']}-{slug}-t{t:g}.jsonl", report.generations)
        settings = EvalSettings(benchmark=opts["benchmark"], dataset=str(opts["dataset"]) if opts["dataset"] else None, ks=ks,
                                workers=workers, timeout=timeout, time_factor=time_factor, memory_mb=memory_mb, isolation=isolation,
                                model=opts["model"])
        with ProgressBar(f"temperature {t:g}", enabled=not opts["quiet"]) as bar:
            result = evaluate(sample_file, bench, settings, store, kind="run", on_progress=bar, generation=generation_spec(run_opts, report))
        summaries.append((t, result.summary))
        # stored after every temperature: a long job shows its finished part (marked partial) before the end
        analysis_id = save_analysis(store, "temperature", inputs, temperature_rows(summaries, ks), benchmark=bench, model=opts["model"],
                                    pending=temperatures[done:])
    rows = temperature_rows(summaries, ks)
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


@analyze.command("text-vs-exec")
@click.argument("run")
@db_option
@click.option("--bootstrap", type=click.IntRange(min=0), default=1000, show_default=True, help="Bootstrap resamples of problems for the intervals (0: none).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the figures as JSON.")
def text_vs_exec(run, db, bootstrap, seed, json_path):
    """How well each text metric stored with RUN separates passing from failing samples: ROC AUC,
    Spearman's rho and the mean within-problem AUC, with bootstrap intervals over problems. Score
    the samples first with `nl2code evaluate ... --text-metrics codebleu,bleu`."""
    from nl2code.errors import InputError
    from nl2code.metrics.text._analysis import separation
    from nl2code.records import Status
    from nl2code.store import Store

    import_numpy()
    store = Store(db)
    row = store.get_run(run)
    if row["kind"] in ("analysis", "rerank"):
        samples_runs = [r for r in store.list_runs() if r["kind"] not in ("analysis", "rerank")]
        if run != "latest" or not samples_runs:
            raise InputError(f"run {row['id']} is a derived record ({row['kind']}), not a run of samples; pass a run from `nl2code evaluate`")
        row = samples_runs[-1]  # `latest`: the newest run of samples, not this command's own stored analysis
    executions = {e.index: e for e in store.executions(row["id"], with_tests=False)}
    if any(e.status is Status.NOT_EXECUTED for e in executions.values()):
        raise InputError(f"run {row['id']} ({row['benchmark']}) has no verdicts: its samples were scored by text only")
    stored = store.text_scores(row["id"])
    if not stored:
        raise InputError(f"run {row['id']} has no text scores; add them with `nl2code evaluate {row['samples_path']} -b {row['benchmark']} --db {db} --text-metrics codebleu,bleu`")
    results = {}
    for metric, values in sorted(stored.items()):
        by_task: dict[str, list[tuple[float, bool]]] = {}
        for index, value in values.items():
            e = executions[index]
            by_task.setdefault(e.task_id, []).append((value, e.passed))
        results[metric] = separation(metric, by_task, bootstrap=bootstrap, seed=seed)
    _print(row, results)
    from nl2code.analyses import save_analysis
    from nl2code.pipeline import load_benchmark

    # stored like the temperature analysis (one record per run and bootstrap setting), so the site charts it
    rows = [{"metric": m, **s.as_dict()} for m, s in results.items()]
    inputs = {"run": row["id"], "bootstrap": bootstrap, "seed": seed}
    bench = load_benchmark(row["benchmark"], (row.get("settings") or {}).get("dataset"))
    analysis_id = save_analysis(store, "text-vs-exec", inputs, rows, benchmark=bench, model=row["model"] or "")
    console.print(f"analysis [bold]{analysis_id}[/] stored in {store.url}")
    if json_path:
        write_json(json_path, {"run_id": row["id"], "benchmark": row["benchmark"], "model": row["model"], "bootstrap": bootstrap,
                               "analysis_id": analysis_id, "metrics": {m: s.as_dict() for m, s in results.items()}})


def _ci(interval) -> str:
    return f"[{interval[0]:.3f}, {interval[1]:.3f}]" if interval else ""


def _print(row: dict, results: dict) -> None:
    from rich.table import Table

    first = next(iter(results.values()))
    table = Table(title=f"text metric vs verdict: run {row['id']} ({row['benchmark']}, {first.samples} samples, {first.passed} passed, {first.problems} problems)")
    for column in ("metric", "ROC AUC", "95% CI", "Spearman rho", "95% CI", "within-problem AUC", "95% CI", "problems (both outcomes)"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for metric, s in results.items():
        table.add_row(metric, fmt(s.auc, 3), _ci(s.auc_ci), fmt(s.spearman, 3), _ci(s.spearman_ci), fmt(s.within_auc, 3), _ci(s.within_auc_ci), str(s.within_problems))
    console.print(table)
    console.print("AUC 0.5: the metric does not tell passing from failing samples; 1.0: every passing sample scores above every failing one.")


@analyze.command("export")
@click.argument("ref")
@db_option
@click.option("--name", required=True, help="File name in the analyses folder (lowercase letters, digits, . _ + -): NAME.yaml and data/NAME-*.jsonl.gz.")
@click.option("--out", "folder", type=click.Path(file_okay=False, path_type=Path), default=None, help="Analyses folder (default: the repository's analyses/).")
@click.option("--title", default="", help="Title shown on the site.")
@click.option("--command", "commands", multiple=True, help="A command that made the record, in order (repeatable; default: the stored one).")
@click.option("--note", default=None, help="A note shown with the chart (what the figures mean, what is partial).")
@click.option("--tests", "tests", type=click.Path(exists=True, dir_okay=False), default=None, help="A reranking's generated tests, when not at the stored path.")
def export_analysis(ref, db, name, folder, title, commands, note, tests):
    """Export a stored analysis (temperature, text-vs-exec) or reranking REF into the repository's
    analyses folder: a manifest with its figures and commands, and its per-sample data as gzip
    JSONL, so that `nl2code site build` without a database charts it (docs/analyses.md)."""
    import re

    from nl2code.analysis_files import NAME_PATTERN, default_dir, export
    from nl2code.store import Store

    if not re.match(NAME_PATTERN, name):
        raise click.BadParameter(f"{name!r}: use lowercase letters, digits and . _ + - (starting with a letter or digit)", param_hint="--name")
    import_numpy()
    target = export(Store(db), ref, folder or default_dir(), name, title=title, commands=commands, note=note, source=tests)
    console.print(f"wrote {target} and its data files")
