"""`nl2code doctor`: which isolation layers work on this machine, and the level runs will record."""

from __future__ import annotations

import json
import platform
import sys

import click


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
def doctor(as_json: bool) -> None:
    """Check each sandbox layer in a throw-away process and show the isolation level in force."""
    from nl2code.execution.isolation import probe_layers
    from nl2code.pipeline import make_executor

    checks = probe_layers() if sys.platform.startswith("linux") else []
    with make_executor("local", workers=1, isolation="auto", preimports=()) as executor:
        level = executor.level
    if as_json:
        click.echo(json.dumps({
            "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
            "layers": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
            "isolation": level,
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
