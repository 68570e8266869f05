"""`nl2code catalog ...`: validate, search, show, add, export and publish catalog entries."""

from __future__ import annotations

import json
from pathlib import Path

import click

from nl2code.catalog import export_csv, export_json, export_sqlite, read_catalog

PATH_OPTION = click.option(
    "--path", "catalog_path", type=click.Path(path_type=Path, file_okay=False),
    default=None, help="Catalog folder (default: $NL2CODE_CATALOG or the repository's catalog/).",
)


@click.group()
def catalog() -> None:
    """The NL2Code landscape as typed data: models, benchmarks, papers, metrics, results."""


@catalog.command()
@PATH_OPTION
def validate(catalog_path: Path | None) -> None:
    """Check every catalog file; each error names file, line and field and says how to fix it."""
    cat, issues = read_catalog(catalog_path)
    for issue in issues:
        click.echo(str(issue), err=True)
    counts = (f"{len(cat.models)} model families ({len(cat.variants)} variants), {len(cat.benchmarks)} benchmarks, "
              f"{len(cat.papers)} papers, {len(cat.metrics)} metrics, {len(cat.results)} results")
    if issues:
        raise click.ClickException(f"{len(issues)} problem(s) in {cat.root}; valid so far: {counts}")
    click.echo(f"catalog OK: {counts}")


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
    from nl2code.catalog import default_catalog_path

    folder = out or (catalog_path or default_catalog_path()) / "schema"
    folder.mkdir(parents=True, exist_ok=True)
    for kind, model in ENTITY_TYPES.items():
        path = folder / f"{kind}.schema.json"
        path.write_text(json.dumps(model.model_json_schema(), indent=2) + "\n", encoding="utf-8")
        click.echo(f"wrote {path}", err=True)


def _load(catalog_path: Path | None):
    cat, issues = read_catalog(catalog_path)
    if issues:
        for issue in issues[:20]:
            click.echo(str(issue), err=True)
        raise click.ClickException(f"the catalog has {len(issues)} problem(s); run `nl2code catalog validate`")
    return cat
