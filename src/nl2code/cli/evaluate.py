"""`nl2code evaluate` and `nl2code selfcheck`."""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import resources
from pathlib import Path

import click
from rich.markup import escape

from nl2code import benchmarks
from nl2code.cli.text import parse_text_metrics, text_metric_options
from nl2code.cli._common import parse_n_at_k, ProgressBar, console, db_option, err_console, execution_options, executor_options, executor_settings, import_numpy, parse_ks, print_notes, summary_table, write_json
from nl2code.pipeline import EvalSettings, evaluate as run_evaluation, load_benchmark
from nl2code.samples import SampleFile, read_samples
from nl2code.records import Sample
from nl2code.store import Store


def demo_samples_path() -> Path:
    return Path(str(resources.files("nl2code") / "data" / "demo_humaneval_samples.jsonl"))


@click.command()
@click.argument("samples", required=False, type=click.Path(path_type=Path))  # a file, or a directory of MultiPL-E completion files
@click.option("--benchmark", "-b", type=click.Choice(benchmarks.names()), help="The benchmark the samples answer.")
@click.option("--dataset", type=click.Path(dir_okay=False), help="A local copy of the benchmark's data file (else the pinned canonical file, downloaded once).")
@click.option("--model", default="", help="Label the run with the model that produced the samples.")
@click.option("--k", "ks", callback=parse_ks, help="pass@k values, e.g. 1,10,100 (default: 1, and 10, 100 where n allows).")
@click.option("--n-at-k", "n_at_k", callback=parse_n_at_k, help="n@k (AlphaCode) pairs, e.g. 1@10,10@100: n submissions from k samples, filtered by the examples in the prompt.")
@execution_options
@click.option("--text-metrics", callback=parse_text_metrics, help="Also score each sample against the reference solution by text match, e.g. codebleu,bleu (docs/text-metrics.md). Text-scored benchmarks (conala) default to all.")
@text_metric_options
@executor_options
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the summary as JSON to this path.")
@click.option("--results", "results_path", type=click.Path(dir_okay=False), help="Write one JSON line per input sample, in input order.")
@click.option("--multipl-e-results", "multipl_e_dir", type=click.Path(file_okay=False), help="Also write MultiPL-E's <problem>.results.json.gz files into this directory.")
@db_option
@click.option("--demo", is_flag=True, help="Evaluate the embedded demo sample file on HumanEval.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def evaluate(samples, benchmark, dataset, model, ks, n_at_k, workers, timeout, time_factor, memory_mb, isolation, dedupe, text_metrics, lang, codebleu_fixed, executor, ray_address, json_path, results_path, multipl_e_dir, db, demo, quiet):
    """Execute SAMPLES on a benchmark and report pass@k; every run is stored and resumable."""
    if demo:
        samples, benchmark = samples or demo_samples_path(), benchmark or "humaneval"
        model = model or "demo (canonical solutions, some broken on purpose)"
    if samples is None:
        raise click.UsageError("missing SAMPLES (a samples file), or pass --demo")
    if benchmark is None:
        raise click.UsageError("missing --benchmark (one of: " + ", ".join(benchmarks.names()) + ")")
    import_numpy()
    settings = EvalSettings(benchmark=benchmark, dataset=dataset, ks=ks, n_at_k=n_at_k, workers=workers, timeout=timeout,
                            time_factor=time_factor, memory_mb=memory_mb, isolation=isolation, model=model, dedupe=dedupe,
                            text_metrics=text_metrics, text_lang=lang, codebleu_fixed=codebleu_fixed,
                            **executor_settings(executor, ray_address))
    bench = load_benchmark(benchmark, dataset, settings)  # expected outputs not cached yet are computed on the chosen executor
    sample_file = read_samples(samples, bench)  # all input errors surface before the store is touched
    if benchmark in benchmarks.STATIC_SCORED:
        return _static_evaluation(sample_file, bench, Store(db), model, json_path)
    store = Store(db)
    with ProgressBar(f"{benchmark}", enabled=not quiet) as bar, ProgressBar("text metrics", enabled=not quiet) as text_bar:
        report = run_evaluation(sample_file, bench, settings, store, on_progress=bar, kind="demo" if demo else "evaluate", on_text_progress=text_bar)
    summary = report.summary
    console.print(summary_table(summary))
    print_notes(summary)
    if report.resumed:
        console.print(f"resumed: {report.resumed} samples were already judged, {report.executed} executed now")
    console.print(f"run [bold]{report.run_id}[/] stored in {store.url}")
    if json_path:
        write_json(json_path, summary)
    if results_path:
        write_results(results_path, report.executions)
    if multipl_e_dir:
        from nl2code.samples import write_multipl_e_results

        written = write_multipl_e_results(multipl_e_dir, bench, sample_file, report.executions)
        console.print(f"{len(written)} MultiPL-E results files written to {multipl_e_dir}")


def _static_evaluation(sample_file, bench, store, model: str, json_path: str | None, kind: str = "security") -> dict:
    """Benchmarks without tests (SecurityEval): the samples are scanned, never executed."""
    from rich.table import Table

    from nl2code import security

    run_id, summary = security.evaluate(sample_file, bench, store, model=model, kind=kind)
    rate = summary["matching_cwe_rate"]
    table = Table("CWE", "samples", "finding of that CWE", "any finding", "not scanned",
                  title=f"{bench.name}: {summary['samples_with_matching_cwe']} of {summary['samples']} samples "
                        f"({100 * (rate or 0):.1f}%) have a finding of their prompt's CWE ({summary['analyser']})")
    for cwe, counts in summary["per_cwe"].items():
        table.add_row(cwe, str(counts["samples"]), str(counts["matching"]), str(counts["any_finding"]), str(counts["not_scanned"]))
    console.print(table)
    console.print(f"any finding in the generated code: {summary['samples_with_any_finding']} of {summary['samples']}; "
                  f"not scanned (Bandit could not parse them): {summary['not_scanned']}")
    console.print("what this metric does not measure:")
    for line in summary["does_not_measure"]:
        console.print(f"  - {line}", markup=False, highlight=False)
    console.print(f"run [bold]{run_id}[/] stored in {store.url}")
    if json_path:
        write_json(json_path, summary)
    return summary


def write_results(path: str, executions) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for e in sorted(executions, key=lambda e: e.index):
            f.write(json.dumps({
                "task_id": e.task_id, "sample_id": e.sample_id, "status": e.status.value, "passed": e.passed,
                "tests_passed": e.tests_passed, "tests_total": len(e.tests), "duration": round(e.duration, 4),
                "cpu_time": round(e.cpu_time, 4), "cpu_limit": e.limits.cpu_seconds, "error": e.error,
                "examples_passed": e.examples_passed, "copy_of": e.copy_of,
            }) + "\n")


@click.command()
@click.argument("benchmark", type=click.Choice(benchmarks.names()))
@click.option("--dataset", type=click.Path(dir_okay=False), help="A local copy of the benchmark's data file.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker processes (default: one per core).")
@click.option("--isolation", type=click.Choice(["auto", "weak"]), default="auto", show_default=True)
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help='Write {"total", "passed", "failed": [task ids]} to this path.')
@executor_options
@db_option
@click.option("--quiet", "-q", is_flag=True)
def selfcheck(benchmark, dataset, workers, isolation, json_path, executor, ray_address, db, quiet):
    """Run BENCHMARK's reference solutions: every one must pass (the environment check).
    Problems without a reference solution (most MultiPL-E and mxeval languages) are skipped."""
    import_numpy()
    settings = EvalSettings(benchmark=benchmark, dataset=dataset, ks=(1,), workers=workers, isolation=isolation, model="reference solutions",
                            **executor_settings(executor, ray_address))
    bench = load_benchmark(benchmark, dataset, settings)  # expected outputs not cached yet are computed on the chosen executor
    with_reference = [p for p in bench.problems if p.reference]
    if len(with_reference) < len(bench.problems):  # MTPB publishes none, most MultiPL-E/mxeval languages few
        console.print(f"selfcheck {benchmark}: {len(bench.problems) - len(with_reference)} of {len(bench.problems)} problems have "
                      "no reference solution (the benchmark publishes none); they are not run")
    if not with_reference:
        raise click.UsageError(f"{benchmark} has no reference solutions to check; pick a benchmark that has them")
    programs = [Sample(p.task_id, 0, i, p.reference, p.reference) for i, p in enumerate(with_reference)]
    digest = hashlib.sha256("\0".join(p.reference for p in with_reference).encode()).hexdigest()
    sample_file = SampleFile(f"<{benchmark} reference solutions>", digest, "reference", tuple(programs), len(programs))
    if benchmark in benchmarks.STATIC_SCORED:  # no tests: the references are insecure on purpose; report what the scan finds
        _static_evaluation(sample_file, bench, Store(db), "reference solutions", None, kind="selfcheck")
        return
    store = Store(db)
    with ProgressBar(f"selfcheck {benchmark}", enabled=not quiet) as bar:
        report = run_evaluation(sample_file, bench, settings, store, kind="selfcheck", on_progress=bar, resume=False)
    failed = [e for e in report.executions if not e.passed]
    isolation_level = report.summary.get("isolation")
    skipped = report.summary.get("skipped")
    if skipped:
        for task, reason in skipped["reasons"].items():
            err_console.print(f"[yellow]SKIP[/] {task}: {escape(reason)}", highlight=False)
        console.print(f"selfcheck {benchmark}: {skipped['problems']} of {len(programs)} problems skipped (cannot run here), "
                      f"{len(report.executions)} run")
        programs = [p for p in programs if p.task_id not in skipped["reasons"]]
    if json_path:
        write_json(json_path, {"total": len(programs), "passed": len(programs) - len(failed), "failed": sorted(e.task_id for e in failed),
                               **({"skipped": skipped["reasons"]} if skipped else {})})
    if failed:
        for e in failed:
            err_console.print(f"[red]FAIL[/] {e.task_id}: {e.status.value}: {e.error}")
        err_console.print(f"selfcheck {benchmark}: {len(failed)} of {len(programs)} reference solutions failed (isolation: {isolation_level}); run {report.run_id}")
        sys.exit(1)
    console.print(f"selfcheck {benchmark}: all {len(programs)} reference solutions pass (isolation: {isolation_level}; run {report.run_id})")
