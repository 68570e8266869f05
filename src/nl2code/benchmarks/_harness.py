"""Trusted test-harness code that benchmarks put in a problem's test prelude when the sample's code
is bound as text (`Problem.source_as_text`): the sandboxed child runs it, on the sample's code, as
the benchmark's own harness would. It holds no expected value: those stay in the driver."""

from __future__ import annotations


def exec_source(transform: str = "") -> str:
    """Run the sample's code as the module (after `transform`, an expression of `__source__`)."""
    source = transform or "__source__"
    return f"exec(compile({source}, '<sample>', 'exec'), globals())\n"


# The imports APPS's own harness (hendrycks/apps eval/testing_util.py) puts before every
# solution: solutions may use these names without importing them.
APPS_HEADER = "\n".join([
    "import sys", "import time", "import itertools", "from itertools import accumulate, product, permutations, combinations",
    "import collections", "from collections import Counter, OrderedDict, deque, defaultdict, ChainMap",
    "from functools import lru_cache", "import math", "from math import sqrt, sin, cos, tan, ceil, fabs, floor, gcd, exp, log, log2",
    "import fractions", "from typing import List, Tuple", "import numpy as np", "import random", "import heapq", "from heapq import *",
]) + "\n"

_STDIO = '''
import builtins as _builtins, io as _io, signal as _signal, sys as _sys
__code__ = compile(__source__, "<sample>", "exec")
__header__ = compile({header!r}, "<header>", "exec")
__OUTPUT_CAP__ = 16 * 1024 * 1024
class _TimeLimit(Exception):
    pass
def _alarm(signum, frame):
    raise _TimeLimit("time limit of the test exceeded")
class _AppsStdin(_io.StringIO):
    """sys.stdin as APPS patches it: readline gives the next line without its newline (and raises
    when there is none), readlines the input split on newlines, read all of it."""
    def __init__(self, data):
        super().__init__(data)
        self._data, self._lines = data, iter(data.split("\\n"))
    def readline(self, *args):
        return next(self._lines)
    def readlines(self, *args):
        return self._data.split("\\n")
    def read(self, *args):
        return self._data
class _Stdout(_io.TextIOWrapper):
    def __init__(self):
        super().__init__(_io.BytesIO(), encoding="utf-8", newline="\\n", write_through=True)
    def text(self):
        return self.buffer.getvalue()[:__OUTPUT_CAP__].decode("utf-8", "replace")
def _timed(seconds, call):
    _signal.signal(_signal.SIGALRM, _alarm)
    _signal.setitimer(_signal.ITIMER_REAL, seconds)
    try:
        return call()
    finally:
        _signal.setitimer(_signal.ITIMER_REAL, 0)
def __run_stdin__(data, seconds, input_file="", output_file=""):
    """Run the program on `data` as its standard input; return what it wrote to standard output
    (or to output_file)."""
    namespace = {{"__name__": "__main__", "__builtins__": _builtins}}
    exec(__header__, namespace)
    if {apps!r}:
        stdin, stdout = _AppsStdin(data), _io.StringIO()
        namespace["open"] = lambda *args, **kwargs: _io.StringIO(data)
    else:
        stdin, stdout = _io.TextIOWrapper(_io.BytesIO(data.encode("utf-8")), encoding="utf-8"), _Stdout()
    if input_file:
        with _builtins.open(input_file, "w", encoding="utf-8") as f:
            f.write(data)
    saved = _sys.stdin, _sys.stdout
    _sys.stdin, _sys.stdout = stdin, stdout
    try:
        _timed(seconds, lambda: exec(__code__, namespace))
    except SystemExit:
        pass
    finally:
        _sys.stdin, _sys.stdout = saved
    if output_file:
        with _builtins.open(output_file, encoding="utf-8") as f:
            return f.read()
    return stdout.getvalue()[:__OUTPUT_CAP__] if {apps!r} else stdout.text()
__solution__ = None
def __apps_call__(name, inputs, seconds):
    """APPS's call-based form: the program is loaded once; each test calls `name` (a method of
    a new-once `Solution` where the program defines that class) with the test's arguments."""
    global __solution__
    if __solution__ is None:
        namespace = {{"__name__": "tmp_sol", "__builtins__": _builtins}}
        exec(__header__, namespace)
        _timed(seconds, lambda: exec(__code__, namespace))
        __solution__ = namespace["Solution"]() if "class Solution" in __source__ else namespace
    method = getattr(__solution__, name) if not isinstance(__solution__, dict) else __solution__[name]
    return _timed(seconds, lambda: method(*inputs))
'''


def stdio_harness(*, apps: bool) -> str:
    """The test prelude of standard-input problems: APPS's (its import header, its patched stdin
    and open) or a plain judge's (CodeContests: real text streams)."""
    return _STDIO.format(header=APPS_HEADER if apps else "", apps=apps)
