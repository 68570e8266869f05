"""Protected comparisons on numpy and pandas values: the verdict the benchmark's own test gives,
and still nothing a sample constructs can claim equality.

Each behaviour is checked through the real executor (forked sandboxed children, the trusted
driver's comparison); the fidelity cases also run the same assert in plain Python (a subprocess)
and require the same verdict.
"""

from __future__ import annotations

import marshal
import subprocess
import sys

import pytest

from helpers import DATASETS, MBPP
from nl2code import benchmarks
from nl2code.execution import _values, run_samples
from nl2code.records import Comparison, Limits, Problem, Sample, Status, StepKind
from nl2code.records import TestStep as Step  # not "Test*": pytest would try to collect it

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

LIMITS = Limits(cpu_seconds=10.0, wall_seconds=30.0)
PYCODEGPT = DATASETS / "pycodegpt_library_evals"


def _run(problems: dict[str, Problem], programs: list[tuple[str, str]]):
    samples = [Sample(task, 0, i, program) for i, (task, program) in enumerate(programs)]
    return run_samples(problems, samples, LIMITS, workers=2)


@pytest.fixture(scope="module")
def humaneval():
    return benchmarks.load("humaneval")


def test_humaneval_answers_returning_numpy_scalars_pass(humaneval):
    # HumanEval/0's check compares with True/False (np.any gives np.bool_); HumanEval/4's is
    # abs(candidate(...) - 1.0) < 1e-6 (np.mean gives np.float64)
    zero, four = humaneval.get("HumanEval/0"), humaneval.get("HumanEval/4")
    body0 = "    import numpy as np\n    a = np.array(numbers)\n    return np.any(np.abs(a[:, None] - a[None, :])[~np.eye(len(a), dtype=bool)] < threshold)\n"
    body4 = "    import numpy as np\n    a = np.array(numbers)\n    return np.mean(np.abs(a - np.mean(a)))\n"
    wrong4 = "    import numpy as np\n    return np.float64(2.5)\n"
    done = _run(humaneval.by_id, [(zero.task_id, zero.prompt + body0), (four.task_id, four.prompt + body4), (four.task_id, four.prompt + wrong4)])
    assert [e.status for e in done] == [Status.PASSED, Status.PASSED, Status.FAILED], [e.error for e in done]
    # readable values in the reason, never marshal bytes
    assert "2.5" in done[2].error and "\\x" not in done[2].error


def test_mbpp_answers_returning_numpy_values_pass(tmp_path):
    bench = benchmarks.load("mbpp", MBPP)
    programs = [
        ("17", "import numpy as np\ndef square_perimeter(a):\n    return np.int64(4) * a\n"),  # == 40
        ("14", "import numpy as np\ndef find_Volume(l, b, h):\n    return np.float64(l * b * h) / 2\n"),  # == 240
        ("58", "import numpy as np\ndef opposite_Signs(x, y):\n    return np.bool_((x ^ y) < 0)\n"),  # == True / False
        ("27", "import numpy as np\nimport re\ndef remove(lst):\n    return list(np.array([re.sub('[0-9]', '', s) for s in lst]))\n"),  # list of np.str_
    ]
    done = _run(bench.by_id, [(bench.get(t).task_id, p) for t, p in programs])
    assert all(e.status is Status.PASSED for e in done), [(e.task_id, e.error) for e in done]


@pytest.mark.parametrize("name, ids", [
    ("pandaseval", ["PandasEval/15", "PandasEval/18", "PandasEval/40", "PandasEval/74"]),
    ("numpyeval", ["NumpyEval/6", "NumpyEval/14", "NumpyEval/18", "NumpyEval/37"]),
])
def test_library_benchmark_references_returning_numpy_values_pass(name, ids):
    data = PYCODEGPT / ("PandasEval.jsonl.gz" if name == "pandaseval" else "NumpyEval.jsonl.gz")
    bench = benchmarks.load(name, data)
    problems = [bench.get(i) for i in ids]
    assert all(p.n_protected for p in problems)  # the numpy value crosses to the driver
    done = _run(bench.by_id, [(p.task_id, p.reference) for p in problems])
    assert all(e.status is Status.PASSED for e in done), [(e.task_id, e.error) for e in done]


