"""JavaScript (node) and TypeScript (tsc, then node).

MultiPL-E's and mxeval's tests throw (node's `assert`, `throw`): a failure is a non-zero exit.
HumanEval-X's tests call `console.assert`, which only prints "Assertion failed" to stderr and
exits 0; CodeGeeX's evaluator counts any output on stdout or stderr as a failure, and so does
this module for tests that use `console.assert`. For those tests a prelude also counts the
`console.assert` calls made: a run that made none never ran its checks (CodeGeeX#45: test
functions that are defined and never called) and is judged `no_result`, not passed.

TypeScript compiles as each benchmark's evaluator compiles it: MultiPL-E runs
`tsc --target esnext` and takes any compiler error as a compile error; mxeval runs
`tsc --target es5 --lib es2016` and runs the JavaScript whenever tsc wrote it (exit status 2:
type errors, output written), since its tests import node's `assert` without type definitions.
Node and tsc reserve large virtual memory: memory is capped by the cgroup, not RLIMIT_AS.
"""

from __future__ import annotations

import functools
import re
import subprocess
from dataclasses import dataclass

from nl2code.execution._worker import StageResult
from nl2code.execution.languages import ExecSpec, Stage
from nl2code.execution.languages._interpreted import Interpreted, failed, stderr_text
from nl2code.records import Limits, Problem, Status

CHECKS = "nl2code-checks"
_PRELUDE = ("const nl2codeAssert = console.assert; let nl2codeChecks = 0; "
            "console.assert = function (...args) { nl2codeChecks++; return nl2codeAssert.apply(console, args); };\n")


def counts_checks(problem: Problem) -> bool:
    """Tests that judge with console.assert (HumanEval-X): output is failure, and checks are counted."""
    return "console.assert(" in problem.test


@functools.cache
def npm_root() -> str:
    """The global node_modules (lodash for MBXP's tests), for NODE_PATH."""
    try:
        out = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True, timeout=30)
        return out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.TimeoutExpired):
        return ""


@dataclass(frozen=True)
class JavaScript(Interpreted):
    def prelude(self, problem: Problem) -> str:
        return _PRELUDE if counts_checks(problem) else ""

    def marker_code(self, problem: Problem, marker: str) -> str:
        checks = f'"\\n{CHECKS} " + nl2codeChecks + ' if counts_checks(problem) else ""
        return f'console.log({checks}"\\n{marker}");'

    def stage_env(self) -> tuple[tuple[str, str], ...]:
        root = npm_root()
        return super().stage_env() + ((("NODE_PATH", root),) if root else ())

    def output_failure(self, problem: Problem, result: StageResult, spec: ExecSpec) -> str:
        if not counts_checks(problem):
            return ""
        found = re.findall(rf"^{CHECKS} (\d+)$", result.stdout_tail.decode("utf-8", "replace"), re.M)
        if result.stderr_bytes:
            return "output on stderr (HumanEval-X's rule: console.assert reports a failure there): " + stderr_text(result).strip()[-400:]
        expected = len(f"\n{CHECKS} {found[-1]}\n{spec.marker}\n") if found else 0
        if result.stdout_bytes > expected:
            return "output on stdout (HumanEval-X's rule: any output is a failure)"
        return ""

    def judge(self, problem: Problem, stages: list[StageResult], sandbox_error: str, spec: ExecSpec, **kw):
        execution = super().judge(problem, stages, sandbox_error, spec, **kw)
        if execution.status is Status.PASSED and counts_checks(problem):
            found = re.findall(rf"^{CHECKS} (\d+)$", stages[-1].stdout_tail.decode("utf-8", "replace"), re.M)
            if not found or int(found[-1]) == 0:
                return failed(execution, "the tests ran no check (console.assert was never called): a test function that is never called?",
                              Status.NO_RESULT)
        return execution


@dataclass(frozen=True)
class TypeScript(JavaScript):
    def main_file(self, problem: Problem) -> str:
        return "main.ts"

    def stages(self, problem: Problem, limits: Limits) -> tuple[Stage, ...]:
        tsc = self.executable("tsc") or "tsc"
        env = self.stage_env()
        node = (self.executable("node") or "node", "main.js")
        if problem.benchmark.startswith(("mbxp-", "multi-humaneval-", "mathqa-x-")):
            # mxeval: run the JavaScript whenever tsc wrote it (status 0, or 2: type errors only)
            script = f'"{tsc}" --target es5 --lib es2016 main.ts; s=$?; [ $s -eq 2 ] && [ -f main.js ] && exit 0; exit $s'
            compile_stage = Stage("compile", ("/bin/sh", "-c", script), self.compile_limits(limits), env, compile=True)
        else:
            compile_stage = Stage("compile", (tsc, "--target", "esnext", "main.ts"), self.compile_limits(limits), env, compile=True)
        return (compile_stage, Stage("run", node, self.run_limits(limits), env))


LANGUAGES = (
    JavaScript(
        name="javascript", title="JavaScript", extension=".js", toolchain=("node",), version_argv=("node", "--version"),
        aliases=("js", "node", "nodejs"), packages={"apt": ("nodejs", "npm"), "npm": ("lodash@4.17.21", "js-md5@0.8.3")},  # js-md5: HumanEval-X JavaScript/162
        address_space=False, run_argv=("node",),
    ),
    TypeScript(
        name="typescript", title="TypeScript", extension=".ts", toolchain=("tsc", "node"), version_argv=("tsc", "--version"),
        aliases=("ts",), packages={"apt": ("nodejs", "npm"), "npm": ("typescript@5.9.3", "lodash@4.17.21")},
        address_space=False, run_argv=("node",),
    ),
)
