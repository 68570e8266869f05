"""D with LDC (DMD's front end on LLVM): `ldc2 -unittest` compiles the program with the tests'
`unittest` blocks, which the D runtime runs before `main`; inside the sandbox, linking included
(ldc2 starts the system's C compiler driver to link).

The tests end with an empty `void main(){}`: nl2code's copy of it prints the end marker, and the
program runs with `--DRT-testmode=run-main` so that the D runtime calls main after the unittest
blocks, and only when they all passed.
"""

from __future__ import annotations

import re

from nl2code.execution.languages import ExecSpec, Language, Stage
from nl2code.records import Limits, Problem

_EMPTY_MAIN = re.compile(r"\bvoid\s+main\s*\(\s*\)\s*\{\s*\}")


class D(Language):
    def spec(self, problem: Problem, program: str, limits: Limits, marker: str) -> ExecSpec:
        ldc2 = self.executable("ldc2") or "ldc2"
        main = f'void main() {{ import core.stdc.stdio : printf, fflush, stdout; printf("\\n{marker}\\n"); fflush(stdout); }}'
        tests, found = _EMPTY_MAIN.subn(main, problem.test, count=1)
        if not found:
            tests = f"{problem.test}\n{main}\n"
        files = (("main.d", f"{program}\n{tests}\n".encode()),)
        env = self.stage_env()
        stages = (
            Stage("compile", (ldc2, "-unittest", "-of=main", "main.d"), self.compile_limits(limits), env, compile=True),
            # the runtime skips main once unittests ran unless told otherwise; main prints the marker
            Stage("run", ("./main", "--DRT-testmode=run-main"), self.run_limits(limits), env),
        )
        return ExecSpec(files=files, stages=stages, marker=marker)


LANGUAGE = D(
    name="d",
    title="D",
    extension=".d",
    toolchain=("ldc2",),
    version_argv=("ldc2", "--version"),
    aliases=("dlang", "humaneval_to_dlang.py"),
    packages={"apt": ("ldc",)},
)
