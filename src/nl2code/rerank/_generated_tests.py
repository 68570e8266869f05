"""Generated tests in: a model's `assert` outputs, parsed into test statements as CodeT does.

CodeT (Chen et al. 2022, "CodeT: Code Generation with Generated Tests", arXiv 2207.10397) asks
the model to continue `assert ` after a problem's signature and docstring. Each of its samples
is split on `assert `; a piece is kept when it mentions the entry point, is cut at the first
stop sequence, and compiles as a statement inside a `try` block; at most the first 5 kept
statements of each sample count. Those rules, applied here, decide which tests the ranking sees.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from nl2code.errors import SamplesFormatError

# where CodeT cuts a completion (solutions and tests alike): a new top-level statement starts
STOP_SEQUENCES = ("\nclass", "\ndef", "\n#", "\nif", "\nprint")
TESTS_PER_SAMPLE = 5


def truncate(text: str) -> str:
    """Cut at each stop sequence in turn (CodeT's order), keeping what precedes it."""
    for stop in STOP_SEQUENCES:
        if stop in text:
            text = text.split(stop)[0]
    return text


def compiles_in_try_block(test: str) -> bool:
    """A test is usable when it compiles as the body of a `try` (how CodeT's check runs it)."""
    if not test.strip() or "assert" not in test:
        return False
    body = test.replace("\n", "\n    ")
    try:
        compile(f"try:\n    {body}\nexcept:\n    pass\n", "<generated test>", "exec")
    except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError):
        return False
    return True


def parse_test_sample(sample: str, entry_point: str, limit: int | None = TESTS_PER_SAMPLE) -> list[str]:
    """The tests of one generated sample (a continuation of `assert `), in order, at most `limit`.

    The sample is read as `assert ` + sample and split on `assert `: pieces that name the
    entry point become `assert <piece>`, cut at the first stop sequence and stripped; those
    that compile are kept."""
    name = entry_point.strip()
    pieces = f"assert {sample}".split("assert ")
    tests = [truncate(f"assert {piece}".strip()).strip() for piece in pieces if name in piece and piece.strip()]
    kept = [t for t in tests if compiles_in_try_block(t)]
    return kept if limit is None else kept[:limit]


@dataclass(frozen=True, slots=True)
class GeneratedTests:
    """Each problem's generated tests: per sample (duplicates kept, CodeT counts them), and the
    unique tests in first-seen order (what is executed)."""

    path: str
    sha256: str
    per_sample: Mapping[str, tuple[tuple[str, ...], ...]]
    samples_read: int

    def unique(self, task_id: str) -> list[str]:
        return list(dict.fromkeys(t for sample in self.per_sample.get(task_id, ()) for t in sample))

    def frequency(self, task_id: str) -> dict[str, int]:
        """How often each test occurs among the problem's samples (after the per-sample limit)."""
        counts: dict[str, int] = {}
        for sample in self.per_sample.get(task_id, ()):
            for test in sample:
                counts[test] = counts.get(test, 0) + 1
        return counts


def read_generated_tests(
    path: str | Path,
    entry_points: Mapping[str, str],
    aliases: Mapping[str, str] | None = None,
    limit: int | None = TESTS_PER_SAMPLE,
) -> GeneratedTests:
    """Read a JSONL file of generated tests: each line `{"task_id": ..., "samples": [str, ...]}`
    or `{"task_id": ..., "completion": str}` (one sample), each sample a continuation of `assert `.

    entry_points maps the benchmark's task ids to their entry points; aliases maps other
    spellings of a task id to the canonical one. Lines for unknown tasks are an error."""
    import hashlib

    path = Path(path)
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise SamplesFormatError(str(path), None, "no such file", "pass the generated tests file with --tests") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SamplesFormatError(str(path), data[: exc.start].count(b"\n") + 1, "not UTF-8 text", "save the file as UTF-8") from None
    aliases = aliases or {}
    per_sample: dict[str, list[tuple[str, ...]]] = {}
    read = 0
    fix = 'each line must be an object such as {"task_id": "HumanEval/0", "samples": ["f(1) == 2\\nassert f(2) == 3"]}'
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SamplesFormatError(str(path), number, f"not valid JSON ({exc.msg} at column {exc.colno})", fix) from None
        if not isinstance(record, dict) or "task_id" not in record:
            raise SamplesFormatError(str(path), number, "not an object with a 'task_id'", fix)
        task_id = aliases.get(str(record["task_id"]), str(record["task_id"]))
        if task_id not in entry_points:
            raise SamplesFormatError(str(path), number, f"unknown task_id {record['task_id']!r} for the run's benchmark", "use the benchmark's task ids, e.g. " + repr(next(iter(entry_points), "")))
        samples = _samples_of(record, path, number, fix)
        for sample in samples:
            per_sample.setdefault(task_id, []).append(tuple(parse_test_sample(sample, entry_points[task_id], limit)))
            read += 1
    if not read:
        raise SamplesFormatError(str(path), None, "no generated test samples in the file", fix)
    return GeneratedTests(str(path), hashlib.sha256(data).hexdigest(), {k: tuple(v) for k, v in per_sample.items()}, read)


def _samples_of(record: dict, path: Path, number: int, fix: str) -> Sequence[str]:
    if "samples" in record:
        samples = record["samples"]
        if not isinstance(samples, list) or not all(isinstance(s, str) for s in samples):
            raise SamplesFormatError(str(path), number, "'samples' is not a list of strings", fix)
        return samples
    if isinstance(record.get("completion"), str):
        return [record["completion"]]
    raise SamplesFormatError(str(path), number, "missing 'samples' (a list of strings) or 'completion' (a string)", fix)
