"""ODEX (Wang et al. 2023, "Execution-Based Evaluation for Open-Domain Code Generation"): 945
StackOverflow intents in English (439), Spanish (90), Japanese (164) and Russian (252), each a
one-function prompt with its suffix and assertion tests; about half of the problems use a
third-party or network-facing library (`library`). From zorazrw/odex@21308ea6.

A program is prompt + completion + suffix with tabs replaced by four spaces, as ODEX's own check
does (the prompts indent with tabs); its test module is `test_start` + the assertions. Every
assertion is a test (ODEX's script samples one by default; `--num_tests_eval` sets more).

Problems are skipped, with their reason and never as failed, when they cannot run here: their
library is not installed (`pip install 'nl2code[odex]'` installs the ones that can run offline)
or their test needs the network or a browser, which the sandbox never gives.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import logging
import os
import warnings
from pathlib import Path

from nl2code.benchmarks._data import DataFile, read_jsonl, resolve
from nl2code.benchmarks._harness import exec_source
from nl2code.benchmarks._problem_cache import cached_problems
from nl2code.benchmarks._steps import split_check_function
from nl2code.errors import DatasetError
from nl2code.records import Problem, StepKind, TestStep

log = logging.getLogger(__name__)

VERSION = "21308ea6"
LANGUAGES = ("en", "es", "ja", "ru")
_BASE = "https://raw.githubusercontent.com/zorazrw/odex/21308ea6/data"
DATA = {
    "en": DataFile("en_test.jsonl", f"{_BASE}/en_test.jsonl", "1ed71a3d47143f9a6e61877994d2403dd63fcdcea2db5ec328a2884410c8abc2"),
    "es": DataFile("es_test.jsonl", f"{_BASE}/es_test.jsonl", "f63a9aa8b8639df1cb1e6c8a0625605711bc6c148d420ad92699d0fcc8ed7a7e"),
    "ja": DataFile("ja_test.jsonl", f"{_BASE}/ja_test.jsonl", "817bda1c7fa30c261928d8e85460eaf1ee23a594e82fd37ed9e2c20999b29f0f"),
    "ru": DataFile("ru_test.jsonl", f"{_BASE}/ru_test.jsonl", "8b74304c1dd0e506bb3718f2b80777ab672defac9a8c3770844d39f0f11b6644"),
}
# tests that cannot pass without the network, a socket or a browser, found by running every
# reference solution in the sandbox (which has no network) and reading why it failed
_NETWORK = "its test reaches a host on the internet (the sandbox has no network)"
_SOCKET = "its test opens a network socket, which the sandbox forbids"
_BROWSER = "it drives a web browser through selenium; there is none in the sandbox (and no network)"
NEEDS_NETWORK: dict[str, str] = {
    "ODEX/en/24": _NETWORK, "ODEX/en/25": _NETWORK, "ODEX/en/26": _NETWORK, "ODEX/en/27": _NETWORK, "ODEX/en/341": _NETWORK, "ODEX/en/396": _NETWORK,
    "ODEX/ja/13": _NETWORK, "ODEX/ja/50": _NETWORK, "ODEX/ja/105": _NETWORK, "ODEX/ja/153": _NETWORK,
    "ODEX/ru/9": _NETWORK, "ODEX/ru/41": _NETWORK, "ODEX/ru/76": _NETWORK, "ODEX/ru/99": _NETWORK, "ODEX/ru/158": _NETWORK, "ODEX/ru/175": _NETWORK, "ODEX/ru/196": _NETWORK, "ODEX/ru/217": _NETWORK, "ODEX/ru/221": _NETWORK, "ODEX/ru/231": _NETWORK, "ODEX/ru/237": _NETWORK, "ODEX/ru/250": _NETWORK,
    "ODEX/ja/4": _SOCKET, "ODEX/ja/40": _SOCKET,
    "ODEX/ja/37": _BROWSER, "ODEX/ja/38": _BROWSER,
}

# ODEX's harness ran where urllib.parse and urllib.request were already imported (its tests and
# solutions use them after a bare `import urllib`); then the sample, tabs as four spaces
_PRELUDE = "import urllib.parse, urllib.request\n" + exec_source("__source__.replace('\\t', '    ')")


def task_id(language: str, line: int) -> str:
    """ODEX ids repeat (one StackOverflow question, several intents): a problem is named by its
    line in the pinned file."""
    return f"ODEX/{language}/{line}"


def load(language: str, dataset: str | os.PathLike | None = None) -> tuple[str, str, Path, list[Problem]]:
    name = f"odex-{language}"
    path, digest = resolve(DATA[language], dataset)
    problems = cached_problems(name, path, digest, lambda: (parse(name, language, path, digest), []))
    libraries = {task_id(language, line): tuple(r.get("library") or ()) for line, r in enumerate(read_jsonl(path), 1)}
    return VERSION, digest, path, [_with_skip(p, libraries.get(p.task_id, ())) for p in problems]


def missing_library(libraries: tuple[str, ...] | list[str]) -> str:
    for library in libraries:  # ODEX records import names (bs4, cv2, PIL, sklearn)
        if importlib.util.find_spec(library) is None:
            return library
    return ""


def _with_skip(problem: Problem, libraries: tuple[str, ...]) -> Problem:
    """Skips depend on this machine (what is installed), so they are applied after the cache."""
    reason = NEEDS_NETWORK.get(problem.task_id, "")
    if not reason:
        missing = missing_library(libraries)
        if missing:
            reason = f"needs the library {missing!r}, which is not installed here (pip install 'nl2code[odex]' installs those that run offline)"
    return dataclasses.replace(problem, skip_reason=reason) if reason else problem


def _module_names(module: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in module.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def _splittable(check: ast.FunctionDef, module: ast.Module) -> bool:
    """Whether check's body can run as separate module-level steps without changing what it
    does: it names its argument `candidate`, nothing in it returns or yields (`try: ... except:
    return False` is common in ODEX), and it assigns no name the module binds (a local `plt =
    candidate(...)` would replace the module's `plt` the solution uses)."""
    if [a.arg for a in check.args.args] != ["candidate"]:
        return False
    bound = _module_names(module)
    todo = list(check.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)):
            return False
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in bound:
            return False
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            todo.extend(ast.iter_child_nodes(node))
    return True


