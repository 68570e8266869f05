"""What the repository's YAML manifest folders (analyses/, reproductions/) share: strict models, the
name rule, the folder lookup, and reading one manifest with errors that name its file and line."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from nl2code.errors import InputError

NAME_PATTERN = r"^[a-z0-9][a-z0-9._+-]*$"
REPO_ROOT = Path(__file__).resolve().parents[2]

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def default_dir(env: str, folder: str) -> Path:
    """$ENV, else the repository's FOLDER/, else ./FOLDER."""
    if os.environ.get(env):
        return Path(os.environ[env])
    repo = REPO_ROOT / folder
    return repo if repo.is_dir() else Path.cwd() / folder


def read_manifest(path: Path, model: type[M], guide: str) -> tuple[M, Callable[[tuple[Any, ...], str], InputError]]:
    """PATH validated as MODEL, and a `fail(loc, message)` that makes an error at a field's line.
    YAML and schema errors name the file and line and point to GUIDE; a manifest's `name` must be
    its file name."""
    from nl2code.catalog._loader import _line_map, _parse, line_for

    try:
        node, data = _parse(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise InputError(f"{where}: invalid YAML ({getattr(exc, 'problem', None) or exc}); fix the syntax at that line") from exc
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _line_map(node, (), lines, [])
    try:
        manifest = model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(top level)"
        line = line_for(lines, tuple(first["loc"]))
        raise InputError(f"{path}:{line or 1}: {field}: {first['msg']} ({len(exc.errors())} problem(s)); see {guide}") from exc

    def fail(loc: tuple[Any, ...], message: str) -> InputError:
        return InputError(f"{path}:{line_for(lines, loc) or 1}: {message}")

    name = getattr(manifest, "name", path.stem)
    if name != path.stem:
        raise fail(("name",), f"name {name!r} differs from the file name; rename the file to {name}.yaml")
    return manifest, fail