def _problem(name: str, step: Step, prelude: str = "import numpy as np\nimport pandas as pd\n") -> Problem:
    return Problem(benchmark="values", version="1", data_sha256="0" * 64, task_id=name, prompt="", entry_point="f",
                   test="", reference="", test_prelude=prelude, steps=(step,))


# (program body of f, the assert the benchmark's test writes): the verdict must be plain Python's
FIDELITY = [
    ("return np.bool_(True)", "assert f() == True"),
    ("return np.bool_(True)", "assert f() is True"),  # `is` sees np.True_, not True: fails in Python too
    ("return np.bool_(False)", "assert not f()"),
    ("return np.int64(3)", "assert f() == 3"),
    ("return np.int64(3)", "assert f() == 3.0"),
    ("return np.float32(0.1)", "assert f() == 0.1"),  # float32 0.1 != float 0.1 in Python too
    ("return np.float64(0.1) + np.float64(0.2)", "assert abs(f() - 0.3) < 1e-9"),
    ("return np.float64('nan')", "assert f() == float('nan')"),
    ("return np.str_('ab')", "assert f() == 'ab'"),
    ("return np.array([1, 2, 3])", "assert f() == [1, 2, 3]"),  # ambiguous truth value: an error in Python
    ("return np.array([7])", "assert f() == [7]"),
    ("return np.array([[1, 2]]).tolist()", "assert f() == [[1, 2]]"),
    ("return list(np.array([1, 2]))", "assert f() == [1, 2]"),
    ("return tuple(map(tuple, np.array([[2, 2], [2, -2]])))", "assert f() == ((2, 2), (2, -2))"),
    ("return {'a': np.int64(1)}", "assert f() == {'a': 1}"),
    ("return {np.int64(1), np.int64(2)}", "assert f() == {1, 2}"),
    ("return pd.Series([1, 2]).sum()", "assert f() == 3"),
    ("return pd.Series([1, 2])", "assert f() == [1, 2]"),  # a Series' truth value is ambiguous
    ("return pd.DataFrame({'a': [1]}).shape", "assert f() == (1, 1)"),
    ("return pd.Index(['x', 'y'])", "assert f() == ['x', 'y']"),
    ("return pd.Timestamp('2020-01-02')", "assert f() != 3"),
    ("return np.datetime64('2020-01-02')", "assert f() != 3"),
    ("return pd.NaT", "assert f() is None"),
    ("return np.array(3.0)", "assert f() == 3"),
]


def _plain_verdict(body: str, statement: str) -> bool:
    program = f"import numpy as np\nimport pandas as pd\ndef f():\n    {body}\n{statement}\n"
    return subprocess.run([sys.executable, "-c", program], capture_output=True).returncode == 0


def _classified(statement: str) -> Step:
    from nl2code.benchmarks._steps import steps_from_asserts

    [step] = steps_from_asserts([statement])
    return step


def test_protected_numpy_and_pandas_comparisons_give_plain_pythons_verdict():
    problems, programs, wanted = {}, [], []
    for i, (body, statement) in enumerate(FIDELITY):
        step = _classified(statement)
        assert step.kind is StepKind.COMPARE, statement  # the value crosses to the driver
        problems[str(i)] = _problem(str(i), step)
        programs.append((str(i), f"import numpy as np\nimport pandas as pd\ndef f():\n    {body}\n"))
        wanted.append(_plain_verdict(body, statement))
    done = _run(problems, programs)
    got = [e.status is Status.PASSED for e in done]
    mismatches = [(FIDELITY[i], done[i].error) for i in range(len(FIDELITY)) if got[i] != wanted[i]]
    assert not mismatches
    assert True in got and False in got