def test_steps(test: str, entry_point: str) -> tuple[str, tuple[TestStep, ...]]:
    """The check body as steps (its asserts compared in the driver where they can be); a check
    that returns, or names its argument otherwise, runs whole, as ODEX runs it: one test that
    passes when `check(entry_point)` raises nothing."""
    with warnings.catch_warnings():  # the data's own invalid escapes ("\S"): not ours to report
        warnings.simplefilter("ignore")
        return _test_steps(test, entry_point)


def _test_steps(test: str, entry_point: str) -> tuple[str, tuple[TestStep, ...]]:
    module = ast.parse(test)
    check = next((n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == "check"), None)
    if check is not None and _splittable(check, module):
        prelude, steps = split_check_function(test)
        try:
            for step in steps:
                compile(step.source, "<test>", "exec")
            return prelude, steps
        except SyntaxError:
            pass
    return test, (TestStep(StepKind.ASSERT, f"check({entry_point})"),)


def parse(name: str, language: str, path: Path, digest: str) -> list[Problem]:
    records = read_jsonl(path)
    counts: dict[str, int] = {}
    for record in records:
        counts[str(record.get("task_id"))] = counts.get(str(record.get("task_id")), 0) + 1
    problems = []
    for line, record in enumerate(records, 1):
        try:
            test = record["test_start"] + "".join(record["test"]) + "\n"
            prelude, steps = test_steps(test, record["entry_point"])
            prompt, suffix = record["prompt"], record["suffix"]
            original = str(record["task_id"])
            problems.append(Problem(
                benchmark=name, version=VERSION, data_sha256=digest, task_id=task_id(language, line),
                prompt=prompt, entry_point=record["entry_point"], test=test,
                reference=prompt + record["canonical_solution"] + suffix, description=record["intent"],
                test_prelude=_PRELUDE + prelude, steps=steps, prompt_is_code=True, suffix=suffix, source_as_text=True,
                aliases=(original,) if counts[original] == 1 else (),  # the StackOverflow id where it names one problem alone
            ))
        except (KeyError, SyntaxError, ValueError, TypeError) as exc:
            raise DatasetError(f"{path}: line {line}: {exc!r}; pass an unmodified ODEX {DATA[language].filename}") from exc
    return problems
