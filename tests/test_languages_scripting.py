"""The interpreted languages (JavaScript, TypeScript, PHP, Perl, Ruby, Lua, R, Racket, Bash,
Python as a whole program) through the real executor and sandbox, on real MultiPL-E problems and
their own test harnesses (node's assert, test-unit, luaunit, rackunit, Test::Deep), with the
verdict rules of the benchmarks' own evaluators."""

from __future__ import annotations

import dataclasses
import os
import subprocess

import pytest

from helpers import DATASETS
from nl2code import benchmarks
from nl2code.execution import LocalExecutor, languages
from nl2code.records import Limits, Sample, Status

LIMITS = Limits(cpu_seconds=2, wall_seconds=30)


def need(language_name: str):
    """The language, or a skip naming what to install; in CI every toolchain must be there."""
    language = languages.get(language_name)
    if not language.available():
        message = f"{language.title}: {', '.join(language.missing())} not installed (nl2code toolchains install {language.name})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return language


def multipl_e(code: str, name: str = "HumanEval_53_add"):
    stem = {"py": "humaneval-python"}.get(code, f"humaneval-{code}")
    bench = benchmarks.load(f"multipl-e-{code}", DATASETS / "multipl-e" / f"{stem}.jsonl")
    return bench.get(name)


def run(problem, completions, limits=LIMITS):
    samples = [Sample(problem.task_id, i, i, benchmarks.program(problem, c)) for i, c in enumerate(completions)]
    with LocalExecutor(workers=2) as executor:
        return sorted(executor.execute(samples, {problem.task_id: problem}, {problem.task_id: limits}), key=lambda e: e.index)


# code -> (correct, wrong, exits with status 0 before the tests ran, never ends) for HumanEval_53_add
CASES = {
    "js": ("  return x + y;\n}\n", "  return x - y;\n}\n", "  process.exit(0);\n}\n", "  while (true) {}\n}\n"),
    "ts": ("  return x + y;\n}\n", "  return x - y;\n}\n", "  (globalThis as any).process.exit(0);\n  return 0;\n}\n", "  while (true) {}\n}\n"),
    "php": ("    return $x + $y;\n}\n", "    return $x - $y;\n}\n", "    exit(0);\n}\n", "    while (true) {}\n}\n"),
    "pl": ("    return $x + $y;\n}\n", "    return $x - $y;\n}\n", "    exit 0;\n}\n", "    while (1) {}\n}\n"),
    "rb": ("  x + y\nend\n", "  x - y\nend\n", "  exit 0\nend\n", "  loop {}\nend\n"),
    # luaunit turns an os.exit inside a test into a failed test: exit while the file loads
    "lua": ("  return x + y\nend\n", "  return x - y\nend\n", "  return 0\nend\nos.exit(0)\n", "  while true do end\nend\n"),
    "r": ("\n  x + y\n}\n", "\n  x - y\n}\n", "\n  quit(status = 0)\n}\n", "\n  repeat {}\n}\n"),
    "rkt": ("  (+ x y))\n", "  (- x y))\n", "  (exit 0))\n", "  (let loop () (loop)))\n"),
    # the tests call the function in a subshell, `$(candidate ...)`: exit, or loop, while the file
    # loads (a subshell that hits its CPU limit makes the check fail: `failed`, see docs/languages.md)
    "sh": ("  echo $(( $1 + $2 ))\n", "  echo $(( $1 - $2 ))\n", "  :\n}\nexit 0\nnothing() {\n",
           "  :\n}\nwhile true; do :; done\nnothing() {\n"),
    "py": ("    return x + y\n", "    return x - y\n", "    raise SystemExit(0)\n", "    while True:\n        pass\n"),
}


@pytest.mark.parametrize("code", list(CASES))
def test_a_language_passes_fails_notices_an_early_exit_and_times_out(code):
    problem = multipl_e(code, "Python/53" if code == "py" else "HumanEval_53_add")
    need(problem.language)
    results = run(problem, CASES[code])
    assert [r.status for r in results] == [Status.PASSED, Status.FAILED, Status.NO_RESULT, Status.TIMEOUT], [(r.status, r.error[:300]) for r in results]
    assert results[0].tests and results[0].tests[0].passed and not results[1].tests[0].passed
    assert "no end marker" in results[2].error


