"""The `nl2code` command line: one thin module per command group, loaded only when used."""

from __future__ import annotations

import importlib
import logging
import sys

import click

from nl2code import __version__
from nl2code.errors import NL2CodeError

# command name -> "module:attribute"; each module owns one command or group.
COMMANDS: dict[str, str] = {
    "evaluate": "nl2code.cli.evaluate:evaluate",
    "selfcheck": "nl2code.cli.evaluate:selfcheck",
    "runs": "nl2code.cli.runs:runs",
    "benchmarks": "nl2code.cli.benchmarks:benchmarks",
    "generate": "nl2code.cli.generate:generate",
    "run": "nl2code.cli.generate:run",
    "catalog": "nl2code.cli.catalog:catalog",
    "site": "nl2code.cli.site:site",
    "doctor": "nl2code.cli.doctor:doctor",
    "rerank": "nl2code.cli.rerank:rerank",
    "analyze": "nl2code.cli.analyze:analyze",
    "score-text": "nl2code.cli.text:score_text",
    "reproduce": "nl2code.cli.reproduce:reproduce",
    "toolchains": "nl2code.cli.toolchains:toolchains",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS:
            module_name, attr = COMMANDS[name].split(":")
            return getattr(importlib.import_module(module_name), attr)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, context_settings={"auto_envvar_prefix": "NL2CODE", "help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nl2code")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
def cli(verbose: int) -> None:
    """nl2code: evaluate and track large language models for code generation."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:  # click's form of Ctrl-C (and of a declined confirmation)
        click.echo("Aborted; finished work is stored, rerun the same command to resume.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except NL2CodeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("Interrupted; finished work is stored, rerun the same command to resume.", err=True)
        sys.exit(130)
