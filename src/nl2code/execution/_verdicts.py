"""Benchmark-specific comparisons the driver applies to a value a child shipped (marshalled
builtins only) and the expected value it alone holds: MTPB's equivalence check, APPS's judge of
standard-input and call-based answers, CodeContests' token comparison. Each follows the
benchmark's own harness, leniencies included, so that a verdict here is the benchmark's verdict.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from nl2code.records import Comparison


def _allclose(a: list, b: list) -> bool:
    """numpy.allclose's test (rtol 1e-5, atol 1e-8, NaN never close) on flat float lists."""
    return len(a) == len(b) and all(abs(x - y) <= 1e-8 + 1e-5 * abs(y) for x, y in zip(a, b))


def _floats(values: object) -> list[float] | None:
    try:
        return [float(v) for v in values]  # type: ignore[union-attr]
    except (TypeError, ValueError, OverflowError):
        return None


def mtpb_equivalent(shipped: object, expected: object) -> bool:
    """MTPB's check (CodeGen's `check_equivalence`): a pandas Series is compared element-wise with
    numpy.allclose; otherwise a value of another type is cast to the expected type (compared as
    strings when a bool is expected), then compared with ==, or within 1e-6 for floats."""
    if not (isinstance(shipped, tuple) and len(shipped) == 2 and shipped[0] in ("series", "value")):
        return False
    kind, value = shipped
    if kind == "series":
        a, b = _floats(value), _floats(expected if isinstance(expected, list) else [expected])
        return a is not None and b is not None and _allclose(a, b)
    if type(value) is not type(expected):
        if type(expected) is bool:
            value, expected = str(value), str(expected)
        else:
            value = type(expected)(value)  # may raise: then the values are not equivalent
    if type(value) in (str, int, set, list, bool, tuple):
        return bool(value == expected)
    if type(value) is float:
        return abs(value - expected) < 1e-6  # type: ignore[operator]
    return False  # MTPB raises on other types: the test fails


def _lines(text: str) -> list[str]:
    return text.splitlines()


def apps_output(stdout: object, expected: object) -> bool:
    """APPS's judge of a standard-input program (hendrycks/apps `eval/testing_util.py`), in its
    order: the whole output stripped equals the expected output stripped (also with every line
    stripped); the output lines equal the expected non-empty lines, stripped; all lines parse as
    floats and numpy.allclose holds; and last, the set of each line's set of whitespace-separated
    tokens matches (order and repeats ignored), also after rounding numbers to 3 places."""
    if not isinstance(stdout, str) or not isinstance(expected, str):
        return False
    output = _lines(stdout)
    if "\n".join(output).strip() == expected.strip() or "\n".join(o.strip() for o in output).strip() == expected.strip():
        return True
    if output == [expected]:
        return True
    gt = [line.strip() for line in expected.split("\n") if line]
    if output == [gt] or output == gt:
        return True
    output = [o for o in output if o]
    if output == gt:
        return True
    a, b = _floats(output), _floats(gt)
    if a is not None and b is not None and _allclose(a, b):
        return True
    out_sets = {frozenset(line.split()) for line in output if line.split()}
    gt_sets = {frozenset(line.split()) for line in gt}
    if out_sets == gt_sets:
        return True
    try:
        return {frozenset(round(float(t), 3) for t in s) for s in out_sets} == {frozenset(round(float(t), 3) for t in s) for s in gt_sets}
    except (TypeError, ValueError, OverflowError):
        return False


def _listed(value: object) -> object:
    """Marshal ships JSON's lists as lists and a sample's tuples as tuples: APPS compares lists."""
    return list(value) if isinstance(value, tuple) else value


def apps_call(value: object, expected: object) -> bool:
    """APPS's judge of a call-based answer: the value (a tuple as a list) equals the expected
    outputs, or their one element (the outputs are stored wrapped in a list); a list of tuples
    is also compared as a list of lists."""
    value = _listed(value)
    if value == expected:
        return True
    if isinstance(expected, list) and expected and value == expected[0]:
        return True
    if isinstance(value, list) and value and isinstance(value[0], tuple) and isinstance(expected, list) and expected:
        return [list(x) for x in value] == expected[0]
    return False


def _number(token: str) -> float | None:
    """A token absl::SimpleAtod would read as a number (Python's float() also takes '1_0')."""
    if "_" in token:
        return None
    try:
        return float(token)
    except ValueError:
        return None


def tokens_output(stdout: object, expected: object) -> bool:
    """CodeContests' judge (google-deepmind/code_contests `execution/tester_sandboxer.cc`,
    OutputsMatch): both outputs split on whitespace and lower-cased; equal token lists match;
    otherwise, with as many tokens, each pair must be equal, or both numbers within 1e-5."""
    if not isinstance(stdout, str) or not isinstance(expected, str):
        return False
    out, exp = stdout.lower().split(), expected.lower().split()
    if out == exp:
        return True
    if len(out) != len(exp):
        return False
    for a, b in zip(out, exp):
        x, y = _number(a), _number(b)
        if x is None or y is None:
            if a != b:
                return False
        elif not (abs(x - y) < 1e-5) or math.isnan(x - y):
            return False
    return True


COMPARE: dict[Comparison, Callable[[object, object], bool]] = {
    Comparison.MTPB: mtpb_equivalent,
    Comparison.APPS_OUTPUT: apps_output,
    Comparison.APPS_CALL: apps_call,
    Comparison.TOKENS_OUTPUT: tokens_output,
}
