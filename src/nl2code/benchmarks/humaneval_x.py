"""HumanEval-X (Zheng et al. 2023, CodeGeeX): HumanEval's 164 problems hand-translated to C++,
Go, Java, JavaScript and Rust (and Python), each with a reference solution and tests.

A sample's program is assembled the way CodeGeeX's own evaluator
(`codegeex/benchmark/humaneval-x/evaluate_humaneval_x.py`) builds its test file, so that a
completion passes here exactly when it passes there:

- C++: the headers of CodeGeeX's list that the prompt does not include go first (solutions rely
  on `<algorithm>`, `<climits>`, ... being there);
- Go: the prompt's own import block is dropped; the file starts with the problem's `test_setup`
  (`package main`, `testing`, testify's `assert`), then imports only those packages of CodeGeeX's
  list that the completion uses (Go refuses unused imports), then the prompt and completion;
- Rust: an empty `fn main` goes first; the prompt here is the doc comment followed by the
  declaration (`use` lines and the signature), which the completion continues (CodeGeeX puts the
  comment after the declaration; a comment's place changes nothing);
- Java, JavaScript: prompt + completion, then the tests.

The tests are the benchmark's, appended by the language's module. Python problems run through
the fork-server's step protocol like HumanEval, with CodeGeeX's imports as setup.
"""

from __future__ import annotations

import ast
import dataclasses
import logging
import os
import re
from pathlib import Path

from nl2code.benchmarks._data import DataFile, read_jsonl, resolve
from nl2code.benchmarks._problem_cache import cached_problems
from nl2code.benchmarks._steps import prompt_examples, split_check_function
from nl2code.errors import DatasetError
from nl2code.records import Problem

log = logging.getLogger(__name__)

VERSION = "2838420b"
_BASE = "https://raw.githubusercontent.com/THUDM/CodeGeeX/2838420b/codegeex/benchmark/humaneval-x"
# benchmark suffix -> (language of the Problem, task id prefix, sha256 of the data file)
LANGUAGES: dict[str, tuple[str, str, str]] = {
    "cpp": ("cpp", "CPP", "dcf2e280a1e91bbc3c5f90edb41397e8a9ac1ccc9f5d2b70082f0b0fbfb6dbb0"),
    "go": ("go", "Go", "09126ef64ac68f87296c5f3781186aedc5dec799b114d9df99d6de4a715a7830"),
    "java": ("java", "Java", "276f36db2eb7aeb864f36a19a2f4e1bb2460fb6e22ff100f0b5bedabe3799967"),
    "js": ("js", "JavaScript", "fe5d467f2c1a027b3f6f18d3729aca01f6458c1de2e2d1292a019c5aa9bed424"),
    "python": ("python", "Python", "5752fb122efddb0e9b47c77907ae6ce9a15aac4dea14e44c46032c831e6b987a"),
    "rust": ("rust", "Rust", "ae5cabbbfc8fe25244a608b04f09ac3b324c645ac969dfc033756c12f0f9924c"),
}

# CodeGeeX's `IMPORT_HELPER` lists (codegeex/benchmark/utils.py), as data
PYTHON_IMPORTS = (
    "import math", "import re", "import sys", "import copy", "import datetime", "import itertools",
    "import collections", "import heapq", "import statistics", "import functools", "import hashlib",
    "import numpy", "import numpy as np", "import string", "from typing import *", "from collections import *",
)
GO_PACKAGES = ("math", "strings", "fmt", "strconv", "time", "bytes", "regexp", "sort", "math/rand", "crypto/md5")
CPP_INCLUDES = (
    "#include<stdlib.h>", "#include<algorithm>", "#include<math.h>", "#include<stdio.h>", "#include<vector>",
    "#include<string>", "#include<climits>", "#include<cstring>", "#include<iostream>",
)
RUST_MAIN = "\nfn main(){ \n } \n"

_GO_IMPORT = re.compile(r"^import \((?:\n[^)]*)?\)\n?", re.M)


def data_file(suffix: str) -> DataFile:
    _, _, digest = LANGUAGES[suffix]
    return DataFile(f"humaneval_{suffix}.jsonl.gz", f"{_BASE}/{suffix}/data/humaneval_{suffix}.jsonl.gz", digest)


def load(suffix: str, dataset: str | os.PathLike | None = None) -> tuple[str, str, Path, list[Problem]]:
    name = f"humaneval-x-{suffix}"
    path, digest = resolve(data_file(suffix), dataset)
    return VERSION, digest, path, cached_problems(name, path, digest, lambda: parse(suffix, path, digest), log)


def parse(suffix: str, path: Path, digest: str) -> tuple[list[Problem], list[str]]:
    language, prefix, _ = LANGUAGES[suffix]
    name = f"humaneval-x-{suffix}"
    problems, warnings = [], []
    for number, record in enumerate(read_jsonl(path), 1):
        try:
            task_id = record["task_id"]
            if not task_id.startswith(prefix + "/"):
                raise ValueError(f"task id {task_id!r} is not of the form {prefix}/N")
            problem = _problem(name, language, digest, record)
            warnings += _test_warnings(problem)
            problems.append(problem)
        except (KeyError, SyntaxError, ValueError, TypeError) as exc:
            raise DatasetError(f"{path}: record {number}: {exc!r}; pass an unmodified humaneval_{suffix}.jsonl.gz") from exc
    return problems, warnings


