"""A tiny program per language that must pass, to check that each installed toolchain compiles and
runs inside the sandbox on this machine (`nl2code doctor`), through the same executor as every
evaluation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nl2code.records import Limits, Problem, Sample, Status

# language -> (program, tests): `add(2, 3) == 5`, in each language's own test style
HELLO: dict[str, tuple[str, str]] = {
    "cpp": ("int add(int a, int b) { return a + b; }\n", "#include <cassert>\nint main() { assert(add(2, 3) == 5); }\n"),
    "java": ("class Problem {\n    static int add(int a, int b) { return a + b; }\n",
             "    public static void main(String[] args) { assert add(2, 3) == 5; }\n}\n"),
    "scala": ("object Problem {\n    def add(a: Int, b: Int): Int = a + b\n", "    def main(args: Array[String]) = { assert(add(2, 3) == 5) }\n}\n"),
    "kotlin": ("fun add(a: Int, b: Int): Int = a + b\n", "fun main() {\n    if (add(2, 3) != 5) throw Exception(\"add\")\n}\n"),
    "go": ("package add_test\n\nimport \"testing\"\n\nfunc add(a int, b int) int { return a + b }\n",
           "func TestAdd(t *testing.T) {\n    if add(2, 3) != 5 {\n        t.Fail()\n    }\n}\n"),
    "csharp": ("using System;\nusing System.Diagnostics;\nclass Problem {\n    static int Add(int a, int b) { return a + b; }\n",
               "    public static void Main(string[] args) { Debug.Assert(Add(2, 3) == 5); }\n}\n"),
    "d": ("int add(int a, int b) { return a + b; }\n", "unittest { assert(add(2, 3) == 5); }\nvoid main(){}\n"),
    "rust": ("fn add(a: i32, b: i32) -> i32 { a + b }\n", "fn main() {\n    assert_eq!(add(2, 3), 5);\n}\n"),
    "javascript": ("function add(a, b) { return a + b; }\n", "const assert = require('node:assert');\nassert.deepEqual(add(2, 3), 5);\n"),
    "typescript": ("function add(a: number, b: number): number { return a + b; }\n",
                   "declare var require: any;\nconst assert = require('node:assert');\nassert.deepEqual(add(2, 3), 5);\n"),
    "lua": ("local function add(a, b) return a + b end\n", "assert(add(2, 3) == 5)\n"),
    "php": ("<?php\nfunction add($a, $b) { return $a + $b; }\n", "if (add(2, 3) !== 5) { exit(1); }\n"),
    "perl": ("sub add { my ($a, $b) = @_; return $a + $b; }\n", "if (add(2, 3) != 5) { exit 1; }\n"),
    "r": ("add <- function(a, b) { a + b }\n", "stopifnot(add(2, 3) == 5)\n"),
    "ruby": ("def add(a, b)\n  a + b\nend\n", "raise 'add' unless add(2, 3) == 5\n"),
    "racket": ("#lang racket\n(define (add a b) (+ a b))\n", "(unless (= (add 2 3) 5) (exit 1))\n"),
    "bash": ("add() { echo $(( $1 + $2 )); }\n", "[[ $(add 2 3) == 5 ]] || exit 1\n"),
    "python-program": ("def add(a, b):\n    return a + b\n", "assert add(2, 3) == 5\n"),
    "julia": ("function add(a, b)\n    a + b\nend\n", "using Test\n@testset begin\n    @test add(2, 3) == 5\nend\n"),
    "swift": ("func add(a: Int, b: Int) -> Int {\n    return a + b\n}\n", "assert(add(a: 2, b: 3) == 5)\n"),
}
LIMITS = Limits(cpu_seconds=10, wall_seconds=120)


@dataclass(frozen=True, slots=True)
class Check:
    language: str
    ok: bool
    status: str  # the verdict, "missing" (toolchain not installed) or "untested" (no hello here)
    detail: str = ""
    seconds: float = 0.0


def problem(language: str) -> Problem:
    program, test = HELLO[language]
    return Problem(benchmark="hello", version="1", data_sha256="0" * 64, task_id=f"hello/{language}", prompt="",
                   entry_point="add", test=test, reference=program, language=language)


def check(languages: Iterable[str], executor) -> dict[str, Check]:  # noqa: ANN001 - an entered executions.Executor
    """Run each language's hello program through `executor`; its verdict per language."""
    from nl2code.execution import languages as registry

    results: dict[str, Check] = {}
    runnable = []
    for name in languages:
        language = registry.get(name)
        if name not in HELLO:
            results[name] = Check(name, False, "untested", "no hello program for this language")
        elif not language.available():
            results[name] = Check(name, False, "missing", f"not installed: {', '.join(language.missing())} ({language.how_to_install()})")
        else:
            runnable.append(name)
    problems = {f"hello/{name}": problem(name) for name in runnable}
    samples = [Sample(f"hello/{name}", 0, i, HELLO[name][0]) for i, name in enumerate(runnable)]
    for execution in executor.execute(samples, problems, {task: LIMITS for task in problems}):
        name = execution.task_id.split("/", 1)[1]
        ok = execution.status is Status.PASSED
        results[name] = Check(name, ok, str(execution.status), "" if ok else execution.error[:300], execution.duration)
    return results
