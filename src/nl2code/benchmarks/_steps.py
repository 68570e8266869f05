"""Turn a benchmark's test code into test steps, protecting what can be compared in the parent.

An `assert <expr> == <expected>` whose expected side is a constant expression (literals and a
few pure builtins such as `set((1, 2))` or `float('inf')`) becomes a COMPARE step: the child
evaluates only `<expr>` and ships the value; the driver, which alone holds the expected value,
compares. Every other assert runs in the child (ASSERT); other statements are setup (STATEMENT).
"""

from __future__ import annotations

import ast
import math

from nl2code.records import Comparison, StepKind, TestStep

# builtins that are pure functions of constant arguments; evaluated by the driver on benchmark
# data (trusted), never on anything a sample produced
_PURE = {
    "set": set, "frozenset": frozenset, "tuple": tuple, "list": list, "dict": dict, "float": float,
    "int": int, "str": str, "bool": bool, "sorted": sorted, "range": range, "complex": complex,
    "abs": abs, "round": round, "len": len, "bytes": bytes, "min": min, "max": max, "sum": sum,
}
_PURE_RESULT_TYPES = (type(None), bool, int, float, complex, str, bytes, tuple, list, dict, set, frozenset)


def constant_value(node: ast.expr) -> tuple[bool, object]:
    """(True, value) when `node` is a constant expression we may evaluate in the driver."""
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    if not names <= _PURE.keys():  # no names at all is fine: `2.0 / 3.0`, `(3 + 5, 3 * 5)`
        return False, None
    if any(isinstance(n, (ast.Attribute, ast.Lambda, ast.NamedExpr, ast.comprehension)) for n in ast.walk(node)):
        return False, None
    try:
        value = eval(compile(ast.Expression(node), "<expected>", "eval"), {"__builtins__": {}}, dict(_PURE))
    except Exception:  # noqa: BLE001
        return False, None
    if isinstance(value, range) or not isinstance(value, _PURE_RESULT_TYPES):
        return False, None
    return True, value


def _compare_step(expr: ast.expr, comparison: Comparison, expected: object = None, **kw) -> TestStep:
    return TestStep(StepKind.COMPARE, ast.unparse(expr), comparison, expected, **kw)


def classify_assert(node: ast.Assert) -> TestStep:
    fallback = TestStep(StepKind.ASSERT, ast.unparse(node))
    test = node.test
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, op, right = test.left, test.ops[0], test.comparators[0]
        left_const, left_value = constant_value(left)
        right_const, right_value = constant_value(right)
        # `abs(f(x) - 3.5) < 1e-6`: the tolerance is constant, the value is not
        if isinstance(op, (ast.Lt, ast.LtE)) and right_const and isinstance(right_value, (int, float)):
            step = _close_step(left, right_value, isinstance(op, ast.LtE))
            if step is not None:
                return step
        if left_const == right_const:
            return fallback
        expr, expected = (left, right_value) if right_const else (right, left_value)
        if isinstance(op, ast.Eq):
            return _compare_step(expr, Comparison.EQUAL, expected)
        if isinstance(op, ast.NotEq):
            return _compare_step(expr, Comparison.NOT_EQUAL, expected)
        if isinstance(op, ast.Is) and right_const and right_value in (None, True, False):
            return _compare_step(expr, Comparison.IS, right_value)
        return fallback
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        if not constant_value(test.operand)[0] and _calls_something(test.operand):
            return _compare_step(test.operand, Comparison.FALSY)
        return fallback
    if not constant_value(test)[0] and _calls_something(test):
        return _compare_step(test, Comparison.TRUTHY)
    return fallback


def _calls_something(node: ast.expr) -> bool:
    return any(isinstance(n, ast.Call) for n in ast.walk(node))


def _close_step(left: ast.expr, tolerance: float, inclusive: bool) -> TestStep | None:
    # abs(<value> - <expected>) or abs(<expected> - <value>)
    if not (isinstance(left, ast.Call) and isinstance(left.func, ast.Name) and left.func.id == "abs"
            and len(left.args) == 1 and not left.keywords and isinstance(left.args[0], ast.BinOp)
            and isinstance(left.args[0].op, ast.Sub)):
        return None
    a, b = left.args[0].left, left.args[0].right
    a_const, a_value = constant_value(a)
    b_const, b_value = constant_value(b)
    if a_const == b_const:
        return None
    expr, expected = (a, b_value) if b_const else (b, a_value)
    if not isinstance(expected, (int, float)) or isinstance(expected, bool) or not math.isfinite(expected):
        return None
    return _compare_step(expr, Comparison.CLOSE, expected, tolerance=float(tolerance), inclusive=inclusive)


def steps_from_statements(statements: list[ast.stmt]) -> tuple[TestStep, ...]:
    steps = []
    for node in statements:
        if isinstance(node, ast.Assert) and constant_value(node.test)[0]:
            # `assert True, "This prints if this assert fails"` tests nothing
            steps.append(TestStep(StepKind.STATEMENT, ast.unparse(node)))
        elif isinstance(node, ast.Assert):
            steps.append(classify_assert(node))
        elif any(isinstance(n, ast.Assert) for n in ast.walk(node)):
            steps.append(TestStep(StepKind.ASSERT, ast.unparse(node)))
        else:
            steps.append(TestStep(StepKind.STATEMENT, ast.unparse(node)))
    return tuple(steps)


def prompt_examples(prompt: str, entry_point: str) -> tuple[TestStep, ...]:
    """The doctest examples of a prompt (`>>> f(x)` then the expected output) whose expected
    output is a constant, as protected example steps: n@k's filter (AlphaCode's "passes the
    examples in the problem statement"). Examples in prose are not recognised."""
    import doctest
    import dataclasses

    steps = []
    try:
        examples = doctest.DocTestParser().get_examples(prompt)
    except ValueError:
        return ()
    for example in examples:
        try:
            call = ast.parse(example.source.strip(), mode="eval").body
            want = ast.parse(example.want.strip(), mode="eval").body
        except SyntaxError:
            continue
        called = {n.func.id for n in ast.walk(call) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        const, value = constant_value(want)
        if entry_point in called and const:
            steps.append(dataclasses.replace(_compare_step(call, Comparison.EQUAL, value), example=True))
    return tuple(steps)


def split_check_function(test: str, name: str = "check") -> tuple[str, tuple[TestStep, ...]]:
    """Split a HumanEval-style test module into (prelude without `check`, steps of its body)."""
    module = ast.parse(test)
    prelude, body = [], None
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and node.name == name and body is None:
            body = node.body
        else:
            prelude.append(node)
    if body is None:
        raise ValueError(f"the test code defines no function {name!r}")
    steps = steps_from_statements(body)
    prelude_src = ast.unparse(ast.Module(body=prelude, type_ignores=[])) if prelude else ""
    return prelude_src, steps


def steps_from_asserts(sources: list[str]) -> tuple[TestStep, ...]:
    """MBPP-style: a list of assert statements, each a test case."""
    statements: list[ast.stmt] = []
    for src in sources:
        statements.extend(ast.parse(src).body)
    return steps_from_statements(statements)
