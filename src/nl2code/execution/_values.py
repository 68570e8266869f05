"""How a value a sample returned crosses from the child to the driver, numpy and pandas included.

Plain values (exact builtin types all the way down) travel as marshal data. Anything else is
described by the child as a tree of tagged tuples made of plain data only (`describe`), and the
driver rebuilds real objects from it with its own numpy and pandas (`rebuild`), validating every
field, so that the comparison the benchmark's test writes (`==`, `is`, a tolerance) runs on
genuine values in the trusted process. Nothing a sample defines reaches the driver: a subclass,
an object with its own `__eq__`, or a dtype the rebuild does not know is refused by the child
(reported by type name) or by the driver (malformed), and fails the test.

Marshal alone is not enough: it writes any object with the buffer protocol (a numpy scalar or
array, a bytearray, an array.array) as `bytes`, which is how `np.float64(3.0)` used to arrive as
`b'\\x00...\\x08@'`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from itertools import chain

# the types marshal writes as themselves; a value made only of these travels as is
_ATOMS = frozenset({type(None), bool, int, float, complex, str, bytes})
_CONTAINERS = frozenset({list, tuple, set, frozenset, dict})
_PLAIN = _ATOMS | _CONTAINERS

MAX_DEPTH = 200  # nesting of described (non-plain) values; plain ones are bounded by marshal


class Unsupported(Exception):
    """The child cannot describe this value; `args[0]` names its type."""


class Malformed(Exception):
    """The driver received a description it does not accept."""


def is_plain(value: object) -> bool:
    """True when `value` and everything in it is of an exact builtin type marshal writes as
    itself (no subclass, no buffer-protocol object). Iterative, and safe on cycles and shared
    members. Walked a level at a time with C-level iteration (`map`, `chain`): the child pays this
    check for every value it ships, and a per-container Python loop made it the largest cost of
    shipping large outputs (MBPP+'s Mbpp/255 returns 6 million floats in 350,000 tuples)."""
    if type(value) in _ATOMS:
        return True
    seen: set[int] = set()
    level = [value]
    while level:
        if not set(map(type, level)) <= _CONTAINERS:
            return False
        fresh = dict(zip(map(id, level), level))  # each container walked once: cycles, shared members
        for known in seen.intersection(fresh):
            del fresh[known]
        seen.update(fresh)
        containers = list(fresh.values())
        kinds = set(map(type, _members(containers)))
        if kinds <= _ATOMS:
            return True
        if not kinds <= _PLAIN:
            return False
        level = [m for m in _members(containers) if type(m) in _CONTAINERS] if kinds & _ATOMS else list(_members(containers))
    return True


def _members(containers: list) -> Iterator:
    """Every member of `containers`, a dict's keys and values alike."""
    dicts = [c for c in containers if type(c) is dict]
    if not dicts:
        return chain.from_iterable(containers)
    others = [c for c in containers if type(c) is not dict]
    return chain(chain.from_iterable(others), chain.from_iterable(dicts), chain.from_iterable(map(dict.values, dicts)))


# -- the child's side: describe ---------------------------------------------------------------

_NUMPY_SCALARS = (
    "bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "longlong",
    "ulonglong", "float16", "float32", "float64", "complex64", "complex128", "str_", "bytes_",
    "datetime64", "timedelta64",
)
_PANDAS_INDEXES = ("Index", "Int64Index", "UInt64Index", "Float64Index", "DatetimeIndex", "TimedeltaIndex", "CategoricalIndex")
_index_types: dict[int, frozenset] = {}


def _pandas_index_types(pandas) -> frozenset:
    """pandas' own Index classes (pandas 1.x has a class per dtype; some names warn when read)."""
    known = _index_types.get(id(pandas))
    if known is None:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            known = frozenset(t for t in (getattr(pandas, n, None) for n in _PANDAS_INDEXES) if isinstance(t, type))
        _index_types[id(pandas)] = known
    return known


def describe(value: object) -> tuple:
    """A tagged description of a value that is not plain, made of plain data only."""
    return _describe(value, 0, set())


def _type_name(value: object) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"[:100] if kind.__module__ not in ("builtins", "__main__") else kind.__qualname__[:100]


def _describe(value: object, depth: int, active: set[int]) -> tuple:
    if is_plain(value):
        return ("=", value)
    if depth > MAX_DEPTH:
        raise Unsupported("value nested too deeply")
    kind = type(value)
    if kind in _CONTAINERS or _plain_base(kind) is not None:
        if id(value) in active:
            raise Unsupported("self-referencing " + _type_name(value))
        active.add(id(value))
        try:
            return _describe_container(value, _plain_base(kind) or kind, depth, active)
        finally:
            active.discard(id(value))
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        if kind is numpy.ndarray:
            return _describe_array(numpy, value, depth, active)
        if any(kind is getattr(numpy, name, None) for name in _NUMPY_SCALARS):
            return _describe_scalar(numpy, value)
    pandas = sys.modules.get("pandas")
    if pandas is not None:
        described = _describe_pandas(pandas, value, depth, active)
        if described is not None:
            return described
    raise Unsupported(_type_name(value))


def _plain_base(kind: type) -> type | None:
    """The builtin container whose equality a container subclass keeps (Counter, OrderedDict,
    defaultdict, a namedtuple, a list subclass without its own `__eq__`): it is described as
    that base, as `==` sees it."""
    if kind in _CONTAINERS:
        return None
    if issubclass(kind, dict) and (kind.__eq__ is dict.__eq__ or kind.__module__ == "collections"):
        return dict
    if issubclass(kind, tuple) and kind.__eq__ is tuple.__eq__:
        return tuple
    if issubclass(kind, list) and kind.__eq__ is list.__eq__:  # torch's DataChunk
        return list
    return None


def _describe_container(value, base: type, depth: int, active: set[int]) -> tuple:
    if base is dict:
        return ("dict", [(_describe(k, depth + 1, active), _describe(v, depth + 1, active)) for k, v in dict.items(value)])
    members = list(tuple.__iter__(value)) if base is tuple else list(list.__iter__(value)) if base is list else list(value)
    return (base.__name__, [_describe(v, depth + 1, active) for v in members])


def _describe_scalar(numpy, value) -> tuple:
    dtype = value.dtype
    if dtype.kind in "Mm":
        return ("np", dtype.str, int(numpy.array(value).view("i8")[()]))
    return ("np", dtype.str, value.item())


def _describe_array(numpy, value, depth: int, active: set[int]) -> tuple:
    dtype = value.dtype
    if dtype.fields is not None or dtype.subdtype is not None:
        raise Unsupported(f"numpy array of structured dtype {dtype}")
    shape = tuple(int(n) for n in value.shape)
    flat = value.ravel()
    if dtype.kind == "O":
        return ("nd", "|O", shape, [_describe(v, depth + 1, active) for v in flat])
    if dtype.kind in "Mm":
        return ("nd", dtype.str, shape, flat.view("i8").tolist())
    if dtype.kind in "fc" and dtype.itemsize > (8 if dtype.kind == "f" else 16):
        raise Unsupported(f"numpy array of {dtype}")
    return ("nd", dtype.str, shape, flat.tolist())


def _describe_pandas(pandas, value, depth: int, active: set[int]) -> tuple | None:
    kind = type(value)
    if kind is pandas.Series:
        return ("pd.Series", _describe_values(pandas, value, depth, active), _describe_index(pandas, value.index, depth, active),
                _describe(value.name, depth + 1, active))
    if kind is pandas.DataFrame:
        columns = [_describe_values(pandas, value.iloc[:, i], depth, active) for i in range(value.shape[1])]
        return ("pd.DataFrame", columns, _describe_index(pandas, value.columns, depth, active), _describe_index(pandas, value.index, depth, active))
    if kind is pandas.RangeIndex or kind is pandas.MultiIndex or any(kind is t for t in _pandas_index_types(pandas)):
        return _describe_index(pandas, value, depth, active)
    if kind is pandas.Timestamp:
        return ("pd.Timestamp", int(value.value), None if value.tz is None else str(value.tz))
    if kind is pandas.Timedelta:
        return ("pd.Timedelta", int(value.value))
    if value is pandas.NaT:
        return ("pd.NaT",)
    if value is pandas.NA:
        return ("pd.NA",)
    return None


def _describe_values(pandas, values, depth: int, active: set[int]) -> tuple:
    """A Series' or an Index's values: a numpy array, or a pandas extension array by dtype name."""
    import numpy

    dtype = values.dtype
    if isinstance(dtype, numpy.dtype):
        return _describe_array(numpy, numpy.asarray(values), depth + 1, active)
    if not _PANDAS_DTYPES.match(str(dtype)):
        raise Unsupported(f"pandas values of dtype {dtype}")
    return ("pd.array", str(dtype), [_describe(v, depth + 1, active) for v in values.array])


def _describe_index(pandas, index, depth: int, active: set[int]) -> tuple:
    kind = type(index)
    name = _describe(index.name, depth + 1, active)
    if kind is pandas.RangeIndex:
        return ("pd.RangeIndex", int(index.start), int(index.stop), int(index.step), name)
    if kind is pandas.MultiIndex:
        return ("pd.MultiIndex", [_describe(tuple(t), depth + 1, active) for t in index], _describe(list(index.names), depth + 1, active))
    if any(kind is t for t in _pandas_index_types(pandas)):
        return ("pd.Index", _describe_values(pandas, index, depth, active), name)
    raise Unsupported(_type_name(index))


# -- the driver's side: rebuild ---------------------------------------------------------------

_DTYPE = re.compile(r"[<>|=]?(b1|[iu][1248]|f[248]|c(8|16)|[US]\d{1,6}|[Mm]8(\[\d*(Y|M|W|D|h|m|s|ms|us|ns|ps|fs|as)\])?|O)\Z")
_PANDAS_DTYPES = re.compile(
    r"(U?Int(8|16|32|64)|Float(32|64)|boolean|string|category|object|datetime64\[ns(, [A-Za-z][A-Za-z0-9_+\-/]{0,63})?\]|timedelta64\[ns\])\Z"
)
_TIMEZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]{0,31}(/[A-Za-z0-9_+\-]{1,31}){0,2}\Z")
_MAX_ELEMENTS = 1 << 24


