"""Statistics computed from a benchmark's data, as the NL2Code survey reports them (Zan et al.
2023, Table 3): problems, tests per problem, characters and lines of the problem description
and of the reference solution."""

from __future__ import annotations

import statistics

from nl2code.benchmarks import Benchmark
from nl2code.records import Problem

# The survey's published values, where it has them (Zan et al., ACL 2023, Table 3).
SURVEY = {
    "humaneval": {"problems": 164, "avg_problem_chars": 450.6, "avg_problem_lines": 13.7, "avg_solution_chars": 180.9, "avg_solution_lines": 6.8},
    "mbpp": {"problems": 974, "avg_problem_chars": 78.6, "avg_problem_lines": 1.0, "avg_solution_chars": 181.1, "avg_solution_lines": 6.7},
}


def problem_text(problem: Problem) -> str:
    """What the model is given: the code prompt, or the natural-language task."""
    return problem.prompt if problem.prompt_is_code else problem.description


def solution_text(problem: Problem) -> str:
    if problem.prompt_is_code and problem.reference.startswith(problem.prompt):
        return problem.reference[len(problem.prompt):]
    return problem.reference


def _lines(text: str) -> int:
    return len(text.splitlines())


def compute(benchmark: Benchmark) -> dict:
    problems = benchmark.problems
    texts = [problem_text(p) for p in problems]
    solutions = [solution_text(p) for p in problems]

    def mean(values) -> float:
        return round(statistics.fmean(values), 1) if problems else 0.0

    return {
        "benchmark": benchmark.name,
        "version": benchmark.version,
        "data_sha256": benchmark.data_sha256,
        "problems": len(problems),
        "avg_tests": mean(p.n_tests for p in problems),
        "avg_problem_chars": mean(len(t) for t in texts),
        "avg_problem_lines": mean(_lines(t) for t in texts),
        "avg_solution_chars": mean(len(s) for s in solutions),
        "avg_solution_lines": mean(_lines(s) for s in solutions),
        "protected_tests": round(sum(p.n_protected for p in problems) / max(1, sum(p.n_tests for p in problems)), 3),
        "problems_with_examples": sum(1 for p in problems if p.n_examples),
    }
