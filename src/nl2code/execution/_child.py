"""What runs inside a sample's forked child: the program, then the problem's test steps.

Everything here is untrusted territory once the program starts. The child only reports, through
a `Channel` (a memory area shared with the worker, then the result pipe); it never decides a
verdict, and it never holds expected values of protected (COMPARE) steps: those stay in the driver.
"""

from __future__ import annotations

import builtins
import marshal
import os
import sys
import traceback
from dataclasses import dataclass
from types import CodeType

from nl2code.execution import _values

# message codes, child -> worker (framed: 4-byte little-endian length + marshal of a tuple)
MSG_COMPILED = 0
MSG_COMPILE_ERROR = 1
MSG_PROGRAM_ERROR = 2
MSG_STEP_OK = 3
MSG_STEP_VALUE = 4
MSG_STEP_ERROR = 5
MSG_STEP_OOM = 6
MSG_STEP_UNMARSHALLABLE = 7
MSG_SANDBOX_ERROR = 8
MSG_DONE = 9
MSG_STEP_DESCRIBED = 10  # a value that is not plain, as `_values.describe` tells it

KIND_STATEMENT = 0
KIND_ASSERT = 1
KIND_COMPARE = 2

_dumps = marshal.dumps
_write = os.write
_exit = os._exit


@dataclass(frozen=True, slots=True)
class CompiledProblem:
    """A problem's test code as the worker holds it: compiled once, without expected values."""

    entry_point: str
    bind_candidate: bool
    setup: CodeType | None
    prelude: CodeType | None
    steps: tuple[tuple[int, CodeType], ...]


def _short(exc: BaseException) -> str:
    """The exception's last line as `traceback.format_exception_only` writes it ("module.Type:
    message"), at most its last 500 characters. Written out here for the common case: the
    traceback module costs a failing sample's child about 0.5 ms and 150 copy-on-write page
    faults (it touches many shared objects), more than the rest of a quick failure. Syntax
    errors (their caret lines) and exceptions with notes still go through it."""
    cls = type(exc)
    if issubclass(cls, SyntaxError) or getattr(exc, "__notes__", None) is not None:
        return "".join(traceback.format_exception_only(cls, exc)).strip()[-500:]
    name = cls.__qualname__
    module = cls.__module__
    if module not in ("__main__", "builtins"):
        name = f"{module if isinstance(module, str) else '<unknown>'}.{name}"
    try:
        text = str(exc)
    except BaseException:  # noqa: BLE001 - as traceback shows it
        text = "<exception str() failed>"
    return (f"{name}: {text}" if text else name).strip()[-500:]


AREA_HEADER = 8  # the shared area starts with the byte count of the frames that follow it


class Channel:
    """Where a child's reports go. First a memory area shared with the worker and made for this
    sample alone: a report costs one copy, no system call and no wake-up of the worker, and what
    was written stays readable when the child dies. A report that no longer fits, and every one
    after it, goes through the result pipe, which the worker drains as it comes (order is kept)."""

    __slots__ = ("area", "used", "fd")

    def __init__(self, area, fd: int) -> None:  # noqa: ANN001 - an mmap, or None for the pipe alone
        self.area = area
        self.used = 0
        self.fd = fd

    def send(self, message: tuple) -> None:
        data = _dumps(message)  # ValueError for what marshal cannot write: nothing is sent then
        frame = len(data).to_bytes(4, "little") + data
        area = self.area
        if area is not None:
            start = AREA_HEADER + self.used
            end = start + len(frame)
            if end <= len(area):
                area[start:end] = frame
                self.used += len(frame)
                area[:AREA_HEADER] = self.used.to_bytes(AREA_HEADER, "little")
                return
            self.area = None
        view = memoryview(frame)
        while view:
            view = view[_write(self.fd, view):]


def _send_value(send, index: int, value: object) -> None:
    """A plain value as marshal data; numpy, pandas and standard containers described; anything
    else by its type's name only (the driver fails the test)."""
    try:
        if _values.is_plain(value):
            send((MSG_STEP_VALUE, index, value))
        else:
            send((MSG_STEP_DESCRIBED, index, _values.describe(value)))
    except _values.Unsupported as exc:
        send((MSG_STEP_UNMARSHALLABLE, index, str(exc.args[0])[:100]))
    except ValueError:  # nested deeper than marshal writes
        send((MSG_STEP_UNMARSHALLABLE, index, type(value).__qualname__[:100]))


def run(problem: CompiledProblem, program: str, channel: Channel) -> None:
    """Run one sample in this (already sandboxed) process and report over `channel`."""
    send = channel.send
    random = sys.modules.get("random")
    if random is not None:
        # the same program always draws the same numbers, whichever worker runs it and whenever:
        # verdicts are reproducible, and one execution can stand for identical copies of a sample
        random.seed(program)
    try:
        code = compile(program, "<sample>", "exec")
    except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError) as exc:
        send((MSG_COMPILE_ERROR, _short(exc)))
        return
    send((MSG_COMPILED,))
    namespace: dict = {"__name__": "__main__", "__builtins__": builtins}
    try:
        exec(code, namespace)
        if problem.setup is not None:
            exec(problem.setup, namespace)
        if problem.prelude is not None:
            exec(problem.prelude, namespace)
        if problem.bind_candidate:
            namespace["candidate"] = namespace[problem.entry_point]
    except MemoryError:
        send((MSG_PROGRAM_ERROR, "MemoryError"))
        send((MSG_DONE,))
        return
    except BaseException as exc:  # noqa: BLE001 - SystemExit included: it is the sample's failure
        send((MSG_PROGRAM_ERROR, _short(exc)))
        send((MSG_DONE,))
        return
    for index, (kind, step) in enumerate(problem.steps):
        try:
            if kind == KIND_COMPARE:
                _send_value(send, index, eval(step, namespace))
            else:
                exec(step, namespace)
                send((MSG_STEP_OK, index))
        except MemoryError:
            send((MSG_STEP_OOM, index, "MemoryError"))
        except BaseException as exc:  # noqa: BLE001
            send((MSG_STEP_ERROR, index, _short(exc)))
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001
            pass
    send((MSG_DONE,))