def rebuild(description: object) -> object:
    """The real value a description stands for; `Malformed` when it is not one we accept."""
    try:
        return _rebuild(description, 0)
    except Malformed:
        raise
    except (TypeError, ValueError, OverflowError, KeyError, IndexError, AttributeError, MemoryError, RecursionError) as exc:
        raise Malformed(f"{type(exc).__name__}: {str(exc)[:200]}") from None


def _node(description: object, arity: int) -> tuple:
    if type(description) is not tuple or len(description) != arity:
        raise Malformed(f"a {str(description[0]) if type(description) is tuple and description else 'value'} node of the wrong shape")
    return description


def _rebuild(description: object, depth: int) -> object:
    if depth > MAX_DEPTH + 5:
        raise Malformed("nested too deeply")
    if type(description) is not tuple or not description or type(description[0]) is not str:
        raise Malformed("not a tagged node")
    tag = description[0]
    if tag == "=":
        return _node(description, 2)[1]
    if tag in ("list", "tuple", "set", "frozenset"):
        members = _node(description, 2)[1]
        if type(members) is not list:
            raise Malformed(f"{tag} members are not a list")
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[tag](_rebuild(m, depth + 1) for m in members)
    if tag == "dict":
        items = _node(description, 2)[1]
        if type(items) is not list or any(type(i) is not tuple or len(i) != 2 for i in items):
            raise Malformed("dict items are not pairs")
        return {_rebuild(k, depth + 1): _rebuild(v, depth + 1) for k, v in items}
    if tag == "np":
        return _rebuild_scalar(description)
    if tag == "nd":
        return _rebuild_array(description, depth)
    if tag.startswith("pd."):
        return _rebuild_pandas(description, depth)
    raise Malformed(f"unknown tag {tag[:20]!r}")


