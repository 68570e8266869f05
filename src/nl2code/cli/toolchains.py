"""`nl2code toolchains`: install and list the compilers and runtimes each language needs."""

from __future__ import annotations

import json
import time

import click


@click.group()
def toolchains() -> None:
    """Install and list the toolchains of the languages nl2code runs."""


@toolchains.command("install")
@click.argument("languages", nargs=-1)
@click.option("--dry-run", is_flag=True, help="Print the package-manager commands instead of running them.")
def install(languages: tuple[str, ...], dry_run: bool) -> None:
    """Install the toolchains of LANGUAGES (all when none is given) with apt and npm.

    Idempotent: packages already present are skipped, and nothing runs when all are there.
    Languages take nl2code's names or MultiPL-E's codes (cpp, cs, d, go, java, js, ts, rs, ...)."""
    from nl2code.execution import toolchains as tc

    started = time.monotonic()
    todo = tc.plan(languages)
    for name, note in todo.unavailable.items():
        click.echo(f"{name}: not installable here ({note})", err=True)
    done = [n for n in todo.languages if n not in todo.unavailable]
    if dry_run:
        for argv in tc.commands(todo):
            click.echo(" ".join(argv))
        if todo.empty:
            click.echo(f"toolchains present: {', '.join(done)}")
        return
    if todo.empty:
        click.echo(f"toolchains present: {', '.join(done)}")
    else:
        click.echo(f"installing: apt {' '.join(todo.apt) or '-'}; npm {' '.join(todo.npm) or '-'}", err=True)
        tc.install(todo)
        click.echo(f"toolchains installed in {time.monotonic() - started:.0f} s: {', '.join(done)}")
    # what every sample of a language shares, built once per toolchain version (quick when present)
    prepared = tc.prepare(done)
    count = sum(len(v) for v in prepared.values())
    click.echo(f"shared toolchain artifacts ready ({count}, {time.monotonic() - started:.0f} s in all): "
               + ", ".join(f"{n} {len(v)}" for n, v in prepared.items()))


@toolchains.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
def list_(as_json: bool) -> None:
    """Each language with its toolchain version (or what is missing) and its packages."""
    from nl2code.cli._common import console
    from nl2code.execution import toolchains as tc
    from rich.markup import escape
    from rich.table import Table

    todo = tc.plan(())
    table = tc.all_toolchains()
    found = tc.versions(table)
    rows = []
    for name, chain in table.items():
        packages = [p.name for p in chain.apt] + [p.spec for p in chain.npm]
        missing = [p for p in packages if p in todo.apt or p in todo.npm]
        rows.append({
            "language": name, "version": found[name], "packages": packages, "missing": missing,
            "path_only": chain.path_only,
        })
    if as_json:
        click.echo(json.dumps({"languages": rows}))
        return
    table = Table("language", "version", "packages (missing marked !)")
    for row in rows:
        shown = " ".join(f"!{p}" if p in row["missing"] else p for p in row["packages"]) or "(on PATH only)"
        table.add_row(row["language"], escape(row["version"]) if row["version"] else "[red]not found[/red]", escape(shown))
    console.print(table)
