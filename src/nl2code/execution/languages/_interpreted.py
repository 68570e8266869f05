"""Shared shape of the interpreted languages (JavaScript, PHP, Perl, Ruby, Lua, R, Racket, Bash,
Python as a whole program): one run stage, `<interpreter> main.<ext>`, on the program, the
benchmark's tests and a line that prints the end marker.

Each language says how to print the marker (`marker_code`), may put code before the program
(`prelude`), and may name failures its test harness reports in the output while exiting with
status 0 (`output_failure`: rackunit writes failed checks to stderr; MultiPL-E's Perl tests print
"ERROR"), as MultiPL-E's own evaluators read them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from nl2code.execution._worker import StageResult
from nl2code.execution.languages import ExecSpec, Language, Stage, _text
from nl2code.records import Limits, Problem, Status


@dataclass(frozen=True)
class Interpreted(Language):
    run_argv: tuple[str, ...] = ()  # the interpreter and its options; the main file is appended
    marker_template: str = ""  # code printing "\n<marker>\n" on stdout; {marker} is replaced

    def prelude(self, problem: Problem) -> str:
        """Code put before the program (hooks that see whether the tests ran)."""
        return ""

    def marker_code(self, problem: Problem, marker: str) -> str:
        return self.marker_template.replace("{marker}", marker)

    def source(self, problem: Problem, program: str, marker: str) -> str:
        return f"{self.prelude(problem)}{program}\n{problem.test}\n{self.marker_code(problem, marker)}\n"

    def stages(self, problem: Problem, limits: Limits) -> tuple[Stage, ...]:
        interpreter = self.executable(self.run_argv[0]) or self.run_argv[0]
        argv = (interpreter, *self.run_argv[1:], self.main_file(problem))
        return (Stage("run", argv, self.run_limits(limits), self.stage_env()),)

    def output_failure(self, problem: Problem, result: StageResult, spec: ExecSpec) -> str:
        """A failed test that the harness reported in the output of a run that exited with
        status 0 and printed the marker; "" when there is none."""
        return ""

    def judge(self, problem: Problem, stages: list[StageResult], sandbox_error: str, spec: ExecSpec, **kw):
        execution = super().judge(problem, stages, sandbox_error, spec, **kw)
        if execution.status is Status.PASSED and stages:
            reason = self.output_failure(problem, stages[-1], spec)
            if reason:
                return failed(execution, reason)
        return execution


def failed(execution, reason: str, status: Status = Status.FAILED):  # noqa: ANN001, ANN201 - an Execution
    from nl2code.records import TestOutcome

    return dataclasses.replace(execution, status=status, error=reason[:1000],
                               tests=(TestOutcome(passed=False, protected=False, error=reason[:200]),))


def stderr_text(result: StageResult) -> str:
    return _text(result.stderr_tail)


def stdout_without_marker(result: StageResult, spec: ExecSpec) -> str:
    return "\n".join(line for line in _text(result.stdout_tail).splitlines() if line != spec.marker)
