"""Every command and subcommand has help text (docs tested, as datasette does)."""

from __future__ import annotations

import click
from click.testing import CliRunner

from nl2code.cli import COMMANDS, cli


def walk(command: click.Command, path: list[str]):
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            yield from walk(command.get_command(ctx, name), [*path, name])


def test_every_registered_command_loads_and_has_help():
    runner = CliRunner()
    seen = []
    for path, command in walk(cli, []):
        assert command is not None, path
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        if path:
            assert (command.help or "").strip(), f"nl2code {' '.join(path)} has no help text"
        seen.append(" ".join(path))
    assert set(COMMANDS) <= {p.split(" ")[0] for p in seen if p}
