"""PandasEval and NumpyEval (Zan et al. 2022, "CERT: Continual Pre-training on Sketches for
Library-oriented Code Generation"): 101 problems each, HumanEval-style, from microsoft/PyCodeGPT.
They need pandas and numpy in the sample's interpreter: `pip install 'nl2code[pandas]'`.

From the same repository, the private-library sets of APICoder (Zan et al. 2022, "When Language
Model Meets Private Library"): TorchDataEval (50 problems on torchdata's DataPipes, which need
`pip install 'nl2code[torchdata]'`), and MonkeyEval and BeatNumEval (PandasEval and NumpyEval
with renamed APIs; see `nl2code.benchmarks.apicoder`). Their records list several reference
solutions; the first is the problem's reference."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from nl2code.benchmarks import apicoder
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
_APICODER = "https://raw.githubusercontent.com/microsoft/PyCodeGPT/62d8430d/apicoder/private-eval/data"
DATA.update({
    "torchdataeval": DataFile("real_torchdata_eval_v3.jsonl.gz", f"{_APICODER}/real_torchdata_eval_v3.jsonl.gz", "f36649ec7adf97e80bb1b37881366932c6143ef45bd037bab73463797da69890"),
    "monkeyeval": DataFile("real_monkey_eval_v3.jsonl.gz", f"{_APICODER}/real_monkey_eval_v3.jsonl.gz", "bf1f5bf74f71b69093021e4a62b7a49bd5d294dad8c347de82831070e10853a1"),
    "beatnumeval": DataFile("real_beatnum_eval_v3.jsonl.gz", f"{_APICODER}/real_beatnum_eval_v3.jsonl.gz", "8acd87fafdc3bb45b4fe0e2cfb0d77222cfd728b41eb63b883b7eb868f6d5c71"),
})
PREIMPORTS = ("numpy", "pandas")
# modules each benchmark's tests import, and the extra that installs them
LIBRARIES: dict[str, tuple[tuple[str, ...], str]] = {
    "pandaseval": (PREIMPORTS, "pandas"),
    "numpyeval": (PREIMPORTS, "pandas"),
    "monkeyeval": (PREIMPORTS, "pandas"),
    "beatnumeval": (PREIMPORTS, "pandas"),
    "torchdataeval": (("torch", "torchdata"), "torchdata"),
}
# MonkeyEval and BeatNumEval keep the task ids of the sets they were made from (PandasEval/N,
# NumpyEval/N): their problems are named after their own benchmark, with the data's id an alias
ID_PREFIX = {"monkeyeval": "MonkeyEval", "beatnumeval": "BeatNumEval"}


def require_libraries(name: str) -> None:
    """The libraries a benchmark's tests import, checked before its samples run (not when it is
    loaded: its statistics and listing need none of them). MissingExtraError names the extra."""
    if name not in LIBRARIES:
        return
    modules, extra = LIBRARIES[name]
    for module in modules:
        try:
            __import__(module)
        except ImportError as exc:
            raise MissingExtraError(module, extra) from exc


def load(name: str, dataset: str | os.PathLike | None = None) -> tuple[str, str, Path, list[Problem]]:
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
            mismatch = _check_call_mismatch(record["test"], record["entry_point"])
            if mismatch:
                # the authors' harness calls check() for entry point "none", else check(entry point)
                warnings.append(f"{record.get('task_id')}: {mismatch}; no sample can pass it")
                prelude, steps = "", (TestStep(StepKind.ASSERT, f"assert False, {'the benchmark harness cannot call its check: ' + mismatch!r}"),)
            solutions = record["canonical_solution"]
            solution = solutions[0] if isinstance(solutions, list) else solutions
            data_id = record["task_id"]
            number = data_id.split("/")[-1]
            task_id = f"{ID_PREFIX[name]}/{number}" if name in ID_PREFIX else data_id
            aliases = (number,) + ((data_id,) if task_id != data_id else ())
            problems.append(Problem(
                benchmark=name, version=VERSION, data_sha256=digest, task_id=task_id,
                prompt=record["prompt"], entry_point=record["entry_point"], test=record["test"],
                reference=apicoder.runnable(name, record["prompt"] + solution, solution), description=docstring_text(record["prompt"]),
                test_prelude=prelude, steps=steps, prompt_is_code=True, aliases=aliases,
            ))
        except (KeyError, IndexError, SyntaxError, ValueError) as exc:
            raise DatasetError(f"{path}: record {number}: {exc!r}; pass an unmodified {DATA[name].filename}") from exc
    return problems, warnings


def _check_call_mismatch(test: str, entry_point: str) -> str:
    """Why the benchmark's own harness fails every sample of a problem whose `check` takes a
    parameter it is not given (entry point "none": `check()`) or the reverse; "" when none."""
    import ast

    try:
        module = ast.parse(test)
    except SyntaxError:
        return ""
    check = next((n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == "check"), None)
    if check is None:
        return ""
    takes = len(check.args.args)
    given = 0 if entry_point == "none" else 1
    if takes == given or (check.args.vararg and takes <= given):
        return ""
    return f"its test defines check with {takes} parameter(s) but the harness calls it with {given} (entry point {entry_point!r}): a TypeError"

