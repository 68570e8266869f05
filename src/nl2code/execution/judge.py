"""The verdict: decided by the trusted driver from what the worker saw, never by the child's
exit code or output. Protected (COMPARE) steps are compared here, on marshalled builtin values
or on numpy and pandas values the driver rebuilt itself from the child's description."""

from __future__ import annotations

import marshal
import signal

from nl2code.execution import _child, _values, oracles
from nl2code.execution._worker import RawResult
from nl2code.records import Comparison, Execution, Limits, Problem, Status, StepKind, TestOutcome, TestStep, Unmarshallable


# standard-library result types that are always true; a `truthy` step accepts them by name
ALWAYS_TRUE_TYPES = frozenset({"Match"})


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _allclose(value: object, expected: object, atol: float) -> bool:
    """numpy.testing.assert_allclose's test (rtol 1e-7), as EvalPlus applies it; shapes must match."""
    import numpy as np

    try:
        a, b = np.asarray(value, dtype=float), np.asarray(expected, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return False
    if a.shape != b.shape:
        return False
    with np.errstate(invalid="ignore"):
        return bool(np.all((np.abs(a - b) <= atol + 1e-7 * np.abs(b)) | ((a == b) | (np.isnan(a) & np.isnan(b)))))


def received_value(code: int, payload: bytes) -> object:
    """The value a step message carries: plain marshal data as is, a description rebuilt into
    real (driver-made) numpy or pandas values. `_values.Malformed` for a description we refuse."""
    data = marshal.loads(payload)
    return _values.rebuild(data) if code == _child.MSG_STEP_DESCRIBED else data


def shown(value: object, limit: int = 200) -> str:
    """A value as the user reads it in an error: its repr on one line, cut at `limit`."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - e.g. an int past Python's 4,300-digit str limit: a sample's value must not stop the driver
        text = f"<{type(value).__name__} too large to show>"
    text = " ".join(text.split()) if "\n" in text else text
    return text[:limit] + ("..." if len(text) > limit else "")


def compare(step: TestStep, value: object) -> tuple[bool, str]:
    """Compare a value the child produced with the expected value only the driver knows."""
    try:
        match step.comparison:
            case Comparison.EQUAL:
                ok = bool(value == step.expected)
            case Comparison.NOT_EQUAL:
                ok = bool(value != step.expected)
            case Comparison.TRUTHY:
                ok = bool(value)
            case Comparison.FALSY:
                ok = not value
            case Comparison.IS:
                ok = value is step.expected
            case Comparison.CLOSE:
                diff = abs(value - step.expected)  # type: ignore[operator]
                ok = bool(diff <= step.tolerance if step.inclusive else diff < step.tolerance)
            case Comparison.ALLCLOSE:
                ok = value == step.expected or (step.tolerance != 0 and _allclose(value, step.expected, step.tolerance))
            case Comparison.MTPB | Comparison.APPS_OUTPUT | Comparison.APPS_CALL | Comparison.TOKENS_OUTPUT:
                from nl2code.execution import _verdicts

                ok = _verdicts.COMPARE[step.comparison](value, step.expected)
            case Comparison.EVALPLUS:
                ok = oracles.evalplus_match(value, step.expected, step.tolerance)
            case Comparison.ORACLE:
                ok = oracles.check(value, step.expected, step.tolerance)
            case _:
                return False, f"unknown comparison {step.comparison}"
    except (TypeError, ValueError, ArithmeticError, RecursionError) as exc:
        return False, f"cannot compare {shown(value, 120)}: {type(exc).__name__}: {str(exc)[:160]}"
    if ok:
        return True, ""
    return False, f"got {shown(value)}"


def judge(problem: Problem, raw: RawResult, limits: Limits, *, task_id: str, sample_id: int, index: int, isolation: str) -> Execution:
    steps = problem.steps
    results: list[tuple[bool, str] | None] = [None] * len(steps)
    compile_error = program_error = sandbox_error = ""
    protocol_error = raw.bad_channel
    done = oom = False
    expected_index = 0
    captured: list[tuple[int, object]] = []
    for message in raw.messages:
        code = message[0]
        if code == _child.MSG_DONE:
            done = True
            break
        if code == _child.MSG_COMPILED:
            continue
        if code == _child.MSG_COMPILE_ERROR:
            compile_error = str(message[1])
            break
        if code == _child.MSG_PROGRAM_ERROR:
            program_error = str(message[1])
            oom = program_error == "MemoryError"
            continue
        if code == _child.MSG_SANDBOX_ERROR:
            sandbox_error = str(message[1])
            break
        if len(message) < 2 or message[1] != expected_index or expected_index >= len(steps):
            protocol_error = "result messages out of order"
            break
        step = steps[expected_index]
        expected_index += 1
        if code == _child.MSG_STEP_OK and step.kind is not StepKind.COMPARE:
            results[message[1]] = (True, "")
        elif code in (_child.MSG_STEP_VALUE, _child.MSG_STEP_DESCRIBED) and step.kind is StepKind.COMPARE:
            try:
                value = received_value(code, message[2])
            except _values.Malformed as exc:
                value, malformed = None, f"returned a value the driver does not accept ({exc})"
            else:
                malformed = ""
            if step.comparison is Comparison.CAPTURE:
                captured.append((message[1], Unmarshallable(malformed) if malformed else value))
                results[message[1]] = (True, "")
            else:
                results[message[1]] = (False, malformed) if malformed else compare(step, value)
        elif code == _child.MSG_STEP_UNMARSHALLABLE and step.comparison is Comparison.CAPTURE:
            captured.append((message[1], Unmarshallable(str(message[2]))))
            results[message[1]] = (True, "")
        elif code == _child.MSG_STEP_UNMARSHALLABLE:
            if step.comparison is Comparison.ORACLE and oracles.accepts_opaque(step.expected):
                results[message[1]] = (True, "")  # EvalPlus asks only "is not None" of it
            elif step.comparison in (Comparison.TRUTHY, Comparison.FALSY) and message[2] in ALWAYS_TRUE_TYPES:
                # e.g. `assert text_match("ab")` with re.Match results: truthy by definition
                results[message[1]] = (step.comparison is Comparison.TRUTHY, "" if step.comparison is Comparison.TRUTHY else f"a {message[2]} is true")
            else:
                results[message[1]] = (False, f"returned a {message[2]}, not a plain builtin value (nor an exact numpy or pandas one)")
        elif code == _child.MSG_STEP_OOM:
            oom = oom or not step.example
            results[message[1]] = (False, "MemoryError")
        elif code == _child.MSG_STEP_ERROR:
            results[message[1]] = (False, str(message[2]))
        else:
            protocol_error = f"unexpected result message {code} for step {message[1]}"
            break

    tests = tuple(
        TestOutcome(passed=bool(r and r[0]), protected=s.kind is StepKind.COMPARE, error=(r[1] if r else "not run"))
        for s, r in zip(steps, results)
        if s.kind is not StepKind.STATEMENT and not s.example
    )
    examples = [bool(r and r[0]) for s, r in zip(steps, results) if s.example]
    examples_passed = all(examples) if examples else None
    # the prompt's examples filter samples for n@k; they never decide the verdict
    results = [None if s.example else r for s, r in zip(steps, results)]
    # examples run after the tests: once every test reported, a hang or an exit among the
    # examples does not change the verdict
    n_required = max((i + 1 for i, s in enumerate(steps) if not s.example), default=0)
    all_reported = not protocol_error and (
        (done and expected_index == len(steps)) or (n_required < len(steps) and expected_index >= n_required)
    )
    any_failed = any(r is not None and not r[0] for r in results)
    # RLIMIT_CPU sends SIGXCPU at the soft limit and SIGKILL at the hard one; rusage can read a
    # little under the limit (tick accounting)
    cpu_limited = raw.signal == signal.SIGXCPU or (raw.signal == signal.SIGKILL and raw.cpu_time >= limits.cpu_seconds * 0.9)
    error = ""
    if raw.sandbox_error or sandbox_error:
        status, error = Status.SANDBOX_ERROR, raw.sandbox_error or sandbox_error
    elif compile_error:
        status, error = Status.COMPILE_ERROR, compile_error
    elif raw.output_limited:
        status, error = Status.OUTPUT_LIMIT, f"more than {limits.output_bytes} bytes of output"
    elif program_error and done:  # the program itself raised (SystemExit included): no test ran
        status, error = (Status.OOM if oom else Status.FAILED), program_error
    elif oom:  # MemoryError in a test: the address-space cap
        status, error = Status.OOM, next((r[1] for r in results if r is not None and not r[0]), "MemoryError")
    elif all_reported:
        failed = next((r[1] for r in results if r is not None and not r[0]), "")
        status, error = (Status.FAILED, failed) if failed else (Status.PASSED, "")
    elif any_failed:
        status, error = Status.FAILED, next(r[1] for r in results if r is not None and not r[0])
    elif raw.oom_killed:  # the memory cgroup's OOM killer took a process of the sample
        status, error = Status.OOM, "killed by the kernel's OOM killer: the sample's processes together exceeded the memory cap"
    elif raw.timed_out or cpu_limited:
        status = Status.TIMEOUT
        error = "CPU time limit" if cpu_limited else f"wall-clock limit of {limits.wall_seconds:g} s"
    elif protocol_error:
        status, error = Status.NO_RESULT, protocol_error
    elif raw.signal is not None:
        status, error = Status.CRASHED, f"killed by {signal.Signals(raw.signal).name}" if raw.signal in signal.Signals._value2member_map_ else f"signal {raw.signal}"
    else:
        status, error = Status.NO_RESULT, f"exited (code {raw.exit_code}) before every test ran"
    return Execution(
        task_id=task_id,
        sample_id=sample_id,
        index=index,
        status=status,
        tests=tests,
        duration=raw.wall_time,
        cpu_time=raw.cpu_time,
        stdout_tail=_decode(raw.stdout_tail),
        stderr_tail=_decode(raw.stderr_tail),
        error=error[:1000],
        isolation=isolation,
        limits=limits,
        examples_passed=examples_passed,
        captured=tuple(captured),
    )
