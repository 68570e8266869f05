"""Prediction and reference files for `score-text`: one text per line, a JSONL with a `text` field,
or a JSON list (of strings, of CoNaLa records whose `snippet` is the text, or of ExplainaBoard
system-output records whose `hypothesis` is)."""

from __future__ import annotations

import json
from pathlib import Path

from nl2code.errors import InputError


# the field holding the text in a JSON list of records: CoNaLa's data files, ExplainaBoard's outputs
_TEXT_KEYS = ("snippet", "hypothesis")


def read_texts(path: str | Path, flag: str, field: str | None = None) -> list[str]:
    """The texts of `path` in order. Plain text: one per line (a final newline ends the last line,
    it does not start an empty one). `.jsonl`: one JSON object per line with a string `text`.
    `.json`: a list of strings (the official CoNaLa answer format) or of objects with `snippet`
    (CoNaLa's data files) or `hypothesis` (ExplainaBoard's system outputs, in which published CoNaLa
    predictions circulate). `field` names the string field of each record to read instead (a file
    holding several systems' outputs side by side, one field per system)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (given with {flag})") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory (given with {flag}); pass a file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}, given with {flag}); save it as UTF-8") from None
    if path.suffix == ".jsonl":
        return _jsonl(path, text, field or "text")
    if path.suffix == ".json":
        return _json(path, text, field)
    if field is not None:
        raise InputError(f"{path}: --field {field} needs a .json or .jsonl file of records; this is read as plain text, one item per line")
    if text.endswith("\n"):
        text = text[:-1]
    return [line.removesuffix("\r") for line in text.split("\n")] if text else []


def _jsonl(path: Path, text: str, field: str) -> list[str]:
    texts = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not valid JSON ({exc.msg}); each line must be an object such as {{\"text\": \"...\"}}") from None
        if not isinstance(record, dict) or not isinstance(record.get(field), str):
            raise InputError(f"{path}:{number}: no string field '{field}'; each line must be an object such as {{\"{field}\": \"...\"}}")
        texts.append(record[field])
    return texts


def _json(path: Path, text: str, field: str | None) -> list[str]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a JSON list of strings (or of objects with 'snippet' or 'hypothesis')")
    if field is not None:
        return [_field(path, position, item, field) for position, item in enumerate(data)]
    texts = []
    for position, item in enumerate(data):
        if isinstance(item, dict):
            item = next((item[key] for key in _TEXT_KEYS if isinstance(item.get(key), str)), item)
        if not isinstance(item, str):
            raise InputError(f"{path}: item {position} is not a string (nor an object with a string 'snippet' or 'hypothesis')")
        texts.append(item)
    return texts


def _field(path: Path, position: int, item, field: str) -> str:
    if not isinstance(item, dict) or not isinstance(item.get(field), str):
        fields = ", ".join(sorted(item)) if isinstance(item, dict) else type(item).__name__
        raise InputError(f"{path}: item {position} has no string field '{field}' (it has: {fields}); check --field")
    return item[field]


def check_counts(predictions: list[str], references: list[str], prediction_path: str | Path, reference_path: str | Path) -> None:
    if len(predictions) != len(references):
        raise InputError(
            f"{prediction_path} has {len(predictions)} predictions but {reference_path} has {len(references)} references; "
            "give one prediction per reference, in the same order")
