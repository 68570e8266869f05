"""C++ (g++): compile with the benchmark's tests appended, then run; the tests' `main` is renamed
so that the end marker is printed only after it returns.

Parsing the standard library's headers is most of a compile (`bits/stdc++.h`, which MultiPL-E's
and MBXP's prompts include, costs about a second of CPU). The include lines a program starts
with (its *preamble*: the leading `#include` lines, before any other line) are compiled once per
preamble and g++ version into a precompiled header, by the trusted driver from nl2code's own copy
of those lines (system headers only: no sample text), and stored read-only (`_artifacts`). A
program whose preamble matches one is compiled with `-include` of it: the same headers, in the
same order, in front of the same program (the program's own `#include`s of them are then no-ops
behind their include guards), so the result cannot differ; g++ silently falls back to the text
of the header where a precompiled one does not fit its flags.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cache
from pathlib import Path

from nl2code.execution.languages import Language, Stage, _version
from nl2code.execution.languages import _artifacts
from nl2code.records import Limits, Problem

log = logging.getLogger(__name__)

# the tests' main() becomes an ordinary function; the real main prints the end marker after it
_RENAME_MAIN = "\n#define main nl2code_tests_main\n"
_REAL_MAIN = """
#undef main
#include <cstdio>
// the tests' main takes (argc, argv) (MBXP) or nothing (MultiPL-E, HumanEval-X): call the one it is
template <class F> auto nl2code_call(F f, int argc, char** argv, int) -> decltype(f(argc, argv)) {{ return f(argc, argv); }}
template <class F> auto nl2code_call(F f, int, char**, long) -> decltype(f()) {{ return f(); }}
int main(int argc, char** argv) {{
    nl2code_call(&nl2code_tests_main, argc, argv, 0);
    std::printf("\\n{marker}\\n");
    std::fflush(stdout);
    return 0;
}}
"""

FLAGS = ("-std=c++17",)  # the flags of every compile; a precompiled header is made with the same
_INCLUDE = re.compile(r"^[ \t]*#[ \t]*include[ \t]*(<[A-Za-z0-9_./+\-]+>)[ \t]*$")
MAX_PRECOMPILED = 16  # distinct preambles precompiled per g++ version (each is 20-100 MB)
WORTH_PRECOMPILING = ("bits/stdc++.h", "iostream", "algorithm", "string", "vector", "map", "regex", "boost/")


def preamble(program: str) -> tuple[str, ...]:
    """The `<header>`s of the `#include` lines a program starts with, in order, up to its first
    other line (blank lines are skipped; a comment or any other text ends the preamble)."""
    headers: list[str] = []
    for line in program.splitlines():
        if not line.strip():
            continue
        found = _INCLUDE.match(line)
        if found is None:
            break
        headers.append(found.group(1))
    return tuple(headers)


_lock = threading.Lock()
_built: dict[tuple[str, tuple[str, ...]], str] = {}


def precompiled(gxx: str, headers: tuple[str, ...]) -> str:
    """The header file to pass with -include for `headers` (its .gch beside it), building it the
    first time; "" when not worth it or not possible."""
    if not headers or not any(w in h for h in headers for w in WORTH_PRECOMPILING):
        return ""
    with _lock:
        if (gxx, headers) in _built:
            return _built[(gxx, headers)]
        if sum(1 for g, _ in _built if g == gxx) >= MAX_PRECOMPILED:
            return ""
        _built[(gxx, headers)] = path = _build(gxx, headers)
        return path


def _build(gxx: str, headers: tuple[str, ...]) -> str:
    text = "".join(f"#include {h}\n" for h in headers)

    def make(work: Path) -> None:
        (work / "preamble.h").write_text(text)
        _artifacts.run([gxx, *FLAGS, "-x", "c++-header", "-o", "preamble.h.gch", "preamble.h"], cwd=work)

    built = _artifacts.build("cpp-pch", _version_of(gxx), text + "|" + " ".join(FLAGS), make)
    return str(built / "preamble.h") if built else ""


@cache
def _version_of(gxx: str) -> str:
    return _version((gxx, "--version"))


# the preambles of MultiPL-E's and MBXP's C++ prompts, precompiled ahead of a run by `prepare`
# libraries a program links against because of the headers it includes (CodeGeeX's HumanEval-X
# evaluator links -lcrypto -lssl for its MD5 problem, CPP/162, which includes <openssl/md5.h>)
_LINKED_BY_HEADER = ((re.compile(r"^\s*#\s*include\s*[<\"]openssl/", re.MULTILINE), ("-lcrypto", "-lssl")),)


def libraries(source: str) -> tuple[str, ...]:
    """The -l flags the source's #include lines call for, in a fixed order (after the source on
    g++'s command line, where the linker looks for them)."""
    flags: list[str] = []
    for pattern, libs in _LINKED_BY_HEADER:
        if pattern.search(source):
            flags.extend(lib for lib in libs if lib not in flags)
    return tuple(flags)


KNOWN_PREAMBLES = (("<assert.h>", "<bits/stdc++.h>"), ("<bits/stdc++.h>",))


class Cpp(Language):
    def prepare(self) -> list[str]:
        """Precompile the benchmarks' usual preambles ahead of a run."""
        gxx = self.executable("g++")
        return [h for h in (precompiled(gxx, p) for p in KNOWN_PREAMBLES) if h] if gxx else []

    def source(self, problem: Problem, program: str, marker: str) -> str:
        return program + _RENAME_MAIN + problem.test + _REAL_MAIN.format(marker=marker)

    def stages(self, problem: Problem, limits: Limits) -> tuple[Stage, ...]:
        return self._stages(limits, "")

    def spec(self, problem: Problem, program: str, limits: Limits, marker: str):  # noqa: ANN201 - ExecSpec
        from nl2code.execution.languages import ExecSpec

        gxx = self.executable("g++") or "g++"
        header = precompiled(gxx, preamble(program))
        source = self.source(problem, program, marker)
        stages = self._stages(limits, header, libraries(source))
        return ExecSpec(files=((self.main_file(problem), source.encode()),), stages=stages, marker=marker)

    def _stages(self, limits: Limits, header: str, libs: tuple[str, ...] = ()) -> tuple[Stage, ...]:
        env = self.stage_env()
        include = ("-include", header) if header else ()
        compile_argv = (self.executable("g++") or "g++", *FLAGS, *include, "-o", "main", "main.cpp", *libs)
        return (
            Stage("compile", compile_argv, self.compile_limits(limits), env, compile=True),
            Stage("run", ("./main",), self.run_limits(limits), env),
        )


LANGUAGE = Cpp(
    name="cpp",
    title="C++",
    extension=".cpp",
    toolchain=("g++",),
    aliases=("c++", "cc", "cxx"),
    packages={"apt": ("g++", "libboost-dev", "libssl-dev")},
    read_paths=(_artifacts.ensure_root(),),
)
