"""The records that flow through nl2code, one type per stage: Problem -> Generation -> Execution.

Hot-path records are frozen dataclasses with slots; pydantic lives only at the boundaries.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    """The verdict of one execution, decided by the trusted parent."""

    PASSED = "passed"
    FAILED = "failed"
    TIMEOUT = "timeout"
    CRASHED = "crashed"  # killed by a signal or died without reporting an error
    OOM = "oom"
    OUTPUT_LIMIT = "output_limit"
    NO_RESULT = "no_result"  # exited before every test ran (sys.exit, os._exit, ...)
    COMPILE_ERROR = "compile_error"
    SANDBOX_ERROR = "sandbox_error"  # the executor failed; never the sample's fault
    NOT_EXECUTED = "not_executed"  # a benchmark without tests: the program is scored by text match, never run


class StepKind(enum.StrEnum):
    """How one step of a problem's tests is run and judged.

    STATEMENT runs in the child and is no test case by itself (setup inside a check function).
    ASSERT runs an assert statement in the child: the child reports whether it raised.
    COMPARE evaluates an expression in the child, ships its value marshalled (exact builtin
    types only) and the trusted parent compares it with the expected value it kept to itself.
    """

    STATEMENT = "statement"
    ASSERT = "assert"
    COMPARE = "compare"


class Comparison(enum.StrEnum):
    EQUAL = "equal"  # value == expected
    NOT_EQUAL = "not_equal"
    TRUTHY = "truthy"  # bool(value)
    FALSY = "falsy"
    CLOSE = "close"  # abs(value - expected) < tolerance (or <=, see TestStep.inclusive)
    IS = "is"  # value is expected (None, True, False)
    ALLCLOSE = "allclose"  # EvalPlus: equal, or element-wise within atol (+ rtol 1e-7) where atol != 0
    CAPTURE = "capture"  # no comparison: the driver records the value (oracles: a reference's outputs)
    MTPB = "mtpb"  # MTPB's check: the value cast to the expected type, floats within 1e-6, Series allclose
    APPS_OUTPUT = "apps_output"  # APPS's judge of a standard-input program's stdout (its lenient chain)
    APPS_CALL = "apps_call"  # APPS's judge of a call-based answer (value, or the value in a 1-list)
    TOKENS_OUTPUT = "tokens_output"  # CodeContests: whitespace-split, case-folded tokens; numbers within 1e-5
    EVALPLUS = "evalplus"  # EvalPlus's current rule: equal, or same type (and length) and np.allclose(rtol 1e-7, atol)
    ORACLE = "oracle"  # an EvalPlus special oracle: expected = (name, reference output, extra), see execution.oracles


@dataclass(frozen=True, slots=True)
class TestStep:
    __test__ = False  # not a pytest test class
    kind: StepKind
    source: str  # the statement (STATEMENT, ASSERT) or the expression (COMPARE)
    comparison: Comparison | None = None
    expected: Any = None  # kept by the parent only; never sent to the child
    tolerance: float = 0.0
    inclusive: bool = False
    example: bool = False  # an example shown in the prompt: a filter for n@k, never a test case


@dataclass(frozen=True, slots=True)
class Problem:
    """One immutable benchmark problem."""

    benchmark: str
    version: str
    data_sha256: str
    task_id: str
    prompt: str  # what a model sees (a code prompt, or a natural-language task)
    entry_point: str
    test: str  # the benchmark's original test code, verbatim
    reference: str  # the reference solution as a whole program
    description: str = ""  # natural-language part of the prompt (for statistics)
    setup: str = ""  # code run after the solution and before the tests (MBPP test_setup_code)
    test_prelude: str = ""  # code run before the steps (the test module minus its check body)
    steps: tuple[TestStep, ...] = ()
    language: str = "python"
    prompt_is_code: bool = True  # True: a completion is appended to `prompt`
    aliases: tuple[str, ...] = ()  # other spellings of the task id ("2", "Mbpp/2")
    stop: tuple[str, ...] = ()  # the benchmark's own stop sequences for completions (MultiPL-E's stop_tokens)
    suffix: str = ""  # infilling: the code after the hole; a program is prompt + middle + suffix
    # True: the sample's code is not run as the module; it is bound as text to `__source__` and the
    # test prelude runs it (once per standard input: APPS, CodeContests; rewritten: MTPB)
    source_as_text: bool = False
    turns: tuple[str, ...] = ()  # multi-turn (MTPB): the prompt of each turn, in order
    skip_reason: str = ""  # not run here (a library that needs the network): reported as skipped, never failed
    # the benchmark's own wall-clock allowance for a whole sample, a floor under the evaluation's
    # wall limit (EvalPlus: the sum of the per-input limits, capped); 0: none
    wall_seconds: float = 0.0
    # EvalPlus: the first N tests are the original benchmark's ("base"), the rest its added ones;
    # a sample passing those N has passed the base score. 0: the benchmark has no such split
    base_tests: int = 0
    # the benchmark's own cap on new tokens per request (MTPB's max_gen_length, per turn); 0: the run's --max-tokens
    max_new_tokens: int = 0

    @property
    def n_tests(self) -> int:
        return sum(1 for s in self.steps if s.kind is not StepKind.STATEMENT and not s.example)

    @property
    def n_protected(self) -> int:
        """Test cases judged in the trusted parent (COMPARE steps that are not prompt examples)."""
        return sum(1 for s in self.steps if s.kind is StepKind.COMPARE and not s.example)

    @property
    def fully_protected(self) -> bool:
        return self.n_tests > 0 and self.n_protected == self.n_tests

    @property
    def n_examples(self) -> int:
        return sum(1 for s in self.steps if s.example)


@dataclass(frozen=True, slots=True)
class Sample:
    """One program to judge: a model's sample (from a file or a backend), made whole."""

    task_id: str
    sample_id: int  # index of this sample among the samples of its problem
    index: int  # position in the input (for output in input order)
    program: str  # the whole program to run (prompt + completion, or a full solution)
    raw: str = ""  # the raw text the sample came with (completion or solution)


