"""`nl2code reproduce [NAME...]`: re-run the reproductions of published numbers."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from nl2code.cli._common import console, db_option


@click.command()
@click.argument("names", nargs=-1)
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), help="Reproductions folder (default: $NL2CODE_REPRODUCTIONS, else the repository's reproductions/).")
@click.option("--from", "roots", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder holding local copies of the released files (as each manifest's `local:` path); repeatable. Default: $NL2CODE_SHARED, then ../shared.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker processes for the evaluation (default: one per core).")
@click.option("--list", "list_only", is_flag=True, help="List the reproductions and their last measured numbers; run nothing.")
@db_option
def reproduce(names, directory, roots, workers, list_only, db):
    """Re-run reproductions (all, or the NAMEs given) from the released generations: each file's
    sha256 is checked, the manifest's command is run, and reproductions/results/ is rewritten."""
    from nl2code.reproduce import default_dir, default_roots, load_manifests, load_records, run

    directory = directory or default_dir()
    manifests = load_manifests(directory)
    known = {m.name: m for m in manifests}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise click.BadParameter(f"no reproduction {', '.join(unknown)}; known: {', '.join(known) or '(none)'}", param_hint="NAME")
    chosen = [known[n] for n in names] if names else manifests
    if list_only:
        measured = {r["name"]: r for r in load_records(directory)}
        for m in chosen:
            record = measured.get(m.name)
            scores = ", ".join(f"{label} {s['value']:.2f}" for label, s in (record or {}).get("scores", {}).items()) or "not measured yet"
            published = ", ".join(f"{p.metric} {p.value:g}" for p in m.published)
            console.print(f"[bold]{m.name}[/]  {m.title}\n  published: {published}\n  nl2code:   {scores}\n  command:   {m.display_command()}")
        return
    search = list(roots) + default_roots()
    from nl2code.benchmarks._data import cache_dir

    for m in chosen:
        console.print(f"reproducing [bold]{m.name}[/]: {m.display_command()}")
        record = run(m, roots=search, db=db, work=cache_dir().parent / "reproductions" / m.name, results_dir=directory / "results",
                     workers=workers, progress=sys.stderr.isatty())
        for p in m.published:
            got = record["scores"].get(p.metric)
            if got is None:
                console.print(f"  {p.metric}: published {p.value:g}, not measured (the samples do not allow it)")
                continue
            low, high = got["ci"] or (None, None)
            interval = f" [{low - p.value:+.1f}, {high - p.value:+.1f}]" if low is not None else ""
            console.print(f"  {p.metric}: published {p.value:g}, nl2code {got['value']:.2f}, difference {got['value'] - p.value:+.2f}{interval} (95% bootstrap)")
        console.print(f"  run {record['run_id']} stored in {db}; record: {directory / 'results' / (m.name + '.json')}")
    if not chosen:
        console.print(f"no reproductions in {directory}")