def _numpy_dtype(text: object):
    import numpy

    if type(text) is not str or not _DTYPE.match(text):
        raise Malformed(f"dtype {str(text)[:40]!r} is not one the driver rebuilds")
    return numpy, numpy.dtype(text)


def _rebuild_scalar(description: object) -> object:
    _, text, item = _node(description, 3)
    numpy, dtype = _numpy_dtype(text)
    if dtype.kind == "O":
        raise Malformed("an object scalar")
    if dtype.kind in "Mm":
        if type(item) is not int:
            raise Malformed("a datetime scalar without its integer value")
        return numpy.array(item, "i8").view(dtype)[()]
    if type(item) not in _ATOMS:
        raise Malformed("a numpy scalar with a non-plain item")
    return numpy.array(item, dtype)[()]


def _rebuild_array(description: object, depth: int) -> object:
    _, text, shape, flat = _node(description, 4)
    numpy, dtype = _numpy_dtype(text)
    if type(shape) is not tuple or len(shape) > 32 or any(type(n) is not int or n < 0 for n in shape):
        raise Malformed("an array shape that is not a tuple of sizes")
    if type(flat) is not list or len(flat) != _product(shape):
        raise Malformed("an array whose element count does not match its shape")
    if dtype.kind == "O":
        array = numpy.empty(len(flat), dtype=object)
        for i, member in enumerate(flat):
            array[i] = _rebuild(member, depth + 1)
        return array.reshape(shape)
    if not all(type(v) in _ATOMS for v in flat):
        raise Malformed("array elements that are not plain numbers or strings")
    if dtype.kind in "Mm":
        return numpy.array(flat, dtype="i8").view(dtype).reshape(shape)
    return numpy.array(flat, dtype=dtype).reshape(shape)


