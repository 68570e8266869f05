"""Perl. MultiPL-E's evaluator counts "ERROR" anywhere in the output as a failure even with
exit status 0, and so does this module; MultiPL-E's tests use Test::Deep."""

from __future__ import annotations

from dataclasses import dataclass

from nl2code.execution._worker import StageResult
from nl2code.execution.languages import ExecSpec
from nl2code.execution.languages._interpreted import Interpreted, stderr_text, stdout_without_marker
from nl2code.records import Problem


@dataclass(frozen=True)
class Perl(Interpreted):
    def output_failure(self, problem: Problem, result: StageResult, spec: ExecSpec) -> str:
        if "ERROR" in stdout_without_marker(result, spec) or "ERROR" in stderr_text(result):
            return "the output says ERROR (MultiPL-E's rule for Perl): " + (stderr_text(result).strip() or stdout_without_marker(result, spec).strip())[-400:]
        return ""


LANGUAGE = Perl(
    name="perl", title="Perl", extension=".pl", toolchain=("perl",), version_argv=("perl", "-e", "print $^V"),
    aliases=("pl",), packages={"apt": ("perl", "libtest-deep-perl")}, run_argv=("perl",),
    marker_template='print "\\n{marker}\\n";',
)
