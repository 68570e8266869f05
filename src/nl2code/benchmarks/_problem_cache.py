"""A disk cache of parsed benchmark problems: turning test code into steps (AST classification,
`ast.unparse`) costs 0.15-0.5 s a load, which every `nl2code evaluate` paid at start-up.

An entry is keyed by everything the parse depends on: the benchmark name, the data file's
sha256, the nl2code version, the Python version, PARSER_VERSION and a hash of the source of the
parsing code (every module of this package, and `records.py`); change any and the entry is not
found, so a cached load is always what a fresh parse would give. An entry that cannot be read,
is corrupt (its content hash is checked before decoding) or names another key is ignored and
rewritten (a temporary file, then `os.replace`). The cache lives next to the data cache
(`NL2CODE_CACHE`, else `$XDG_CACHE_HOME/nl2code`, else `~/.cache/nl2code`) under `problems/`;
`NL2CODE_PROBLEM_CACHE` names another directory, or `off` turns the cache off.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from nl2code import __version__
from nl2code.records import Comparison, Problem, StepKind, TestStep

log = logging.getLogger(__name__)

# bump when parsing changes in a way the source hash below cannot see (a dependency's behaviour)
PARSER_VERSION = 1
_FORMAT = "nl2code-problems-1"
_PROBLEM_FIELDS = tuple(f.name for f in dataclasses.fields(Problem))
_STEPS = _PROBLEM_FIELDS.index("steps")
_KINDS = {k.value: k for k in StepKind}
_COMPARISONS = {c.value: c for c in Comparison}

Parse = Callable[[], tuple[list[Problem], list[str]]]


def cache_root() -> Path | None:
    """The directory of the entries, or None when the cache is off."""
    override = os.environ.get("NL2CODE_PROBLEM_CACHE")
    if override:
        return None if override.lower() in ("off", "0", "no", "false") else Path(override)
    from nl2code.benchmarks._data import cache_dir

    return cache_dir().parent / "problems"


_source_digest: str | None = None


def source_files() -> list[Path]:
    """The parsing code: the modules of nl2code.benchmarks, and nl2code.records."""
    import nl2code.records

    package = sorted(Path(__file__).parent.glob("*.py"))
    if Path(__file__).name not in {p.name for p in package}:  # installed without sources: no cache
        raise FileNotFoundError(f"no Python sources in {Path(__file__).parent}")
    return package + [Path(nl2code.records.__file__)]


def source_digest() -> str:
    global _source_digest
    if _source_digest is None:
        digest = hashlib.sha256()
        for path in source_files():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        _source_digest = digest.hexdigest()
    return _source_digest


def cache_key(name: str, data_sha256: str) -> str:
    payload = {
        "format": _FORMAT,
        "benchmark": name,
        "data_sha256": data_sha256,
        "nl2code": __version__,
        "python": [sys.implementation.name, *sys.version_info[:3]],
        "parser_version": PARSER_VERSION,
        "source": source_digest(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def entry_path(root: Path, name: str, data_sha256: str, key: str) -> Path:
    return root / f"{name}-{data_sha256[:16]}-{key[:16]}.marshal"


def cached_problems(name: str, source: Path, data_sha256: str, parse: Parse, logger: logging.Logger = log) -> list[Problem]:
    """The problems `parse()` returns for the data file `source`, from the cache when an entry for
    this exact key exists. `parse` returns (problems, warnings about the data); the warnings are
    logged, prefixed with `source`, on every load, cached or not."""
    root = cache_root()
    try:
        key = cache_key(name, data_sha256) if root is not None else None
    except OSError as exc:  # the source is not readable (a zipped install): no cache
        log.debug("problem cache off: %s", exc)
        key = None
    if root is None or key is None:
        problems, warnings = parse()
    else:
        path = entry_path(root, name, data_sha256, key)
        entry = _read(path, key)
        if entry is None:
            problems, warnings = parse()
            _write(path, key, problems, warnings)
        else:
            problems, warnings = entry
    for warning in warnings:
        logger.warning("%s: %s", source, warning)
    return problems


def encode(problems: list[Problem]) -> list[tuple]:
    rows = []
    for p in problems:
        row = [getattr(p, f) for f in _PROBLEM_FIELDS]
        row[_STEPS] = tuple(
            (s.kind.value, s.source, s.comparison.value if s.comparison is not None else None, s.expected, s.tolerance, s.inclusive, s.example)
            for s in p.steps
        )
        rows.append(tuple(row))
    return rows


def decode(rows: list) -> list[Problem]:
    problems = []
    for row in rows:
        row = list(row)
        row[_STEPS] = tuple(
            TestStep(_KINDS[kind], source, _COMPARISONS[comparison] if comparison is not None else None, expected, tolerance, inclusive, example)
            for kind, source, comparison, expected, tolerance, inclusive, example in row[_STEPS]
        )
        problems.append(Problem(*row))
    return problems


def _read(path: Path, key: str) -> tuple[list[Problem], list[str]] | None:
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    try:
        digest, payload = blob[:32], blob[32:]
        if hashlib.sha256(payload).digest() != digest:
            raise ValueError("content hash mismatch")
        fmt, stored_key, rows, warnings = marshal.loads(payload)
        if fmt != _FORMAT or stored_key != key:
            raise ValueError("another key")
        return decode(rows), list(warnings)
    except Exception as exc:  # noqa: BLE001 - any bad entry means: parse again
        log.debug("problem cache entry %s ignored (%s); parsing again", path, exc)
        return None


def _write(path: Path, key: str, problems: list[Problem], warnings: list[str]) -> None:
    try:
        payload = marshal.dumps((_FORMAT, key, encode(problems), list(warnings)))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        # entries of other keys for the same data are stale (an older nl2code or parser)
        for stale in path.parent.glob(f"{path.name.rsplit('-', 1)[0]}-*.marshal"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except (OSError, ValueError) as exc:  # a cache only: never fail a load over it
        log.debug("problems of %s not cached in %s: %s", path.name, path.parent, exc)