def _problem(name: str, language: str, digest: str, record: dict) -> Problem:
    task_id = record["task_id"]
    prompt, test = record["prompt"], record["test"]
    common = dict(benchmark=name, version=VERSION, data_sha256=digest, task_id=task_id, entry_point=_entry_point(language, record),
                  test=test, language=language, prompt_is_code=True, aliases=(task_id.split("/")[-1],))
    if language == "python":
        prelude, steps = split_check_function(_without_check_call(test))
        return Problem(prompt=prompt, reference=prompt + record["canonical_solution"], description=record.get("text") or "",
                       setup="\n".join(PYTHON_IMPORTS), test_prelude=prelude,
                       steps=steps + prompt_examples(prompt, record.get("entry_point") or common["entry_point"]), **common)
    if language == "rust":
        prompt = prompt + record["declaration"]
    # Go: `setup` holds the test file's head (`package main` and the test imports)
    problem = Problem(prompt=prompt, reference="", description=comment_text(record["prompt"]),
                      setup=record.get("test_setup", "") if language == "go" else "", **common)
    return _with_reference(problem, record["canonical_solution"])


def _with_reference(problem: Problem, solution: str) -> Problem:
    return dataclasses.replace(problem, reference=program(problem, solution))


def _entry_point(language: str, record: dict) -> str:
    if record.get("entry_point"):
        return record["entry_point"]
    declaration = record.get("declaration", "")
    patterns = {
        "cpp": r"(\w+)\s*\([^()]*\)\s*\{\s*$", "go": r"func\s+(\w+)\s*\(", "java": r"public\s+[\w<>\[\], ]+?\s(\w+)\s*\(",
        "js": r"const\s+(\w+)\s*=", "rust": r"fn\s+(\w+)\s*[(<]", "python": r"def\s+(\w+)\s*\(",
    }
    found = re.findall(patterns[language], declaration, re.M)
    return found[-1] if found else ""


def comment_text(prompt: str) -> str:
    """The natural-language part of a code prompt (for statistics): the text of its comments."""
    text = []
    for block in re.findall(r"/\*(.*?)\*/", prompt, re.S):
        text += [line.strip().lstrip("*").strip() for line in block.splitlines()]
    text += [m.strip() for m in re.findall(r"^\s*(?://+|#+)(.*)$", re.sub(r"/\*.*?\*/", "", prompt, flags=re.S), re.M)]
    return "\n".join(line for line in text if line)


def _without_check_call(test: str) -> str:
    """HumanEval-X Python tests end with `check(f)`; the step protocol calls the checks itself."""
    module = ast.parse(test)
    module.body = [n for n in module.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)
                                                    and isinstance(n.value.func, ast.Name) and n.value.func.id == "check")]
    return ast.unparse(module)


_JS_TEST_FUNCTION = re.compile(r"^\s*(?:const|let|var)\s+(test\w*)\s*=\s*(?:\([^)]*\)|\w+)\s*=>|^\s*function\s+(test\w*)\s*\(", re.M)


def uncalled_test_functions(test: str) -> list[str]:
    """Test functions a JavaScript test defines and never calls (CodeGeeX#45: an older release
    of HumanEval-X had three, so every sample passed them)."""
    names = [a or b for a, b in _JS_TEST_FUNCTION.findall(test)]
    return [n for n in names if not re.search(rf"(?<![\w.]){re.escape(n)}\s*\(", _strip_definition(test, n))]


def _strip_definition(test: str, name: str) -> str:
    return re.sub(rf"(?:const|let|var)\s+{re.escape(name)}\s*=|function\s+{re.escape(name)}\s*\(", "", test)


def _test_warnings(problem: Problem) -> list[str]:
    if problem.language == "js":
        uncalled = uncalled_test_functions(problem.test)
        if uncalled:
            return [f"{problem.task_id}: its test defines {', '.join(uncalled)} but never calls it: every sample passes it (CodeGeeX#45)"]
    return []


def program(problem: Problem, completion: str) -> str:
    """The program CodeGeeX's evaluator builds from the prompt and a completion (the tests are
    appended by the language's module)."""
    language = problem.language
    if language == "cpp":
        header = "".join(line + "\n" for line in CPP_INCLUDES if line not in problem.prompt)
        return header + "\n" + problem.prompt + completion
    if language == "go":
        prompt = _GO_IMPORT.sub("", problem.prompt, count=1)
        packages = [p for p in GO_PACKAGES if p not in problem.setup and p.split("/")[-1] + "." in completion]
        imports = ("import (\n" + "    ".join(f'"{p}"\n' for p in packages) + ")\n") if packages else ""
        return problem.setup + "\n" + imports + prompt + completion
    if language == "rust":
        return RUST_MAIN + problem.prompt + completion
    return problem.prompt + completion
