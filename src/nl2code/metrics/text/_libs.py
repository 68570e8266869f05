"""The `text` extra's libraries, imported when a metric needs them, with an error naming the extra."""

from __future__ import annotations

import importlib
from importlib import metadata
from types import ModuleType

from nl2code.errors import MissingExtraError

EXTRA = "text"


def require(module: str, distribution: str | None = None) -> ModuleType:
    """Import `module` of the text extra, or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(distribution or module, EXTRA) from exc


def version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def library(distribution: str) -> str:
    """'name version' of an installed distribution, as each summary records it."""
    return f"{distribution} {version(distribution)}"
