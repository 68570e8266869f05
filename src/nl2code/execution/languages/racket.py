"""Racket. rackunit reports a failed check on stderr and carries on, exiting 0; MultiPL-E's
evaluator counts any stderr output (or a non-zero exit) as a failure, and so does this module."""

from __future__ import annotations

from dataclasses import dataclass

from nl2code.execution._worker import StageResult
from nl2code.execution.languages import ExecSpec
from nl2code.execution.languages._interpreted import Interpreted, stderr_text
from nl2code.records import Problem


@dataclass(frozen=True)
class Racket(Interpreted):
    def output_failure(self, problem: Problem, result: StageResult, spec: ExecSpec) -> str:
        if result.stderr_bytes:
            return "output on stderr (rackunit reports failed checks there): " + stderr_text(result).strip()[-400:]
        return ""


LANGUAGE = Racket(
    name="racket", title="Racket", extension=".rkt", toolchain=("racket",), version_argv=("racket", "--version"),
    aliases=("rkt",), packages={"apt": ("racket",)}, run_argv=("racket",),
    marker_template='(display "\\n{marker}\\n")',
)