HOSTILE = {
    # a numpy subclass whose __eq__ lies
    "ndarray_subclass": "class Sly(np.ndarray):\n    def __eq__(self, other):\n        return np.True_\ndef f():\n    return np.zeros(1).view(Sly)\n",
    "float64_subclass": "class Sly(np.float64):\n    def __eq__(self, other):\n        return True\n    __hash__ = np.float64.__hash__\ndef f():\n    return Sly(0.0)\n",
    # an object whose __eq__ lies, hidden in an object array and in a pandas Series
    "object_array": "class Eq:\n    def __eq__(self, other):\n        return True\na = np.empty((), dtype=object)\na[()] = Eq()\ndef f():\n    return a\n",
    "object_series": "class Eq:\n    def __eq__(self, other):\n        return True\ndef f():\n    return pd.Series([Eq()]).iloc[0:1]\n",
    # forged descriptions, sent in place of the child's own (a sample controls its process)
    "forged_void_dtype": "import nl2code.execution._values as v\nv.describe = lambda value: ('np', '|V8', b'\\x04' + bytes(7))\ndef f():\n    return np.int64(5)\n",
    "forged_object_scalar": "import nl2code.execution._values as v\nv.describe = lambda value: ('np', '|O', 4)\ndef f():\n    return np.int64(5)\n",
    "forged_structured_dtype": "import nl2code.execution._values as v\nv.describe = lambda value: ('nd', \"[('a', '<i8')]\", (1,), [4])\ndef f():\n    return np.int64(5)\n",
    "forged_unknown_tag": "import nl2code.execution._values as v\nv.describe = lambda value: ('always-equal',)\ndef f():\n    return np.int64(5)\n",
    "forged_shape": "import nl2code.execution._values as v\nv.describe = lambda value: ('nd', '<i8', (), [4, 4])\ndef f():\n    return np.int64(5)\n",
    "forged_code_element": "import nl2code.execution._values as v\nv.describe = lambda value: ('nd', '<i8', (1,), [compile('4', 'x', 'eval')])\ndef f():\n    return np.int64(5)\n",
    # a genuine wrong numpy answer
    "wrong_value": "def f():\n    return np.int64(5)\n",
}


def test_hostile_numpy_values_still_fail_protected_comparisons():
    step = Step(StepKind.COMPARE, "f()", Comparison.EQUAL, 4)
    problems = {name: _problem(name, step) for name in HOSTILE}
    done = _run(problems, [(name, "import numpy as np\nimport pandas as pd\n" + body) for name, body in HOSTILE.items()])
    verdicts = {e.task_id: (e.status, e.error) for e in done}
    assert all(status is Status.FAILED for status, _ in verdicts.values()), verdicts
    assert "not a plain builtin value" in verdicts["ndarray_subclass"][1]
    assert "does not accept" in verdicts["forged_void_dtype"][1]
    assert verdicts["wrong_value"][1] in ("got 5", "got np.int64(5)")


def test_the_same_programs_pass_when_the_value_is_right():
    """The hostile suite's control: the forging machinery itself does not fail a right answer."""
    step = Step(StepKind.COMPARE, "f()", Comparison.EQUAL, 4)
    programs = {
        "right_numpy": "def f():\n    return np.int64(4)\n",
        "right_description": "import nl2code.execution._values as v\nv.describe = lambda value: ('np', '<i8', 4)\ndef f():\n    return np.int64(5)\n",
    }
    done = _run({n: _problem(n, step) for n in programs}, [(n, "import numpy as np\nimport pandas as pd\n" + b) for n, b in programs.items()])
    assert [e.status for e in done] == [Status.PASSED, Status.PASSED], [e.error for e in done]


# -- the description format itself ---------------------------------------------------------------

ROUND_TRIP = [
    np.bool_(True), np.int8(-3), np.uint64(2**63), np.float16(0.5), np.float32(0.1), np.complex64(1 + 2j), np.str_("ab"),
    np.bytes_(b"x"), np.datetime64("2020-01-02T03:04"), np.timedelta64(5, "s"),
    np.array([[1, 2], [3, 4]], dtype=np.int32), np.array(["a", "bc"]), np.array([1.5, np.nan]), np.array([], dtype=float).reshape(0, 3),
    np.array([1, "x", None], dtype=object), np.array(["2020-01-01"], dtype="M8[D]"),
]


@pytest.mark.parametrize("value", ROUND_TRIP, ids=lambda v: f"{type(v).__name__}-{getattr(v, 'dtype', '')}")
def test_numpy_values_are_rebuilt_with_their_type_dtype_and_contents(value):
    rebuilt = _values.rebuild(marshal.loads(marshal.dumps(_values.describe(value))))
    assert type(rebuilt) is type(value)
    assert rebuilt.dtype == value.dtype
    assert np.array_equal(np.asarray(rebuilt), np.asarray(value), equal_nan=value.dtype.kind == "f")


