"""Swift, where `swiftc` is on PATH: no registry here packages it (Debian 12's `swift` package is
OpenStack's object store), so nl2code never installs it and `doctor` says where to get it.

MultiPL-E's and MBXP's Swift tests are top-level code after the program (`assert(...)`), run in
order: `swiftc` (debug build, -Onone, where `assert` is checked) compiles the file, the program
runs, and the marker is printed after the tests. A failed `assert` or `precondition` stops the
program with a trap instruction: SIGILL or SIGTRAP is a failed test here, not a crash.
"""

from __future__ import annotations

import signal

from nl2code.execution._worker import StageResult
from nl2code.execution.languages import ExecSpec, Language, Stage, _stderr, toolchain_prefix
from nl2code.records import Limits, Problem, Status

TRAPS = (signal.SIGILL, signal.SIGTRAP)


class Swift(Language):
    def source(self, problem: Problem, program: str, marker: str) -> str:
        return f'{program}\n{problem.test}\nprint("\\n{marker}")\n'

    def spec(self, problem: Problem, program: str, limits: Limits, marker: str) -> ExecSpec:
        swiftc = self.executable("swiftc") or "swiftc"
        env = self.stage_env()
        stages = (
            Stage("compile", (swiftc, "-Onone", "-o", "main", "main.swift"), self.compile_limits(limits), env, compile=True),
            Stage("run", ("./main",), self.run_limits(limits), env),
        )
        return ExecSpec(files=(("main.swift", self.source(problem, program, marker).encode()),), stages=stages, marker=marker)

    def run_failed(self, result: StageResult) -> tuple[Status, str]:
        if result.signal in TRAPS:
            return Status.FAILED, f"assertion failed (trap, signal {result.signal})" + _stderr(result)
        return super().run_failed(result)


LANGUAGE = Swift(
    name="swift", title="Swift", extension=".swift", toolchain=("swiftc",), version_argv=("swiftc", "--version"),
    aliases=("humaneval_to_swift.py",), install_from="https://www.swift.org/install/linux/",
    address_space=False, processes=128, read_paths=toolchain_prefix("swiftc"),
)