@dataclass(frozen=True, slots=True)
class TestOutcome:
    __test__ = False  # not a pytest test class
    passed: bool
    protected: bool  # judged in the parent on marshalled values
    error: str = ""  # short reason when it failed


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits for one sample; what actually applied is recorded with each run."""

    cpu_seconds: float = 3.0
    wall_seconds: float = 10.0
    memory_bytes: int = 4 * 1024**3
    file_size_bytes: int = 64 * 1024**2
    open_files: int = 256
    processes: int = 64
    output_bytes: int = 1024 * 1024
    # False: no address-space rlimit (runtimes that reserve large virtual memory: the JVM, Go,
    # Node); memory is then capped by the sandbox's cgroup alone
    address_space: bool = True


@dataclass(frozen=True, slots=True)
class Execution:
    """The verdict of one sample."""

    task_id: str
    sample_id: int
    index: int
    status: Status
    tests: tuple[TestOutcome, ...] = ()
    duration: float = 0.0  # wall seconds
    cpu_time: float = 0.0
    stdout_tail: str = ""
    stderr_tail: str = ""
    error: str = ""
    isolation: str = ""
    limits: Limits = field(default_factory=Limits)
    examples_passed: bool | None = None  # the prompt's examples (n@k's filter); None: none to run
    # CAPTURE steps: (step index, value) for each plain value returned, (step index, Unmarshallable)
    # where the value was no plain builtin value; never stored, used by oracles
    captured: tuple[tuple[int, Any], ...] = ()
    # duplicate execution off: the index of the identical sample (same problem, same program)
    # whose execution this verdict is a copy of; None when this sample was executed itself
    copy_of: int | None = None

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    @property
    def tests_passed(self) -> int:
        return sum(1 for t in self.tests if t.passed)


@dataclass(frozen=True, slots=True)
class Unmarshallable:
    """A captured value that could not be shipped: its type's name."""

    type_name: str
