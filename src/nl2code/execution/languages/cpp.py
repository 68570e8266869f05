"""C++ (g++): compile with the benchmark's tests appended, then run; the tests' `main` is renamed
so that the end marker is printed only after it returns."""

from __future__ import annotations

from nl2code.execution.languages import Language, Stage
from nl2code.records import Limits, Problem

# the tests' main() becomes an ordinary function; the real main prints the end marker after it
_RENAME_MAIN = "\n#define main nl2code_tests_main\n"
_REAL_MAIN = """
#undef main
#include <cstdio>
int main() {{
    nl2code_tests_main();
    std::printf("\\n{marker}\\n");
    std::fflush(stdout);
    return 0;
}}
"""


class Cpp(Language):
    def source(self, problem: Problem, program: str, marker: str) -> str:
        return program + _RENAME_MAIN + problem.test + _REAL_MAIN.format(marker=marker)

    def stages(self, problem: Problem, limits: Limits) -> tuple[Stage, ...]:
        env = self.stage_env()
        return (
            Stage("compile", (self.executable("g++") or "g++", "-std=c++17", "-o", "main", "main.cpp"), self.compile_limits(limits), env, compile=True),
            Stage("run", ("./main",), self.run_limits(limits), env),
        )


LANGUAGE = Cpp(
    name="cpp",
    title="C++",
    extension=".cpp",
    toolchain=("g++",),
    aliases=("c++", "cc", "cxx"),
    packages={"apt": ("g++", "libboost-dev", "libssl-dev")},
)