def _product(shape: tuple) -> int:
    total = 1
    for n in shape:
        total *= n
        if total > _MAX_ELEMENTS:
            raise Malformed("an array larger than the driver rebuilds")
    return total


def _rebuild_pandas(description: tuple, depth: int) -> object:
    import pandas

    tag = description[0]
    if tag == "pd.Series":
        _, values, index, name = _node(description, 4)
        return pandas.Series(_rebuild_values(values, depth), index=_rebuild_index(index, depth), name=_hashable(_rebuild(name, depth + 1)), copy=False)
    if tag == "pd.DataFrame":
        _, columns, labels, index = _node(description, 4)
        if type(columns) is not list:
            raise Malformed("DataFrame columns are not a list")
        labels, index = _rebuild_index(labels, depth), _rebuild_index(index, depth)
        arrays = [_rebuild_values(c, depth) for c in columns]
        if len(labels) != len(arrays) or any(len(a) != len(index) for a in arrays):
            raise Malformed("DataFrame columns that do not match its labels or index")
        if not arrays:
            return pandas.DataFrame(index=index, columns=labels)
        frame = pandas.DataFrame(dict(enumerate(arrays)), copy=False)
        frame.index, frame.columns = index, labels
        return frame
    if tag in ("pd.Index", "pd.RangeIndex", "pd.MultiIndex"):
        return _rebuild_index(description, depth)
    if tag == "pd.Timestamp":
        _, value, tz = _node(description, 3)
        if type(value) is not int or not (tz is None or (type(tz) is str and _TIMEZONE.match(tz))):
            raise Malformed("a Timestamp without an integer value or with an unknown time zone")
        return pandas.Timestamp(value, tz=tz)
    if tag == "pd.Timedelta":
        _, value = _node(description, 2)
        if type(value) is not int:
            raise Malformed("a Timedelta without an integer value")
        return pandas.Timedelta(value)
    if tag == "pd.NaT":
        _node(description, 1)
        return pandas.NaT
    if tag == "pd.NA":
        _node(description, 1)
        return pandas.NA
    raise Malformed(f"unknown tag {tag[:20]!r}")


def _hashable(name: object) -> object:
    try:
        hash(name)
    except TypeError:
        raise Malformed("an unhashable name") from None
    return name


def _rebuild_values(description: object, depth: int) -> object:
    import pandas

    if type(description) is tuple and description and description[0] == "nd":
        array = _rebuild_array(description, depth + 1)
        if array.ndim != 1:
            raise Malformed("pandas values that are not one-dimensional")
        return array
    _, dtype, members = _node(description, 3)
    if description[0] != "pd.array" or type(dtype) is not str or not _PANDAS_DTYPES.match(dtype) or type(members) is not list:
        raise Malformed(f"pandas values of dtype {str(dtype)[:40]!r}")
    return pandas.array([_rebuild(m, depth + 1) for m in members], dtype=dtype)


def _rebuild_index(description: object, depth: int) -> object:
    import pandas

    if type(description) is not tuple or not description:
        raise Malformed("an index that is not a node")
    tag = description[0]
    if tag == "pd.RangeIndex":
        _, start, stop, step, name = _node(description, 5)
        if not all(type(n) is int for n in (start, stop, step)) or step == 0:
            raise Malformed("a RangeIndex without integer bounds")
        return pandas.RangeIndex(start, stop, step, name=_hashable(_rebuild(name, depth + 1)))
    if tag == "pd.MultiIndex":
        _, tuples, names = _node(description, 3)
        if type(tuples) is not list:
            raise Malformed("MultiIndex entries are not a list")
        members = [_rebuild(t, depth + 1) for t in tuples]
        names = _rebuild(names, depth + 1)
        if any(type(t) is not tuple for t in members) or type(names) is not list:
            raise Malformed("MultiIndex entries are not tuples")
        return pandas.MultiIndex.from_tuples(members, names=names) if members else pandas.MultiIndex.from_arrays([[]] * max(len(names), 1), names=names or None)
    if tag == "pd.Index":
        _, values, name = _node(description, 3)
        return pandas.Index(_rebuild_values(values, depth), name=_hashable(_rebuild(name, depth + 1)))
    raise Malformed(f"an index node tagged {tag[:20]!r}")
