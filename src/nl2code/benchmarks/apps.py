"""APPS (Hendrycks et al. 2021, "Measuring Coding Challenge Competence With APPS"): 5000 test
problems from Codeforces, Kattis, AtCoder, LeetCode, Codewars and others, each with a question,
test cases (`input_output`: inputs and outputs, and `fn_name` for call-based problems) and
reference solutions, in the record format of the `codeparrot/apps` release (`test.jsonl`: one
JSON object a line, its `solutions` and `input_output` JSON strings).

Standard-input problems are judged as APPS's own harness judges them: the program runs once per
test with the test's input as its standard input (sys.stdin and open() patched as APPS patches
them, APPS's import header before it, a 4 s alarm per test), and the driver compares its output
with APPS's chain of lenient comparisons (`execution._verdicts.apps_output`). Call-based problems
call `fn_name` with each test's arguments. Test-case average and strict accuracy are in every
summary. The data cannot be fetched where nl2code was built: nl2code has no sha256 pin for it;
the digest of the first download is recorded and checked on every later use.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from nl2code.benchmarks._data import DataFile, read_jsonl, resolve
from nl2code.benchmarks._harness import stdio_harness
from nl2code.errors import DatasetError
from nl2code.records import Comparison, Problem, StepKind, TestStep

NAME = "apps"
VERSION = "codeparrot-apps"
DATA = DataFile("apps-test.jsonl", "https://huggingface.co/datasets/codeparrot/apps/resolve/main/test.jsonl", "")
TEST_SECONDS = 4  # APPS's per-test alarm


def prompt_text(question: str, starter_code: str, call_based: bool) -> str:
    """The prompt of APPS's generation script: the question, the starter code, the answer form."""
    form = "Use Call-Based format" if call_based else "Use Standard Input format"
    return f"\nQUESTION:\n{question}\n{starter_code}\n{form}\nANSWER:\n"


def _int_keys(value: object) -> object:
    """JSON turns dict keys to strings; APPS turns them back to ints (a dict in a 1-list)."""
    try:
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return [{int(k): v for k, v in value[0].items()}]
        if isinstance(value, dict):
            return [{int(k): v for k, v in value.items()}]
    except ValueError:
        pass
    return value


def steps(io: dict) -> tuple[TestStep, ...]:
    fn_name = io.get("fn_name")
    out = []
    for inputs, expected in zip(io["inputs"], io["outputs"], strict=True):
        if fn_name:
            out.append(TestStep(StepKind.COMPARE, f"__apps_call__({fn_name!r}, {_int_keys(inputs)!r}, {TEST_SECONDS})",
                                Comparison.APPS_CALL, _int_keys(expected)))
            continue
        data = "\n".join(inputs) if isinstance(inputs, list) else inputs
        want = "\n".join(expected) if isinstance(expected, list) else expected
        out.append(TestStep(StepKind.COMPARE, f"__run_stdin__({data!r}, {TEST_SECONDS})", Comparison.APPS_OUTPUT, want))
    return tuple(out)


def problem(record: dict, digest: str, name: str = NAME) -> Problem | None:
    """One APPS record as a problem; None for a record without test cases (APPS has a few)."""
    io = json.loads(record["input_output"]) if record.get("input_output") else None
    if not io or not io.get("inputs"):
        return None
    solutions = json.loads(record["solutions"]) if record.get("solutions") else []
    call_based = bool(io.get("fn_name"))
    return Problem(
        benchmark=name, version=VERSION, data_sha256=digest, task_id=f"APPS/{record['problem_id']}",
        prompt=prompt_text(record["question"], record.get("starter_code") or "", call_based),
        entry_point=io.get("fn_name") or "", test=record["input_output"], reference=solutions[0] if solutions else "",
        description=record["question"], test_prelude=stdio_harness(apps=True), steps=steps(io),
        prompt_is_code=False, source_as_text=True, aliases=(str(record["problem_id"]),),
    )


def load(dataset: str | os.PathLike | None = None) -> tuple[str, str, Path, list[Problem]]:
    path, digest = resolve(DATA, dataset)
    problems = []
    for number, record in enumerate(read_jsonl(path), 1):
        try:
            made = problem(record, digest)
        except (KeyError, ValueError, TypeError) as exc:
            raise DatasetError(f"{path}: record {number}: {exc!r}; pass an APPS test.jsonl (codeparrot/apps)") from exc
        if made is not None:
            problems.append(made)
    if not problems:
        raise DatasetError(f"{path}: no APPS problem with test cases; pass an APPS test.jsonl (codeparrot/apps)")
    return VERSION, digest, path, problems