def test_racket_failures_reported_on_stderr_with_exit_status_0_are_failures():
    problem = multipl_e("rkt")
    need("racket")
    [wrong] = run(problem, [CASES["rkt"][1]])
    assert wrong.status is Status.FAILED and "output on stderr" in wrong.error and "FAILURE" in wrong.error


def test_perl_output_saying_error_is_a_failure_as_multipl_e_reads_it():
    problem = multipl_e("pl")
    need("perl")
    [noisy] = run(problem, ['    print STDERR "ERROR: but the answer is right\\n";\n    return $x + $y;\n}\n'])
    assert noisy.status is Status.FAILED and "ERROR" in noisy.error


def test_typescript_type_errors_are_compile_errors_for_multipl_e_but_not_for_mxeval():
    need("typescript")
    [typed] = run(multipl_e("ts"), ['  return "not a number";\n}\n'])
    assert typed.status is Status.COMPILE_ERROR and "TS2322" in typed.error
    mbxp = benchmarks.load("mbxp-typescript", DATASETS / "mbxp" / "mbtsp_release_v1.2.jsonl")
    problem = next(p for p in mbxp.problems if p.reference)
    # mxeval's tests import node's assert without its types: tsc reports errors and still writes the JavaScript
    [reference] = run(problem, [problem.reference[len(problem.prompt):]], Limits(cpu_seconds=5, wall_seconds=60))
    assert reference.status is Status.PASSED, reference.error


def _humaneval_x_js():
    return benchmarks.load("humaneval-x-js", DATASETS / "humaneval-x" / "humaneval_js.jsonl.gz").get("JavaScript/53")


def test_humaneval_x_javascript_console_assert_failures_and_any_output_fail_as_codegeex_reads_them():
    problem = _humaneval_x_js()
    need("javascript")
    body = problem.reference[len(problem.prompt):]
    correct, wrong, chatty = run(problem, [body, "  return x - y;\n};\n", '  console.log("thinking");\n' + body])
    assert correct.status is Status.PASSED, correct.error
    assert wrong.status is Status.FAILED and "Assertion failed" in wrong.error
    assert chatty.status is Status.FAILED and "output on stdout" in chatty.error


def test_a_javascript_test_function_that_is_never_called_is_no_result_not_a_pass():
    """CodeGeeX#45: HumanEval-X JavaScript tests that define their test function and never call it
    passed every sample; here the run made no console.assert call, so it proves nothing."""
    problem = _humaneval_x_js()
    need("javascript")
    uncalled = dataclasses.replace(problem, test=problem.test.rstrip().rsplit("\n", 1)[0] + "\n")
    assert "testAdd()" not in uncalled.test
    [result] = run(uncalled, ["  return 0;\n};\n"])
    assert result.status is Status.NO_RESULT and "ran no check" in result.error


def test_ruby_exiting_before_test_unit_ran_is_no_result():
    problem = multipl_e("rb")
    need("ruby")
    [skipped] = run(problem, ["  x + y\nend\nexit!(0)\n"])
    assert skipped.status is Status.NO_RESULT


def test_a_daemon_left_by_a_bash_program_does_not_survive_its_sample():
    problem = multipl_e("sh")
    need("bash")
    [result] = run(problem, ["  (sleep 31337 > /dev/null 2>&1 &)\n  echo $(( $1 + $2 ))\n"])
    assert result.status is Status.PASSED, result.error
    survivors = subprocess.run(["pgrep", "-f", "sleep 31337"], capture_output=True, text=True).stdout.split()
    assert survivors == []


def test_mbxp_javascript_tests_find_lodash():
    need("javascript")
    bench = benchmarks.load("mbxp-javascript", DATASETS / "mbxp" / "mbjsp_release_v1.2.jsonl")
    problem = bench.get("MBJSP/3")
    assert 'require("lodash")' in problem.test and problem.reference
    [result] = run(problem, [problem.reference[len(problem.prompt):]])
    assert result.status is Status.PASSED, result.error


def test_the_registry_knows_each_language_by_its_benchmark_names():
    for alias, name in [("js", "javascript"), ("ts", "typescript"), ("rb", "ruby"), ("pl", "perl"), ("rkt", "racket"),
                        ("sh", "bash"), ("lua", "lua"), ("r", "r"), ("php", "php"), ("python-program", "python-program")]:
        assert languages.get(alias).name == name
    assert languages.get("py").name == "python"  # the step protocol keeps the plain names
