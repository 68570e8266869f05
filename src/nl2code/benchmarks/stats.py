"""Statistics computed from a benchmark's data, as the NL2Code survey reports them (Zan et al.
2023, Table 3): problems, tests per problem, characters and lines of the problem description
and of the reference solution."""

from __future__ import annotations

import statistics

from nl2code.benchmarks import Benchmark
from nl2code.records import Problem

# The survey's published values, where it has them (Zan et al., ACL 2023, Table 3).
SURVEY = {
    "humaneval": {"problems": 164, "avg_tests": 7.8, "avg_problem_chars": 450.6, "avg_problem_lines": 13.7, "avg_solution_chars": 180.9, "avg_solution_lines": 6.8},
    "mbpp": {"problems": 974, "avg_tests": 3.1, "avg_problem_chars": 78.6, "avg_problem_lines": 1.0, "avg_solution_chars": 181.1, "avg_solution_lines": 6.7},
}
# Rows of the survey's benchmark tables for the benchmarks added since, as its companion site
# publishes them (shared/reference/survey_tables.json; "/" there: no value). One survey row can
# cover several nl2code benchmarks ("row" names it).
_SURVEY_ROWS = {
    "apps": {"row": "APPS", "problems": 5000, "avg_tests": 21.0, "avg_problem_chars": 1743.4, "avg_problem_lines": 41.6,
             "avg_solution_chars": 473.8, "avg_solution_lines": 21.4},
    "code-contests": {"row": "CodeContests", "problems": 165, "avg_tests": 203.7, "avg_problem_chars": 1989.2, "avg_problem_lines": 66.4,
                      "avg_solution_chars": 2239.3, "avg_solution_lines": 92.1},
    "mtpb": {"row": "MTPB", "problems": 115, "avg_problem_chars": 72.7, "avg_problem_lines": 1.0},
    "securityeval": {"row": "SecurityEval", "problems": 130},
    "humaneval-infilling": {"row": "HumanEval-Infilling", "problems": 164, "avg_tests": 7.77},
    "mconala": {"row": "MCoNaLa (all three languages)", "problems": 896},
    "odex": {"row": "ODEX (all four languages)", "problems": 945, "avg_tests": 1.8, "avg_problem_chars": 26.6, "avg_problem_lines": 2,
             "avg_solution_chars": 50.4, "avg_solution_lines": 1.9},
}
SURVEY.update({name: row for name, row in _SURVEY_ROWS.items() if name in ("apps", "code-contests", "mtpb", "securityeval")})
SURVEY.update({f"humaneval-infilling-{s}": _SURVEY_ROWS["humaneval-infilling"] for s in ("single-line", "multi-line", "random-span", "random-span-light")})
SURVEY.update({f"odex-{language}": _SURVEY_ROWS["odex"] for language in ("en", "es", "ja", "ru")})
SURVEY.update({f"mconala-{language}": _SURVEY_ROWS["mconala"] for language in ("es", "ja", "ru")})
# No row in the survey's tables (shared/reference/survey_tables.json): humaneval-plus(-mini) and
# mbpp-plus (EvalPlus), monkeyeval, beatnumeval, conala; `benchmarks stats` says so.
# the library-oriented rows, as the survey's companion site lists them (shared/reference/survey_tables.json)
SURVEY.update({
    "pandaseval": {"problems": 101, "avg_tests": 6.5, "avg_problem_chars": 244.5, "avg_problem_lines": 7.2, "avg_solution_chars": 46.2, "avg_solution_lines": 1.3},
    "numpyeval": {"problems": 101, "avg_tests": 3.5, "avg_problem_chars": 222.9, "avg_problem_lines": 7.0, "avg_solution_chars": 29.9, "avg_solution_lines": 1.1},
    "torchdataeval": {"problems": 50, "avg_tests": 1.1, "avg_problem_chars": 329.0, "avg_problem_lines": 8.6, "avg_solution_chars": 50.7, "avg_solution_lines": 1.3},
})


def problem_text(problem: Problem) -> str:
    """What the model is given: the code prompt, or the natural-language task."""
    return problem.prompt if problem.prompt_is_code else problem.description


def solution_text(problem: Problem) -> str:
    """The reference's own code: without the prompt it continues (and, infilling, the suffix)."""
    if problem.prompt_is_code and problem.reference.startswith(problem.prompt):
        end = len(problem.reference) - len(problem.suffix) if problem.suffix and problem.reference.endswith(problem.suffix) else None
        return problem.reference[len(problem.prompt):end]
    return problem.reference


def _lines(text: str) -> int:
    return len(text.splitlines())


def compute(benchmark: Benchmark) -> dict:
    problems = benchmark.problems
    texts = [problem_text(p) for p in problems]
    solutions = [solution_text(p) for p in problems if p.reference]  # MTPB publishes none

    def mean(values) -> float | None:
        values = list(values)
        return round(statistics.fmean(values), 1) if values else None

    return {
        "benchmark": benchmark.name,
        "version": benchmark.version,
        "data_sha256": benchmark.data_sha256,
        "problems": len(problems),
        # None where nothing is run (text-matched, scanned): the survey's "/", not a mean of zeros
        "avg_tests": mean(p.n_tests for p in problems) if any(p.n_tests for p in problems) else None,
        "avg_problem_chars": mean(len(t) for t in texts),
        "avg_problem_lines": mean(_lines(t) for t in texts),
        "avg_solution_chars": mean(len(s) for s in solutions),
        "avg_solution_lines": mean(_lines(s) for s in solutions),
        "protected_tests": round(sum(p.n_protected for p in problems) / max(1, sum(p.n_tests for p in problems)), 3),
        "problems_with_examples": sum(1 for p in problems if p.n_examples),
        "problems_with_reference": len(solutions),
        "problems_skipped_here": sum(1 for p in problems if p.skip_reason),
    }
