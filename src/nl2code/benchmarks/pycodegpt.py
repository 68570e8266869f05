"""PandasEval and NumpyEval (Zan et al. 2022, "CERT: Continual Pre-training on Sketches for
Library-oriented Code Generation"): 101 problems each, HumanEval-style, from microsoft/PyCodeGPT.
They need pandas and numpy in the sample's interpreter: `pip install 'nl2code[pandas]'`."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from nl2code.benchmarks._data import DataFile, resolve
from nl2code.benchmarks._problem_cache import cached_problems
from nl2code.benchmarks._steps import split_check_function
from nl2code.benchmarks.humaneval import docstring_text, read_records
from nl2code.errors import DatasetError, MissingExtraError
from nl2code.records import Problem, StepKind, TestStep

log = logging.getLogger(__name__)

VERSION = "62d8430d"
_BASE = "https://raw.githubusercontent.com/microsoft/PyCodeGPT/62d8430d/cert/pandas-numpy-eval/data"
DATA = {
    "pandaseval": DataFile("PandasEval.jsonl.gz", f"{_BASE}/PandasEval.jsonl.gz", "c3e75b503e922b2592a7934b1837aaae26bd2f72c424c020f4720983d7928ef6"),
    "numpyeval": DataFile("NumpyEval.jsonl.gz", f"{_BASE}/NumpyEval.jsonl.gz", "828b9c65a60108c27e03f8e22ca2dab85877e6689f1de7aee7e580485c065623"),
}
PREIMPORTS = ("numpy", "pandas")


def _require_libraries() -> None:
    for module in PREIMPORTS:
        try:
            __import__(module)
        except ImportError as exc:
            raise MissingExtraError(module, "pandas") from exc


def load(name: str, dataset: str | os.PathLike | None = None) -> tuple[str, str, Path, list[Problem]]:
    _require_libraries()
    path, digest = resolve(DATA[name], dataset)
    return VERSION, digest, path, cached_problems(name, path, digest, lambda: parse(name, path, digest), log)


def parse(name: str, path: Path, digest: str) -> tuple[list[Problem], list[str]]:
    """The problems, and warnings about tests of the data that no sample can pass."""
    problems, warnings = [], []
    for number, record in enumerate(read_records(path), 1):
        try:
            try:
                prelude, steps = split_check_function(record["test"])
            except SyntaxError as exc:
                # a few tests of the published data do not compile (PandasEval/36): as in the
                # authors' harness, no sample can pass them
                warnings.append(f"{record.get('task_id')}: its test code does not compile ({exc.msg}); no sample can pass it")
                prelude, steps = "", (TestStep(StepKind.ASSERT, f"assert False, {'the benchmark test does not compile: ' + exc.msg!r}"),)
            solutions = record["canonical_solution"]
            solution = solutions[0] if isinstance(solutions, list) else solutions
            task_id = record["task_id"]
            problems.append(Problem(
                benchmark=name, version=VERSION, data_sha256=digest, task_id=task_id,
                prompt=record["prompt"], entry_point=record["entry_point"], test=record["test"],
                reference=record["prompt"] + solution, description=docstring_text(record["prompt"]),
                test_prelude=prelude, steps=steps, prompt_is_code=True, aliases=(task_id.split("/")[-1],),
            ))
        except (KeyError, IndexError, SyntaxError, ValueError) as exc:
            raise DatasetError(f"{path}: record {number}: {exc!r}; pass an unmodified {DATA[name].filename}") from exc
    return problems, warnings
