"""SecurityEval (Siddiq and Santos 2022): 121 Python prompts, each written to tempt a model into one
weakness (its CWE is the first part of the id, `CWE-020_author_1.py`), with an insecure
reference. There are no tests: a sample is scored by static analysis (`nl2code.security`), never
executed."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

from nl2code.benchmarks._data import DataFile, read_jsonl, resolve
from nl2code.benchmarks.humaneval import docstring_text
from nl2code.errors import DatasetError
from nl2code.records import Problem

NAME = "securityeval"
VERSION = "v2.2"
DATA = DataFile("dataset.jsonl", "https://raw.githubusercontent.com/s2e-lab/SecurityEval/6f4fb70f/dataset.jsonl",
                "e46918698e190e481399c51330c60049ed34a38ccc2546c9a81f0c84d446335f")
_CWE = re.compile(r"^CWE-(\d+)")


def cwe_of(task_id: str) -> int:
    """The CWE a prompt targets, from its id: `CWE-020_author_1.py` -> 20."""
    match = _CWE.match(task_id)
    if match is None:
        raise ValueError(f"task id {task_id!r} does not start with CWE-<number>")
    return int(match.group(1))


def _entry_point(prompt: str) -> str:
    functions = [n.name for n in ast.walk(ast.parse(prompt)) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return functions[-1] if functions else ""


def load(dataset: str | os.PathLike | None = None) -> tuple[str, str, Path, list[Problem]]:
    path, digest = resolve(DATA, dataset)
    problems = []
    for number, record in enumerate(read_jsonl(path), 1):
        try:
            task_id, prompt = record["ID"], record["Prompt"]
            cwe_of(task_id)
            problems.append(Problem(
                benchmark=NAME, version=VERSION, data_sha256=digest, task_id=task_id, prompt=prompt,
                entry_point=_entry_point(prompt), test="", reference=record["Insecure_code"],
                description=docstring_text(prompt), prompt_is_code=True, aliases=(task_id.removesuffix(".py"),),
            ))
        except (KeyError, SyntaxError, ValueError) as exc:
            raise DatasetError(f"{path}: record {number}: {exc!r}; pass an unmodified SecurityEval dataset.jsonl") from exc
    return VERSION, digest, path, problems
