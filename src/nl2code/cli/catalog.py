"""`nl2code catalog ...`: validate, search, show, add, export and publish catalog entries."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from nl2code.catalog import default_catalog_path, export_csv, export_json, export_sqlite, read_catalog

PATH_OPTION = click.option(
    "--path", "catalog_path", type=click.Path(path_type=Path, file_okay=False),
    default=None, help="Catalog folder (default: $NL2CODE_CATALOG or the repository's catalog/).",
)


@click.group()
def catalog() -> None:
    """The NL2Code landscape as typed data: models, benchmarks, papers, metrics, results."""


@catalog.command()
@PATH_OPTION
@click.option("--check-links", is_flag=True, help="Also try every cited URL; one that does not answer is a warning, never an error.")
def validate(catalog_path: Path | None, check_links: bool) -> None:
    """Check every catalog file; each error names file, line and field and says how to fix it.
    With --check-links, cited URLs that do not answer are reported as warnings (not errors)."""
    cat, issues = read_catalog(catalog_path)
    warnings = []
    if check_links:
        from nl2code.catalog._validate import check_links as run_check

        warnings = run_check(cat)
    for issue in issues + warnings:
        click.echo(str(issue), err=True)
    counts = (f"{len(cat.models)} model families ({len(cat.variants)} variants), {len(cat.benchmarks)} benchmarks, "
              f"{len(cat.papers)} papers, {len(cat.metrics)} metrics, {len(cat.results)} results")
    if issues:
        raise click.ClickException(f"{len(issues)} problem(s) in {cat.root}; valid so far: {counts}")
    suffix = f" ({len(warnings)} warning(s): sources unreachable from here)" if warnings else ""
    click.echo(f"catalog OK: {counts}{suffix}")


@catalog.command()
@click.argument("query", required=False, default="")
@click.option("--kind", type=click.Choice(["model", "benchmark", "paper", "metric"]), help="Only this kind of entity.")
@click.option("--tag", help="Only entities with this tag.")
@click.option("--year", type=int, help="Only entities released / published in this year.")
@click.option("--open", "open_only", is_flag=True, help="Only models with open weights.")
@click.option("--limit", type=int, default=20, show_default=True, help="At most this many hits (0: all).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {id, name, kind, score, ...}, best first.")
@PATH_OPTION
def search(query: str, kind: str | None, tag: str | None, year: int | None, open_only: bool, limit: int,
           as_json: bool, catalog_path: Path | None) -> None:
    """Find models, benchmarks, papers and metrics by name, alias or text; typos are forgiven."""
    from nl2code.catalog._search import search as run_search

    cat = _load(catalog_path)
    hits = run_search(cat, query, kind=kind, tag=tag, year=year, open_only=open_only, limit=limit or None)
    if as_json:
        click.echo(json.dumps([hit.to_json() for hit in hits], indent=2, ensure_ascii=False))
        return
    if not hits:
        click.echo("no match; try fewer words, or drop a filter", err=True)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("score", "kind", "id", "name", "year", "matched", box=None)
    for hit in hits:
        table.add_row(f"{hit.score:.0f}" if query else "", hit.kind, hit.entity.id, hit.entity.name,
                      str(hit.year or ""), hit.matched if hit.matched != hit.entity.name else "")
    Console().print(table)


@catalog.command()
@click.argument("entity_id")
@click.option("--json", "as_json", is_flag=True, help="Print the entity as JSON.")
@PATH_OPTION
def show(entity_id: str, as_json: bool, catalog_path: Path | None) -> None:
    """Show one entity (by id, name or alias) with its results."""
    from nl2code.catalog._export import result_record
    from nl2code.catalog._schema import Result
    from nl2code.catalog._search import resolve, search as run_search
    from nl2code.catalog._write import to_yaml

    cat = _load(catalog_path)
    entity = resolve(cat, entity_id)
    if entity is None:
        hits = run_search(cat, entity_id, limit=5)
        hint = ", ".join(h.entity.id for h in hits) or "nothing close"
        raise click.ClickException(f"no entity {entity_id!r}; closest: {hint}")
    data = result_record(entity, cat) if isinstance(entity, Result) else entity.model_dump(mode="json")
    results = [] if isinstance(entity, Result) else cat.results_for(entity.id)
    if as_json:
        data["results"] = [result_record(r, cat) for r in results]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    where = cat.locations.get(entity.id)
    if where:
        click.echo(f"# {where.file.relative_to(cat.root.parent) if where.file.is_relative_to(cat.root.parent) else where.file}:{where.line}")
    click.echo(to_yaml(data), nl=False)
    if results:
        from rich.console import Console
        from rich.table import Table

        rows = [(r.model, r.benchmark, r.metric_label, f"{r.value:g}", r.setting or "", "yes" if r.verified else "no", r.source.title)
                for r in sorted(results, key=lambda r: (r.benchmark, r.model, r.metric_label))]
        table = Table(title=f"{len(results)} results", box=None)
        # ids, metrics and values are never shortened (a cut number reads as another number);
        # the free text (setting, source) takes what width is left, folded onto more lines.
        for i, column in enumerate(("model", "benchmark", "metric", "value", "setting", "verified", "source")):
            if column in ("setting", "source"):
                table.add_column(column, overflow="fold", ratio=1, min_width=12)
            else:
                table.add_column(column, no_wrap=True, min_width=max(len(column), *(len(row[i]) for row in rows)),
                                 justify="right" if column == "value" else "left")
        for row in rows:
            table.add_row(*row)
        Console(width=max(Console().width, 140)).print(table)


@catalog.group()
def add() -> None:
    """Add a model, benchmark or result; from flags, or interactively for what is missing."""


def _ask(value: Any, prompt: str, *, interactive: bool, required: bool = True, **kwargs: Any) -> Any:
    if value not in (None, ()) or not interactive:
        return value
    if not required:
        answer = click.prompt(prompt + " (empty to skip)", default="", show_default=False, **kwargs)
        return answer if answer != "" else None
    return click.prompt(prompt, **kwargs)


def _interactive(flag: bool | None) -> bool:
    return flag if flag is not None else sys.stdin.isatty()


INTERACTIVE = click.option("--interactive/--no-interactive", default=None,
                           help="Prompt for missing fields (default: when stdin is a terminal).")


@add.command("model")
@click.option("--id", "entity_id", help="File name and id (default: from the name).")
@click.option("--name")
@click.option("--alias", "aliases", multiple=True)
@click.option("--org", "organization", multiple=True, help="Organization (repeatable).")
@click.option("--release-date", help="YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--architecture", type=click.Choice(["decoder-only", "encoder-decoder", "encoder-only", "encoder-denoiser-decoder", "moe-decoder-only"]))
@click.option("--weights", type=click.Choice(["open", "on-request", "promised", "api", "closed"]))
@click.option("--license")
@click.option("--paper", help="Id of a catalog paper.")
@click.option("--url")
@click.option("--context-window", type=int)
@click.option("--tag", "tags", multiple=True)
@click.option("--variant", "variants", multiple=True, metavar="SIZE[:HF_REPO]",
              help="A released size, e.g. 7B or 7B:org/model-7b (repeatable).")
@click.option("--source-title", help="Where these facts come from (e.g. 'model card').")
@click.option("--source-url")
@INTERACTIVE
@PATH_OPTION
def add_model_cmd(entity_id, name, aliases, organization, release_date, architecture, weights, license, paper, url,
                  context_window, tags, variants, source_title, source_url, interactive, catalog_path) -> None:
    """Write catalog/models/ID.yaml for a new model family."""
    from nl2code.catalog._write import add_model, parse_size, slugify

    ask = _interactive(interactive)
    name = _ask(name, "name", interactive=ask)
    if not name:
        raise click.UsageError("--name is required")
    release_date = _ask(release_date, "release date (YYYY-MM-DD)", interactive=ask, required=False)
    architecture = _ask(architecture, "architecture", interactive=ask, required=False,
                        type=click.Choice(["decoder-only", "encoder-decoder", "encoder-only", "encoder-denoiser-decoder", "moe-decoder-only", ""]))
    weights = _ask(weights, "weights", interactive=ask, required=False, type=click.Choice(["open", "on-request", "promised", "api", "closed", ""]))
    if not variants and ask:
        answer = click.prompt("sizes, comma-separated (e.g. 1.3B,7B; empty to skip)", default="", show_default=False)
        variants = tuple(v.strip() for v in answer.split(",") if v.strip())
    family_id = entity_id or slugify(name)
    variant_data = []
    for spec in variants:
        size, _, repo = spec.partition(":")
        variant_data.append({"id": f"{family_id}-{size.strip().lower()}", "name": f"{name}-{size.strip()}",
                             "parameters": parse_size(size), "huggingface": repo or None})
    sources = [{"kind": "model-card" if source_url and "huggingface" in source_url else "paper", "title": source_title,
                "url": source_url, "verified": False}] if source_title else []
    path = add_model(_root(catalog_path), {
        "id": family_id, "name": name, "aliases": list(aliases), "organization": list(organization),
        "release_date": release_date, "architecture": architecture or None, "weights": weights or None, "license": license,
        "paper": paper, "url": url, "context_window": context_window, "tags": list(tags), "variants": variant_data,
        "sources": sources,
    })
    click.echo(f"wrote {path}")


@add.command("benchmark")
@click.option("--id", "entity_id")
@click.option("--name")
@click.option("--alias", "aliases", multiple=True)
@click.option("--release-date")
@click.option("--org", "organization", multiple=True)
@click.option("--paper", help="Id of a catalog paper.")
@click.option("--url")
@click.option("--instances", type=int)
@click.option("--nl", "natural_languages", multiple=True, help="Natural language of the problems (repeatable).")
@click.option("--pl", "programming_languages", multiple=True, help="Programming language of the solutions (repeatable).")
@click.option("--scenario", help="One of the closed list (see `nl2code catalog schema`).")
@click.option("--test-cases/--no-test-cases", default=None)
@click.option("--derived-from", multiple=True, help="Id of a benchmark it extends (repeatable).")
@click.option("--tag", "tags", multiple=True)
@INTERACTIVE
@PATH_OPTION
def add_benchmark_cmd(entity_id, name, aliases, release_date, organization, paper, url, instances, natural_languages,
                      programming_languages, scenario, test_cases, derived_from, tags, interactive, catalog_path) -> None:
    """Write catalog/benchmarks/ID.yaml for a new benchmark."""
    from nl2code.catalog._schema import Scenario
    from nl2code.catalog._write import add_benchmark

    ask = _interactive(interactive)
    name = _ask(name, "name", interactive=ask)
    if not name:
        raise click.UsageError("--name is required")
    url = _ask(url, "url", interactive=ask, required=False)
    instances = _ask(instances, "number of problems", interactive=ask, required=False, type=int)
    scenario = _ask(scenario, "scenario", interactive=ask, required=False, type=click.Choice([s.value for s in Scenario] + [""]))
    if not programming_languages and ask:
        answer = click.prompt("programming languages, comma-separated (empty to skip)", default="", show_default=False)
        programming_languages = tuple(p.strip() for p in answer.split(",") if p.strip())
    path = add_benchmark(_root(catalog_path), {
        "id": entity_id, "name": name, "aliases": list(aliases), "release_date": release_date, "organization": list(organization),
        "paper": paper, "url": url, "instances": instances, "natural_languages": list(natural_languages),
        "programming_languages": list(programming_languages), "scenario": scenario or None, "test_cases": test_cases,
        "derived_from": list(derived_from), "tags": list(tags),
    })
    click.echo(f"wrote {path}")


@add.command("result")
@click.option("--model", help="Model variant id.")
@click.option("--benchmark", help="Benchmark id.")
@click.option("--metric", default="pass-at-k", show_default=True, help="Metric id.")
@click.option("--k", type=int, help="k of pass@k.")
@click.option("--value", type=float, help="pass@k in percent (33.6, not 0.336).")
@click.option("--temperature", type=float)
@click.option("--top-p", type=float)
@click.option("--n", "n_samples", type=int, help="Samples per problem.")
@click.option("--greedy/--sampled", default=None)
@click.option("--prompt-style", type=click.Choice(["completion", "instruct", "few-shot", "unknown"]), default="unknown", show_default=True)
@click.option("--setting", help="Anything else that changes the number.")
@click.option("--source-kind", type=click.Choice(["paper", "model-card", "leaderboard", "repository", "blog", "site", "survey"]), default="paper", show_default=True)
@click.option("--source-title", help="Short citation, e.g. 'Li et al. 2023, Table 3'.")
@click.option("--source-url")
@click.option("--table", help="Table or section holding the number.")
@click.option("--paper", help="Id of the catalog paper that published it.")
@click.option("--date", help="When it was published (YYYY-MM-DD).")
@click.option("--verified", is_flag=True, help="You opened --source-url and read this number in --table.")
@click.option("--file", "file_name", default="contributed", show_default=True, help="catalog/results/FILE.yaml to append to.")
@INTERACTIVE
@PATH_OPTION
def add_result_cmd(model, benchmark, metric, k, value, temperature, top_p, n_samples, greedy, prompt_style, setting, source_kind,
                   source_title, source_url, table, paper, date, verified, file_name, interactive, catalog_path) -> None:
    """Append a published result (model variant x benchmark x metric) to catalog/results/FILE.yaml."""
    from nl2code.catalog._write import add_results

    ask = _interactive(interactive)
    model = _ask(model, "model variant id", interactive=ask)
    benchmark = _ask(benchmark, "benchmark id", interactive=ask)
    if metric == "pass-at-k":
        k = _ask(k, "k", interactive=ask, type=int)
    value = _ask(value, "value (percent)", interactive=ask, type=float)
    source_title = _ask(source_title, "source (short citation)", interactive=ask)
    source_url = _ask(source_url, "source URL", interactive=ask, required=False)
    missing = [flag for flag, v in (("--model", model), ("--benchmark", benchmark), ("--value", value), ("--source-title", source_title)) if v is None]
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)} (or run in a terminal to be asked)")
    decoding = {"temperature": temperature, "top_p": top_p, "n": n_samples, "greedy": greedy}
    decoding = {key: v for key, v in decoding.items() if v is not None} or None
    path, results = add_results(_root(catalog_path), [{
        "model": model, "benchmark": benchmark, "metric": metric, "k": k, "value": value, "decoding": decoding,
        "prompt_style": prompt_style, "setting": setting, "date": date, "verified": verified,
        "source": {"kind": source_kind, "title": source_title, "url": source_url, "table": table, "paper": paper, "verified": verified},
    }], file_name)
    click.echo(f"added {results[0].id} to {path}")


@catalog.command()
@click.argument("run")
@click.option("--db", default="nl2code.db", show_default=True, help="Results store: a SQLite file or an SQLAlchemy URL.")
@click.option("--model", help="Catalog variant id of the evaluated model (default: from the run's model name).")
@click.option("--benchmark", help="Catalog benchmark id (default: from the run).")
@PATH_OPTION
def publish(run: str, db: str, model: str | None, benchmark: str | None, catalog_path: Path | None) -> None:
    """Add a stored run (id, id prefix or 'latest') to the catalog as reproduced results."""
    from nl2code.catalog._publish import publish_run

    path, results = publish_run(_root(catalog_path), run, db, model=model, benchmark=benchmark)
    for result in results:
        click.echo(f"{result.id}: {result.metric_label} = {result.value:g}")
    click.echo(f"published {len(results)} result(s) to {path}")


@catalog.command()
@PATH_OPTION
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "sqlite"]), default="json", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Output file (json, sqlite) or folder (csv: one file per entity type). json without --out prints.")
def export(catalog_path: Path | None, fmt: str, out: Path | None) -> None:
    """Export the validated catalog as JSON, CSV files or a SQLite database."""
    cat = _load(catalog_path)
    if fmt == "json":
        text = export_json(cat, out)
        if out is None:
            click.echo(text, nl=False)
        else:
            click.echo(f"wrote {out}", err=True)
        return
    if out is None:
        raise click.UsageError(f"--format {fmt} needs --out PATH")
    if fmt == "csv":
        for path in export_csv(cat, out):
            click.echo(f"wrote {path}", err=True)
        return
    click.echo(f"wrote {export_sqlite(cat, out)}", err=True)


@catalog.command()
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder for the JSON Schema files (default: <catalog>/schema).")
@PATH_OPTION
def schema(out: Path | None, catalog_path: Path | None) -> None:
    """Write JSON Schema files for editors (one per entity type)."""
    from nl2code.catalog._schema import ENTITY_TYPES

    folder = out or (catalog_path or default_catalog_path()) / "schema"
    folder.mkdir(parents=True, exist_ok=True)
    for kind, model in ENTITY_TYPES.items():
        path = folder / f"{kind}.schema.json"
        path.write_text(json.dumps(model.model_json_schema(), indent=2) + "\n", encoding="utf-8")
        click.echo(f"wrote {path}", err=True)


def _root(catalog_path: Path | None) -> Path:
    return catalog_path or default_catalog_path()


def _load(catalog_path: Path | None):
    cat, issues = read_catalog(catalog_path)
    if issues:
        for issue in issues[:20]:
            click.echo(str(issue), err=True)
        raise click.ClickException(f"the catalog has {len(issues)} problem(s); run `nl2code catalog validate`")
    return cat
