"""MTPB, the Multi-Turn Programming Benchmark (Nijkamp et al. 2023, "CodeGen"): 115 problems, each
a few natural-language turns (`prompts`, templated with each test case's `inputs`) and 5 test
cases. A model writes code turn by turn, seeing the earlier turns' prompts and its own code; the
turns' code is joined into one program, whose last printed value (the last expression is printed
when it is not already a print) must equal the test case's output under MTPB's equivalence
check. From salesforce/CodeGen@6f09e495 `codegen1/benchmark/mtpb.jsonl`.

A problem here is one (MTPB problem, test case) pair, `MTPB/<id>/<case>`, since the turns differ
per test case; MTPB's published metric, the pass rate per problem (test cases passed), averages
the five. MTPB publishes no reference solutions, so there is nothing for `selfcheck` to run.
"""

from __future__ import annotations

import os
from pathlib import Path

from nl2code.benchmarks._data import DataFile, read_jsonl, resolve
from nl2code.errors import DatasetError
from nl2code.records import Comparison, Problem, StepKind, TestStep

NAME = "mtpb"
VERSION = "6f09e495"
DATA = DataFile("mtpb.jsonl", "https://raw.githubusercontent.com/salesforce/CodeGen/6f09e495/codegen1/benchmark/mtpb.jsonl",
                "3ab79ddb160f484a63491330ba72204930d56cc946f7c0c5fb469622a941f89c")

# What every MTPB program starts with, and how a turn's prompt is written before its code, as
# CodeGen's sampling script lays them out.
PREFIX = "# Import libraries.\n\nimport numpy as np\n\n"
TURN = "# {prompt}\n"
TURN_END = "\n\n"

# The child side of MTPB's check (trusted code, run in the sandbox on the sample's text): print is
# wrapped to record its arguments; the last statement's value is printed unless it is a print
# already; the program runs with its output captured; the step reads the first argument of the
# last print, turned into a plain value (numpy scalars and arrays, pandas Series, lists of tuples
# as MTPB's check converts them) for the driver to compare.
_HARNESS = '''
import ast as __ast, builtins as __builtins, contextlib as __contextlib, io as __io
__prints__ = []
def print(*args, **kwargs):
    __prints__.append(args)
    return __builtins.print(*args, **kwargs)
def __mtpb_program__(code):
    tree = __ast.parse(code)
    last = tree.body[-1] if tree.body else None
    value = getattr(last, "value", None)
    already = isinstance(value, __ast.Call) and isinstance(value.func, __ast.Name) and value.func.id.startswith("print")
    if isinstance(value, __ast.expr) and not already:
        last.value = __ast.Call(func=__ast.Name(id="print", ctx=__ast.Load()), args=[value], keywords=[])
        __ast.fix_missing_locations(tree)
    return compile(tree, "<sample>", "exec")
def __mtpb_plain__(value):
    kind = type(value)
    if kind.__module__.startswith("pandas") and kind.__name__ == "Series":
        return ("series", value.to_numpy().tolist())
    if kind is list and value and type(value[0]) is tuple:
        return ("value", [list(t) for t in value])
    if kind.__module__ == "numpy" and hasattr(value, "tolist"):
        return ("value", value.tolist())
    return ("value", value)
with __contextlib.redirect_stdout(__io.StringIO()):
    exec(__mtpb_program__(__source__), globals())
'''
_STEP = "__mtpb_plain__(__prints__[-1][0])"


DEFAULT_MAX_GEN_LENGTH = 256  # CodeGen's sampler, for the 7 records without max_gen_length


def problem_of(task_id: str) -> str:
    """The MTPB problem a task belongs to: `MTPB/7/3` -> `MTPB/7`."""
    return task_id.rsplit("/", 1)[0]


def load(dataset: str | os.PathLike | None = None) -> tuple[str, str, Path, list[Problem]]:
    path, digest = resolve(DATA, dataset)
    problems = []
    for number, record in enumerate(read_jsonl(path), 1):
        try:
            # problem 57 lists 6 outputs for 5 inputs: pairs are zipped as CodeGen's sampling zips them
            for case, (inputs, output) in enumerate(zip(record["inputs"], record["outputs"])):
                turns = tuple(p.format(**inputs) for p in record["prompts"])
                problems.append(Problem(
                    benchmark=NAME, version=VERSION, data_sha256=digest, task_id=f"MTPB/{record['id']}/{case}",
                    prompt=PREFIX + "".join(TURN.format(prompt=t) for t in turns), entry_point="",
                    test=f"# the last printed value must be MTPB-equivalent to {output!r}", reference="",
                    description=f"{record['name']}: {record['description']}", test_prelude=_HARNESS,
                    steps=(TestStep(StepKind.COMPARE, _STEP, Comparison.MTPB, output),),
                    prompt_is_code=False, source_as_text=True, turns=turns,
                    # each turn's budget of new tokens, as CodeGen's mtpb_sample.py asks (256 where a record has none)
                    max_new_tokens=int(record.get("max_gen_length") or DEFAULT_MAX_GEN_LENGTH),
                ))
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            raise DatasetError(f"{path}: record {number}: {exc!r}; pass an unmodified MTPB mtpb.jsonl") from exc
    return VERSION, digest, path, problems
