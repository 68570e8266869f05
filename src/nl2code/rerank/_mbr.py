"""MBR-exec (Shi et al. 2022, "Natural Language to Code Translation with Execution", EMNLP):
choose the sample whose execution results agree with the most other samples.

Inputs are the calls of the entry point found in the generated tests (their expected values are
not used). Every unique solution runs on every input in the sandbox, one child per solution; the
child ships each return value and the driver records it (an exception is an output of its own).
With the 0/1 loss of the paper (two samples disagree when any output differs), the sample with
the least total loss is one of the largest group of samples with identical outputs on all inputs:
groups are scored by their number of samples, duplicates included, and ranked like CodeT's.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from nl2code.records import Comparison, Execution, Problem, StepKind, TestStep, Unmarshallable
from nl2code.rerank._dual import SENTINEL, TEST_PRELUDE
from nl2code.rerank._ranking import Tier

if TYPE_CHECKING:
    from nl2code.rerank._generated_tests import GeneratedTests
    from nl2code.rerank._run import SourceSolutions

MAX_INPUTS = 25  # per problem, first seen first: bounds the work on problems with many generated tests

TIMED_CALL_PRELUDE = TEST_PRELUDE + """

def _nl2code_timed(seconds, call):
    _nl2code_timer(seconds)
    try:
        return call()
    finally:
        _nl2code_timer(0)
"""


def inputs(tests: Sequence[str], entry_point: str, limit: int = MAX_INPUTS) -> list[str]:
    """The distinct calls of the entry point in the tests (outermost calls only), as source."""
    calls: dict[str, None] = {}
    for test in tests:
        try:
            tree = ast.parse(test)
        except SyntaxError:
            continue
        for call in _outer_calls(tree, entry_point):
            calls.setdefault(ast.unparse(call), None)
            if len(calls) >= limit:
                return list(calls)
    return list(calls)


def _outer_calls(node: ast.AST, name: str):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id == name:
            yield child
        else:
            yield from _outer_calls(child, name)


def inputs_problem(benchmark: str, tests: GeneratedTests, task_id: str, entry_point: str, calls: Sequence[str], seconds: float) -> Problem:
    """A Problem whose steps capture the value of each call (under the per-call CPU timer), then a sentinel."""
    steps = tuple(TestStep(StepKind.COMPARE, f"_nl2code_timed({seconds!r}, lambda: {call})", comparison=Comparison.CAPTURE) for call in calls)
    return Problem(
        benchmark=f"{benchmark}+generated-inputs", version=tests.sha256[:12], data_sha256=tests.sha256, task_id=task_id, prompt="",
        entry_point=entry_point, test="\n".join(calls), reference="", test_prelude=TIMED_CALL_PRELUDE,
        steps=steps + (TestStep(StepKind.ASSERT, SENTINEL),),
    )


def canonical(value: Any, depth: int = 0) -> str:
    """A text for a value that is equal for equal values whatever the set or dict order (the
    driver's string hashing differs from the child's)."""
    if depth > 50:
        return repr(value)
    if isinstance(value, (set, frozenset)):
        return f"{type(value).__name__}{{{','.join(sorted(canonical(v, depth + 1) for v in value))}}}"
    if isinstance(value, dict):
        items = sorted(f"{canonical(k, depth + 1)}:{canonical(v, depth + 1)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__}({','.join(canonical(v, depth + 1) for v in value)})"
    return f"{type(value).__name__}:{value!r}"


def with_outputs(execution: Execution) -> Execution:
    """The execution with each input's outcome carrying a digest of the output (what the derived
    run stores, so that a resumed ranking does not run the solutions again)."""
    captured = dict(execution.captured)
    outcomes = []
    for index, outcome in enumerate(execution.tests):
        if index in captured:
            value = captured[index]
            text = f"unmarshallable {value.type_name}" if isinstance(value, Unmarshallable) else canonical(value)
            signature = "=" + hashlib.sha256(text.encode()).hexdigest()[:20]
        elif outcome.passed:  # the sentinel
            signature = ""
        else:
            signature = "!" + (outcome.error.split(":", 1)[0][:80] or "error")
        outcomes.append(dataclasses.replace(outcome, error=signature))
    return dataclasses.replace(execution, tests=tuple(outcomes))


def outputs(execution: Execution, n_inputs: int) -> tuple[str, ...] | None:
    """The output signatures of a stored execution, or None when its run did not finish."""
    tests = execution.tests
    if len(tests) != n_inputs + 1 or not tests[-1].passed:
        return None
    return tuple(t.error for t in tests[:-1])


def rankings(solutions: SourceSolutions, samples, order: Mapping[int, tuple[str, list[str]]], executions: Mapping[int, Execution]) -> dict[str, list[Tier]]:
    groups: dict[str, dict[tuple[str, ...], list[bool]]] = {}
    for sample in samples:
        task_id, calls = order[sample.index]
        execution = executions.get(sample.index)
        signature = outputs(execution, len(calls)) if execution else None
        if signature is None:
            continue
        groups.setdefault(task_id, {}).setdefault(signature, []).extend(solutions.programs[task_id][sample.program])
    return {task_id: [Tier(tuple(v), float(len(v))) for v in by_output.values()] for task_id, by_output in groups.items()}
