"""The executor contract with a staged language (C++ through g++): each stage its own sandboxed
process, the verdict from what the trusted worker saw, the end marker against early exits."""

from __future__ import annotations

import shutil

import pytest

from nl2code.errors import ConfigError
from nl2code.execution import LocalExecutor, languages
from nl2code.execution.executor import Executor
from nl2code.records import Limits, Problem, Sample, Status

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed (nl2code toolchains install cpp)")

TESTS = """
#undef NDEBUG
#include <cassert>
int main() {
    auto candidate = add;
    assert(candidate(2, 3) == 5);
    assert(candidate(-1, 1) == 0);
}
"""
PROBLEM = Problem(benchmark="t", version="1", data_sha256="0" * 64, task_id="t/0", prompt="int add(int a, int b) {",
                  entry_point="add", test=TESTS, reference="int add(int a, int b) { return a + b; }", language="cpp")

PROGRAMS = {
    "correct": ("int add(int a, int b) { return a + b; }", Status.PASSED, ""),
    "wrong": ("int add(int a, int b) { return a - b; }", Status.FAILED, "Assertion `candidate(2, 3) == 5' failed"),
    "exits 0 early": ("#include <cstdlib>\nint add(int a, int b) { std::exit(0); }", Status.NO_RESULT, "no end marker"),
    "prints the marker's shape": ('#include <cstdio>\n#include <cstdlib>\nint add(int a, int b) { std::printf("nl2code-end-000000000000000000000000\\n"); std::exit(0); }',
                                  Status.NO_RESULT, "no end marker"),
    "syntax error": ("int add(int a, int b) { return a + ; }", Status.COMPILE_ERROR, "expected primary-expression"),
    "endless loop": ("int add(int a, int b) { volatile int x = 0; while (1) { x++; } }", Status.TIMEOUT, ""),
    "null dereference": ("int add(int a, int b) { volatile int *p = 0; return *p; }", Status.CRASHED, "SIGSEGV"),
}


def run(programs, limits=Limits(cpu_seconds=1, wall_seconds=20)):
    samples = [Sample("t/0", i, i, program) for i, program in enumerate(programs)]
    with LocalExecutor(workers=2) as executor:
        assert isinstance(executor, Executor)
        level = executor.level
        results = sorted(executor.execute(samples, {"t/0": PROBLEM}, {"t/0": limits}), key=lambda e: e.index)
    return results, level


def test_cpp_verdicts_come_from_the_stages_the_worker_watched():
    results, level = run([p for p, _, _ in PROGRAMS.values()])
    for (name, (_, status, error)), execution in zip(PROGRAMS.items(), results):
        assert execution.status is status, (name, execution.status, execution.error)
        assert error in execution.error, (name, execution.error)
        assert execution.isolation == level
    passed = results[0]
    assert passed.tests and passed.tests[0].passed and passed.cpu_time < 1
    assert passed.duration > passed.cpu_time  # compiling is in the duration, not in the run's CPU time


def test_a_compile_that_never_ends_is_a_compile_error_within_the_compile_limit():
    # template recursion without a depth bound in practice: g++ gives up at its own depth limit or
    # the compile stage's CPU limit ends it; either way the program never runs
    bomb = ("template<int N> struct F { static const int v = F<N + 1>::v + F<N + 2>::v; };\n"
            "int add(int a, int b) { return F<0>::v; }")
    results, _ = run([bomb])
    assert results[0].status is Status.COMPILE_ERROR, results[0].error


def test_the_run_stage_cannot_write_outside_its_directory_or_reach_the_network():
    escape = ('#include <cstdio>\n#include <sys/socket.h>\n#include <netinet/in.h>\n'
              'int add(int a, int b) {\n'
              '  FILE *f = std::fopen("/tmp/nl2code-cpp-escape", "w");\n'
              '  int s = socket(AF_INET, SOCK_STREAM, 0);\n'
              '  return (f == nullptr && s < 0) ? a + b : -1;\n}')
    results, level = run([escape])
    if "landlock" not in level or "seccomp" not in level:
        pytest.skip(f"needs Landlock and seccomp (in force here: {level})")
    assert results[0].status is Status.PASSED, results[0].error


def test_the_registry_finds_languages_by_alias_and_names_the_known_ones():
    assert languages.get("C++") is languages.get("cpp") is languages.get("cc")
    assert languages.get("python").staged is False
    with pytest.raises(ConfigError, match="unknown language 'cobol'.*cpp"):
        languages.get("cobol")


def test_a_missing_toolchain_is_named():
    import dataclasses

    broken = dataclasses.replace(languages.get("cpp"), toolchain=("g++-that-does-not-exist",))
    assert broken.missing() == ["g++-that-does-not-exist"] and not broken.available() and broken.version() == ""


def test_a_stage_that_cannot_start_is_the_executor_s_error_not_the_program_s(monkeypatch):
    cpp = languages.get("cpp")
    monkeypatch.setattr(type(cpp), "executable", lambda self, name=None: "/nonexistent/g++")
    results, _ = run([PROGRAMS["correct"][0]])
    assert results[0].status is Status.SANDBOX_ERROR and "cannot start the compile step" in results[0].error
