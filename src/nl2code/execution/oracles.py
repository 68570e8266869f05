"""EvalPlus's comparison rules, applied by the trusted driver to a value the child returned and the
reference solution's output for the same input (differential testing).

The general rule (`evalplus_match`), as EvalPlus's evaluator states it: the output passes when it
equals the reference's; otherwise, where the problem has a float tolerance `atol` (EvalPlus
enforces 1e-6 for float outputs when the data says 0), when it has the reference's exact type (and
length, for a list or tuple) and numpy's `allclose` holds with rtol 1e-7 and that atol.

Special oracles, where EvalPlus names the problems (`nl2code.benchmarks.evalplus` picks them):
- "set": the output's and the reference's elements are equal as sets (problems whose answer is
  an unordered collection, such as Mbpp/2);
- "not-none": the reference's output stands for "is not None" (problems that return `re.Match`
  objects); a bool output is compared with it as is;
- "any-of": the general rule, or equality with (or, for a number, closeness within atol to) an
  alternative answer the task's wording also allows (Mbpp/558, Mbpp/581);
- "poly-root": HumanEval/32 `find_zero`: the output x is a root, |poly(xs, x)| <= atol.
Each function receives only driver-made values: plain data from marshal, or numpy and pandas
values the driver rebuilt (`_values`).
"""

from __future__ import annotations

import math


def evalplus_match(value: object, expected: object, atol: float) -> bool:
    if value == expected:
        return True
    if atol == 0:
        return False
    import numpy as np

    if type(value) is not type(expected):
        return False
    if isinstance(expected, (list, tuple)) and len(value) != len(expected):  # type: ignore[arg-type]
        return False
    return bool(np.allclose(value, expected, rtol=1e-07, atol=atol))


def _poly(xs: list, x: float) -> float:
    return sum(coefficient * math.pow(x, power) for power, coefficient in enumerate(xs))


def check(value: object, spec: tuple, atol: float) -> bool:
    """`spec` is (oracle name, reference output, extra): see the module docstring."""
    name, expected, extra = spec
    if name == "set":
        return set(value) == set(expected)  # type: ignore[call-overload]
    if name == "not-none":
        return value == expected if isinstance(value, bool) else expected == (value is not None)
    if name == "any-of":
        if evalplus_match(value, expected, atol):
            return True
        return any(value == other or (atol and isinstance(other, (int, float)) and abs(value - other) <= atol) for other in extra)  # type: ignore[operator]
    if name == "poly-root":
        return abs(_poly(extra, value)) <= atol  # type: ignore[arg-type]
    raise ValueError(f"unknown oracle {name!r}")


def accepts_opaque(spec: tuple) -> bool:
    """Whether an output the child could not ship (an `re.Match`, say) passes: only where the
    oracle asks nothing but "is not None" of it."""
    name, expected, _ = spec
    return name == "not-none" and expected is True
