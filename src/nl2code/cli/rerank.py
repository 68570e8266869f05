"""`nl2code rerank`: judge a run's samples by execution and score the top-ranked ones."""

from __future__ import annotations

import click

from nl2code.cli._common import ProgressBar, console, db_option, executor_options, executor_settings, import_numpy, parse_ks, write_json


@click.command()
@click.argument("run")
@click.option("--tests", "tests_path", type=click.Path(dir_okay=False), help="Generated tests: JSONL lines {\"task_id\", \"samples\": [...]}, each sample a continuation of `assert ` (needed by codet and mbr-exec).")
@click.option("--method", type=click.Choice(["codet", "mbr-exec", "examples"]), default="codet", show_default=True,
              help="codet: dual execution agreement with the generated tests; mbr-exec: agreement of outputs on the tests' inputs; examples: the prompt's examples.")
@click.option("--test-timeout", "test_seconds", type=click.FloatRange(min=0.01), default=0.1, show_default=True, help="CPU seconds allowed to each generated test (CodeT: 0.1).")
@click.option("--tests-per-sample", type=click.IntRange(min=1), default=5, show_default=True, help="Use the first N tests of each generated sample (CodeT: 5).")
@click.option("--k", "ks", callback=parse_ks, default="1,2,10", show_default=True, help="pass@k values of the ranked picks.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker processes (default: one per core).")
@click.option("--isolation", type=click.Choice(["auto", "weak"]), default="auto", show_default=True)
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help='Write {"reranked": {...}, "baseline": {...}, "checks": N, "seconds": S} to this path.')
@executor_options
@db_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def rerank(run, tests_path, method, test_seconds, tests_per_sample, ks, workers, isolation, json_path, executor, ray_address, db, quiet):
    """Rank each problem's samples of RUN and report pass@k of the top-ranked ones beside the
    unranked estimate. The result is stored as a derived run linked to RUN; an interrupted
    reranking resumes when the same command is run again."""
    from rich.table import Table

    from nl2code.rerank import RerankSettings, rerank as run_rerank, result_json
    from nl2code.store import Store

    import_numpy()
    settings = RerankSettings(method=method, test_seconds=test_seconds, tests_per_sample=tests_per_sample, workers=workers, isolation=isolation, ks=ks,
                              **executor_settings(executor, ray_address))
    store = Store(db)
    with ProgressBar(f"rerank {method}", enabled=not quiet) as bar:
        report = run_rerank(store, run, tests_path, settings, on_progress=bar)
    summary = report.summary
    table = Table(title=f"{summary['benchmark']}: {method} reranking of run {report.source_run}")
    table.add_column("metric")
    table.add_column("reranked", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("unranked", justify="right")
    for name, value in summary["reranked"].items():
        ci = summary["reranked_ci"].get(name)
        base = summary["baseline"].get(name)
        table.add_row(name, _fmt(value), f"[{ci[0]:.4f}, {ci[1]:.4f}]" if ci else "", _fmt(base))
    console.print(table)
    console.print(f"problems ranked: {summary['problems_ranked']} of {summary['problems']}; checks: {summary['checks']:,} in {summary['seconds']:.1f} s")
    if report.resumed:
        console.print(f"resumed: {report.resumed} solutions were already run, {report.executed} now")
    console.print(f"derived run [bold]{report.run_id}[/] (source {report.source_run}) stored in {store.url}")
    if json_path:
        write_json(json_path, result_json(summary))


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.4f}"
