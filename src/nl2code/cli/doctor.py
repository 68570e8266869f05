"""`nl2code doctor`: which isolation layers work on this machine, and the level runs will record."""

from __future__ import annotations

import json
import platform
import sys

import click


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--languages/--no-languages", default=True, show_default=True,
              help="Also compile and run a tiny program in each language inside the sandbox.")
def doctor(as_json: bool, languages: bool) -> None:
    """Check each sandbox layer in a throw-away process, show the isolation level in force, and
    list each language with its toolchain version and whether it runs inside the sandbox here."""
    from nl2code.execution import toolchains
    from nl2code.execution.isolation import probe_layers
    from nl2code.pipeline import make_executor

    checks = probe_layers() if sys.platform.startswith("linux") else []
    table = toolchains.all_toolchains()
    versions = toolchains.versions(table) if languages else {}
    with make_executor("local", workers=2 if languages else 1, isolation="auto", preimports=()) as executor:
        level = executor.level
        runs = _hello(executor, table) if languages else {}
    rows = [_row(name, table[name], versions.get(name), runs.get(name)) for name in table] if languages else []
    if as_json:
        click.echo(json.dumps({
            "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
            "layers": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
            "isolation": level,
            "languages": rows,
        }))
        return
    click.echo(f"{platform.system()} {platform.release()} {platform.machine()}")
    width = max((len(c.name) for c in checks), default=0)
    for check in checks:
        mark = "ok  " if check.ok else "MISS"
        click.echo(f"  {mark} {check.name:<{width}}  {check.detail}")
    if not checks:
        click.echo("  no kernel isolation layers on this platform")
    weak = level == "weak"
    click.echo(f"isolation in force for `nl2code evaluate`: {level}" + ("  (WEAK: hostile code is not contained)" if weak else ""))
    if rows:
        click.echo("languages (a tiny program compiled and run inside the sandbox):")
        width = max(len(r["language"]) for r in rows)
        for row in rows:
            mark = "ok  " if row["ok"] else "MISS"
            ran = f"{row['sandbox']} in {row['seconds']:.1f} s" if row["seconds"] is not None else row["sandbox"]
            detail = f"  {row['detail']}" if row["detail"] and not row["ok"] else ""
            version = row["version"] or ("" if detail.startswith("  not installed") else "not installed")
            click.echo(f"  {mark} {row['language']:<{width}}  {ran:<22} {version}{detail}")


def _row(name: str, chain, version: str | None, run) -> dict:  # noqa: ANN001 - a Toolchain, a hello.Check
    from nl2code.execution import languages as registry

    if run is not None:
        status, ok, detail = run.status, run.ok, run.detail
    elif name in registry.names():  # Python: its samples run in the fork-server checked above
        status, ok, detail = "fork-server", version is not None, ""
    elif chain.path_only:
        status, ok, detail = "not on PATH", False, chain.note
    else:
        status, ok, detail = "no module yet", False, "installed by `nl2code toolchains install`; no language module runs it yet"
    return {"language": name, "version": version, "sandbox": status, "ok": ok,
            "seconds": round(run.seconds, 2) if run is not None else None, "detail": detail}


def _hello(executor, table) -> dict:  # noqa: ANN001 - an entered Executor, toolchains.all_toolchains()
    """Each registered, staged language's hello program through the executor; Python's own check is
    the isolation probe above (its samples run in the fork-server)."""
    from nl2code.execution import hello
    from nl2code.execution import languages as registry

    staged = [name for name in table if name in registry.names() and registry.get(name).staged]
    return hello.check(staged, executor)