PANDAS = [
    lambda: pd.Series([1, 2, 3], name="x"),
    lambda: pd.Series(["a", None], index=["p", "q"]),
    lambda: pd.Series(["a", "b", "a"], dtype="category"),
    lambda: pd.Series([1, None], dtype="Int64"),
    lambda: pd.DataFrame({"A": [1, 2], "B": ["x", "y"]}, index=[5, 5]),
    lambda: pd.DataFrame({"A": [1.5]}).set_index("A"),
    lambda: pd.DataFrame(index=[1, 2]),
    lambda: pd.Index([1, 2], name="n"),
    lambda: pd.MultiIndex.from_tuples([(1, "a"), (2, "b")], names=["n", "m"]),
    lambda: pd.date_range("2020-01-01", periods=3),
    lambda: pd.Series(pd.date_range("2020-01-01", periods=2, tz="UTC")),
]


@pytest.mark.parametrize("make", PANDAS, ids=range(len(PANDAS)))
def test_pandas_values_are_rebuilt_equal(make):
    value = make()
    rebuilt = _values.rebuild(marshal.loads(marshal.dumps(_values.describe(value))))
    assert type(rebuilt) is type(value)
    assert rebuilt.equals(value)
    if isinstance(value, pd.DataFrame):
        assert list(rebuilt.dtypes) == list(value.dtypes) and rebuilt.columns.equals(value.columns)
    else:
        assert rebuilt.dtype == value.dtype
    if hasattr(value, "index"):
        assert rebuilt.index.equals(value.index)


def test_plain_values_are_told_apart_from_buffers_and_subclasses():
    import array
    import collections

    assert _values.is_plain([1, (2.0, {"a": b"x"}), {3}, frozenset({None}), 1j])
    cyclic: list = [1]
    cyclic.append(cyclic)
    assert _values.is_plain(cyclic)
    shared: list = [[]]
    for _ in range(60):  # 2**60 paths through 61 lists: each container is walked once
        shared = [shared, shared]
    assert _values.is_plain(shared)
    assert _values.is_plain({(1, 2): [{3: frozenset({4})}], "x": {5}})
    assert not _values.is_plain({(1, 2): [{3: bytearray(b"x")}]})  # in a dict's value
    assert not _values.is_plain({(1, np.int64(2)): 3})  # in a dict's key
    for value in (bytearray(b"x"), memoryview(b"x"), array.array("b", [1]), np.float64(1), [np.int64(1)], collections.Counter("a")):
        assert not _values.is_plain(value)
    assert _values.describe(collections.OrderedDict(a=1)) == ("dict", [(("=", "a"), ("=", 1))])
    with pytest.raises(_values.Unsupported):
        _values.describe(array.array("b", [1]))
    with pytest.raises(_values.Unsupported):
        _values.describe(np.zeros(2, dtype=[("a", "i8")]))


@pytest.mark.parametrize("forged", [
    ("np", "|V8", b"x"), ("np", "|O", 4), ("np", "<i8", [4]), ("nd", "<i8", (2,), [1]), ("nd", "<i8", (-1,), []),
    ("nd", "<i8", (1,), ["x" * 3]), ("nd", "[('a','<i8')]", (1,), [1]), ("nd", "<i8", (1 << 30, 1 << 30), []),
    ("pd.Series", ("nd", "<i8", (1,), [1]), ("pd.RangeIndex", 0, 5, 1, ("=", None)), ("=", None)),
    ("pd.array", "Sparse[int64]", []), ("pd.Series", ("pd.array", "Period[D]", []), ("pd.RangeIndex", 0, 0, 1, ("=", None)), ("=", None)),
    ("pd.Timestamp", 0, "../../etc/passwd"), ("list", ("=", 1)), ("dict", [(("=", 1),)]), ("unknown",), "text", (),
])
def test_forged_descriptions_are_refused(forged):
    with pytest.raises(_values.Malformed):
        _values.rebuild(forged)


def test_a_deeply_nested_description_is_refused_without_recursing_forever():
    node: tuple = ("=", 1)
    for _ in range(3000):
        node = ("list", [node])
    with pytest.raises(_values.Malformed):
        _values.rebuild(node)
