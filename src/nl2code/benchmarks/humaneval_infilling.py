"""HumanEval-Infilling (Bavarian et al. 2022, "Efficient Training of Language Models to Fill in
the Middle"): HumanEval's problems with a span removed. A model sees the code before the hole
(`prompt`) and after it (`suffix`) and writes the middle; the program run against HumanEval's
own `check` is prompt + middle + suffix. Four sets, from openai/human-eval-infilling@88062ff9:
single-line (1033), multi-line (5815), random-span (1640) and random-span-light (164)."""

from __future__ import annotations

import os
from pathlib import Path

from nl2code.benchmarks._data import DataFile, read_jsonl, resolve
from nl2code.benchmarks._problem_cache import cached_problems
from nl2code.benchmarks._steps import split_check_function
from nl2code.benchmarks.humaneval import docstring_text
from nl2code.errors import DatasetError
from nl2code.records import Problem

VERSION = "88062ff9"
_BASE = "https://github.com/openai/human-eval-infilling/raw/88062ff9/data"
DATA = {
    "single-line": DataFile("HumanEval-SingleLineInfilling.jsonl.gz", f"{_BASE}/HumanEval-SingleLineInfilling.jsonl.gz",
                            "1277073e7ddce163ef68598c2bca777f688a53df99422f097e37362090f88e1f"),
    "multi-line": DataFile("HumanEval-MultiLineInfilling.jsonl.gz", f"{_BASE}/HumanEval-MultiLineInfilling.jsonl.gz",
                           "2f341612eee1d35da1357a4f365e0c0b3ba6e2b62eb491e88aaefa4855af0349"),
    "random-span": DataFile("HumanEval-RandomSpanInfilling.jsonl.gz", f"{_BASE}/HumanEval-RandomSpanInfilling.jsonl.gz",
                            "b4f330d8a8ff97bf85d9def497dffcae4d741e506449386a877236e422e33e8d"),
    "random-span-light": DataFile("HumanEval-RandomSpanInfillingLight.jsonl.gz", f"{_BASE}/HumanEval-RandomSpanInfillingLight.jsonl.gz",
                                  "1432250ecac0cb56e6f97f8faf0970419ef892a98fda7e1f5aa4c4b87209b760"),
}


def load(subset: str, dataset: str | os.PathLike | None = None) -> tuple[str, str, Path, list[Problem]]:
    name = f"humaneval-infilling-{subset}"
    path, digest = resolve(DATA[subset], dataset)
    return VERSION, digest, path, cached_problems(name, path, digest, lambda: (parse(name, subset, path, digest), []))


def parse(name: str, subset: str, path: Path, digest: str) -> list[Problem]:
    problems = []
    for number, record in enumerate(read_jsonl(path), 1):
        try:
            prelude, steps = split_check_function(record["test"])
            prompt, suffix, middle = record["prompt"], record["suffix"], record["canonical_solution"]
            problems.append(Problem(
                benchmark=name, version=VERSION, data_sha256=digest, task_id=record["task_id"],
                prompt=prompt, entry_point=record["entry_point"], test=record["test"],
                reference=prompt + middle + suffix, description=docstring_text(prompt + middle + suffix),
                test_prelude=prelude, steps=steps, prompt_is_code=True, suffix=suffix,
            ))
        except (KeyError, SyntaxError, ValueError) as exc:
            raise DatasetError(f"{path}: record {number}: {exc!r}; pass an unmodified {DATA[subset].filename}") from exc
    return problems
