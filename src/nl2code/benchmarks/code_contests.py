"""CodeContests (Li et al. 2022, "Competition-Level Code Generation with AlphaCode"): the 165
test-split problems, in the record format DeepMind publishes (`ContestProblem`): as the Hugging
Face release's parquet file (the canonical download, read with pyarrow: `pip install
'nl2code[contests]'`), or as the JSON that DeepMind's `convert_riegeli_to_json.py` writes (a
list of objects), or JSON lines of either shape.

Programs read standard input and write standard output; the driver compares the output with
CodeContests' own rule (`execution._verdicts.tokens_output`: whitespace-split, case-insensitive
tokens, numbers within 1e-5). As AlphaCode counts a problem solved, the private and generated
tests decide the verdict; the public tests (the examples in the statement) are the n@k filter.
Only Python 3 samples are run; the reference is the record's first Python 3 solution. The data
cannot be fetched where nl2code was built: nl2code has no sha256 pin for it; the digest of the
first download is recorded and checked on every later use.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from nl2code.benchmarks._data import DataFile, read_json_list, read_jsonl, resolve
from nl2code.benchmarks._harness import stdio_harness
from nl2code.errors import DatasetError, MissingExtraError
from nl2code.records import Comparison, Problem, StepKind, TestStep

NAME = "code-contests"
VERSION = "802411c3"
DATA = DataFile(
    "code_contests-test-00000-of-00001-9c49eeff30aacaa8.parquet",
    "https://huggingface.co/datasets/deepmind/code_contests/resolve/802411c3010cb00d1b05bad57ca77365a3c699d6/"
    "data/test-00000-of-00001-9c49eeff30aacaa8.parquet",
    "",
)
PYTHON3 = 3  # ContestProblem.Solution.Language
DEFAULT_SECONDS = 2.0


def _tests(value: object) -> list[tuple[str, str]]:
    """Test cases in either shape: {"input": [...], "output": [...]} (parquet) or
    [{"input": ..., "output": ...}] (DeepMind's JSON)."""
    if isinstance(value, dict):
        return list(zip(value.get("input") or [], value.get("output") or [], strict=True))
    return [(t["input"], t["output"]) for t in value or []]


def _solutions(value: object) -> list[tuple[int, str]]:
    if isinstance(value, dict):
        return list(zip(value.get("language") or [], value.get("solution") or [], strict=True))
    return [(s["language"], s["solution"]) for s in value or []]


def _seconds(value: object) -> float:
    """time_limit: {"seconds", "nanos"} (parquet) or the protobuf text "seconds: 2\\nnanos: 5e8" (JSON)."""
    if isinstance(value, dict):
        return float(value.get("seconds") or 0) + float(value.get("nanos") or 0) / 1e9 or DEFAULT_SECONDS
    if isinstance(value, str):
        fields = dict(re.findall(r"(seconds|nanos):\s*(\d+)", value))
        total = float(fields.get("seconds", 0)) + float(fields.get("nanos", 0)) / 1e9
        return total or DEFAULT_SECONDS
    return DEFAULT_SECONDS


def _step(data: str, want: str, seconds: float, record: dict, example: bool = False) -> TestStep:
    files = (record.get("input_file") or "", record.get("output_file") or "")
    extra = f", {files[0]!r}, {files[1]!r}" if any(files) else ""
    return TestStep(StepKind.COMPARE, f"__run_stdin__({data!r}, {seconds!r}{extra})", Comparison.TOKENS_OUTPUT, want, example=example)


def problem(index: int, record: dict, digest: str) -> Problem:
    seconds = _seconds(record.get("time_limit"))
    hidden = _tests(record.get("private_tests")) + _tests(record.get("generated_tests"))
    public = _tests(record.get("public_tests"))
    python = [code for language, code in _solutions(record.get("solutions")) if language == PYTHON3]
    steps = tuple(_step(i, o, seconds, record) for i, o in hidden) + tuple(_step(i, o, seconds, record, True) for i, o in public)
    return Problem(
        benchmark=NAME, version=VERSION, data_sha256=digest, task_id=f"CodeContests/{index}", prompt=record["description"],
        entry_point="", test=json.dumps({"public": len(public), "private+generated": len(hidden)}), reference=python[0] if python else "",
        description=record["description"], test_prelude=stdio_harness(apps=False), steps=steps, prompt_is_code=False,
        source_as_text=True, aliases=(record["name"],) if record.get("name") else (),
    )


def read_records(path: Path) -> list[dict]:
    if path.suffix == ".parquet":
        try:
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise MissingExtraError("pyarrow", "contests") from exc
        return pq.read_table(path).to_pylist()
    if path.suffix == ".json":
        return read_json_list(path, "problems", "pass CodeContests data as written by convert_riegeli_to_json.py")
    return read_jsonl(path)


def load(dataset: str | os.PathLike | None = None) -> tuple[str, str, Path, list[Problem]]:
    path, digest = resolve(DATA, dataset)
    problems = []
    for number, record in enumerate(read_records(path), 1):
        try:
            problems.append(problem(number - 1, record, digest))
        except (KeyError, ValueError, TypeError) as exc:
            raise DatasetError(f"{path}: problem {number}: {exc!r}; pass CodeContests data in its published record format") from exc
    if not problems:
        raise DatasetError(f"{path}: no problems; pass CodeContests data in its published record format")
    return VERSION, digest, path, problems
