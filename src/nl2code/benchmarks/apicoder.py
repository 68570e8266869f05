"""MonkeyEval and BeatNumEval (Zan et al. 2022, "When Language Model Meets Private Library"):
PandasEval and NumpyEval with every library keyword renamed (`pandas` -> `monkey`, `DataFrame`
-> `KnowledgeFrame`, `isin` -> `incontain`), so that a model cannot have seen the "private"
library. No `monkey` or `beatnum` package exists: the authors' harness turns a program back into
pandas or numpy code by undoing the renamings, then runs the tests with the real libraries. This
module does the same, with the renaming table of that harness (apicoder_keywords.json, MIT).

Their rule, kept here because it decides verdicts: the renamings are undone in the whole program
(prompt and answer) as plain substring replacements in the table's order, and an answer that uses
a public name the table renames (a name of the public side that is no name of the private side:
`isin`, or `len` in MonkeyEval) is not converted at all: it fails.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

BENCHMARKS = ("monkeyeval", "beatnumeval")
_IDENTIFIER = re.compile(r"\b[a-zA-Z_][a-zA-Z0-9_]*\b")
# what a program becomes when it uses a public name: it cannot run, as in the authors' harness
REFUSED = "raise SyntaxError('the program uses a public library name that this private-library benchmark renames')\n"


@functools.cache
def _table(benchmark: str) -> tuple[tuple[str, str], ...]:
    data = json.loads((Path(__file__).parent / "apicoder_keywords.json").read_text())
    return tuple((public, private) for public, private in data[benchmark])


def uses_public_names(benchmark: str, program: str) -> bool:
    table = _table(benchmark)
    public = {p for p, _ in table}
    private = {q for _, q in table}
    return any(word in public and word not in private for word in _IDENTIFIER.findall(program))


def to_public(benchmark: str, program: str, answer: str) -> str:
    """`program` (prompt and answer, in the private library's names) as the pandas or numpy
    program the tests run; `REFUSED` when the model's `answer` used a renamed public name (the
    prompt is the benchmark's own and is not checked, as in the authors' harness)."""
    if uses_public_names(benchmark, answer):
        return REFUSED
    for public, private in _table(benchmark):
        program = program.replace(private, public)
    return program


def runnable(benchmark: str, program: str, answer: str) -> str:
    """The program to run for a sample of `benchmark`: converted for MonkeyEval and BeatNumEval,
    unchanged for every other benchmark."""
    return to_public(benchmark, program, answer) if benchmark in BENCHMARKS else program
