"""MBPP (Austin et al. 2021): the full set (974 problems) and the hand-verified sanitized subset (427).

A sample carries a whole program; the problem's `test_setup_code` runs after it (two reference
solutions need that order), then each assert of `test_list` is one test case.
"""

from __future__ import annotations

import ast
import builtins
import json
import os
from pathlib import Path

from nl2code.benchmarks._data import DataFile, read_jsonl, resolve
from nl2code.benchmarks._problem_cache import cached_problems
from nl2code.benchmarks._steps import steps_from_asserts
from nl2code.errors import DatasetError
from nl2code.records import Problem

VERSION = "1.0"
FULL = DataFile(
    filename="mbpp.jsonl",
    url="https://raw.githubusercontent.com/google-research/google-research/master/mbpp/mbpp.jsonl",
    sha256="ccf64ceae9c5403bf50a044cb6d505bfd2a2963ee58338ba268fd65beab92a9f",
)
SANITIZED = DataFile(
    filename="sanitized-mbpp.json",
    url="https://raw.githubusercontent.com/google-research/google-research/master/mbpp/sanitized-mbpp.json",
    sha256="7fec016546acaee11dbe14f9f0bb670e59f41919f7b522a59fba34871da78551",
)


def prompt_text(description: str, tests: list[str]) -> str:
    """The prompt of the MBPP paper: the task and its tests (the tests name the function)."""
    return f"{description}\nYour code should pass these tests:\n\n" + "\n".join(tests) + "\n"


def called_function(test: str) -> str:
    for node in ast.walk(ast.parse(test)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not hasattr(builtins, node.func.id):
            return node.func.id
    return ""


def _read(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); pass an unmodified {path.name}") from exc
    return read_jsonl(path)


def _problem(name: str, digest: str, record: dict, description: str, setup: str) -> Problem:
    tests = record["test_list"]
    task_id = str(record["task_id"])
    return Problem(
        benchmark=name,
        version=VERSION,
        data_sha256=digest,
        task_id=task_id,
        prompt=prompt_text(description, tests),
        entry_point=called_function(tests[0]),
        test="\n".join(tests),
        reference=record["code"],
        description=description,
        setup=setup,
        steps=steps_from_asserts(tests),
        prompt_is_code=False,
        aliases=(f"Mbpp/{task_id}",),
    )


def load_full(dataset: str | os.PathLike | None = None) -> tuple[str, str, Path, list[Problem]]:
    path, digest = resolve(FULL, dataset)
    return VERSION, digest, path, cached_problems("mbpp", path, digest, lambda: (parse_full(path, digest), []))


def parse_full(path: Path, digest: str) -> list[Problem]:
    problems = []
    for number, record in enumerate(_read(path), 1):
        try:
            problems.append(_problem("mbpp", digest, record, record["text"], record.get("test_setup_code", "")))
        except (KeyError, SyntaxError, IndexError) as exc:
            raise DatasetError(f"{path}:{number}: bad MBPP record ({exc!r}); pass an unmodified mbpp.jsonl") from exc
    return problems


def load_sanitized(dataset: str | os.PathLike | None = None) -> tuple[str, str, Path, list[Problem]]:
    path, digest = resolve(SANITIZED, dataset)
    return VERSION, digest, path, cached_problems("mbpp-sanitized", path, digest, lambda: (parse_sanitized(path, digest), []))


def parse_sanitized(path: Path, digest: str) -> list[Problem]:
    problems = []
    for number, record in enumerate(_read(path), 1):
        try:
            problems.append(_problem("mbpp-sanitized", digest, record, record["prompt"], "\n".join(record.get("test_imports", []))))
        except (KeyError, SyntaxError, IndexError) as exc:
            raise DatasetError(f"{path}: record {number}: bad sanitized-MBPP record ({exc!r}); pass an unmodified sanitized-mbpp.json") from exc
    return problems
