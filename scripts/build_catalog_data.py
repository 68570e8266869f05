"""Curated catalog data for scripts/build_catalog.py: metrics, post-2023 models and benchmarks, their results.

Provenance rule: `verified: true` only for values read in a file opened while building the
catalog (the URL pins the commit). Everything else cites where it was published and stays
`verified: false` until someone opens that source and checks the value.
"""

from __future__ import annotations

from typing import Any

DSC_V2_README = "https://github.com/deepseek-ai/DeepSeek-Coder-V2/blob/09209c4aed8e6a8988681b259eb51b7b3eee42c9/README.md"
DSC_README = "https://github.com/deepseek-ai/DeepSeek-Coder/blob/0069ad8b5ae21c82af8410f5bd234c3b20a3e370/README.md"
CODEQWEN_README = "https://github.com/QwenLM/Qwen2.5-Coder/blob/072ed5e6b7e4985f835238af607618ed78fb96a5/README.md"
QWEN25_README = "https://github.com/QwenLM/Qwen2.5-Coder/blob/b3506850a1b66b7e841f68b14c92a469a572a57d/README.md"
OPENCODER_README = "https://github.com/OpenCoder-llm/OpenCoder-llm/blob/0a1f67d7eaf5614b719d29e4398ade4aac828417/README.md"

SURVEY_PAPER: dict[str, Any] = {
    "id": "nl2code-survey-2022", "name": "NL2Code survey", "aliases": ["Large Language Models Meet NL2Code"],
    "title": "Large Language Models Meet NL2Code: A Survey", "year": 2023, "date": "2022-12", "venue": "ACL",
    "url": "https://arxiv.org/abs/2212.09420", "arxiv": "2212.09420", "contribution": "survey",
    "description": "The survey whose 27 LLMs, benchmarks and HumanEval table seeded this catalog.",
}


def _readme(title: str, url: str, table: str, fields: list[str] | None = None) -> dict[str, Any]:
    return {"kind": "repository", "title": title, "url": url, "table": table, "fields": fields or [], "verified": True}


def _unverified(kind: str, title: str, url: str | None = None, fields: list[str] | None = None, paper: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "title": title, "url": url, "paper": paper, "fields": fields or [], "verified": False,
            "note": "recalled from the publication, not re-read while building the catalog"}


METRICS: list[dict[str, Any]] = [
    {"id": "pass-at-k", "name": "pass@k", "aliases": ["pass@1", "pass@10", "pass@100"], "metric_kind": "execution",
     "definition": "Chance that at least one of k generated programs passes every unit test of a problem, averaged over problems. "
                   "Estimated without bias from n >= k samples per problem of which c pass.",
     "formula": "mean over problems of 1 - C(n - c, k) / C(n, k)", "parameters": ["k"], "range": [0, 100],
     "paper_url": "https://arxiv.org/abs/2107.03374", "paper_name": "Codex"},
    {"id": "n-at-k", "name": "n@k", "aliases": ["k@n", "10@k"], "metric_kind": "execution",
     "definition": "Share of problems solved when k programs are sampled, at most n of them are submitted (after filtering "
                   "and clustering), and a problem counts as solved if any submission passes the hidden tests.",
     "parameters": ["k"], "range": [0, 100], "paper_url": "https://arxiv.org/pdf/2203.07814.pdf", "paper_name": "AlphaCode preprint"},
    {"id": "test-case-average", "name": "Test Case Average", "aliases": ["average test case accuracy"],
     "metric_kind": "execution",
     "definition": "Fraction of a problem's test cases that the generated program passes, averaged over problems; gives partial credit.",
     "range": [0, 100], "paper_url": "https://arxiv.org/pdf/2105.09938.pdf", "paper_name": "APPS"},
    {"id": "execution-accuracy", "name": "Execution Accuracy", "aliases": ["exec acc"], "metric_kind": "execution",
     "definition": "Share of problems whose generated program, when run, produces the same result as the reference "
                   "(the same output, return value or query result).", "range": [0, 100]},
    {"id": "robust-pass-at-k", "name": "Robust pass@k", "aliases": ["RPs@k", "RDs@k", "RRs@k", "RPs@k; RDs@k; RRs@k"],
     "metric_kind": "execution",
     "definition": "Worst-case pass@k over several meaning-preserving perturbations of each prompt (RP), with the drop from "
                   "the unperturbed score (RD) and the relative change (RR).",
     "parameters": ["k"], "range": [0, 100], "paper_url": "https://arxiv.org/pdf/2212.10264.pdf", "paper_name": "ReCode"},
    {"id": "resolve-rate", "name": "% Resolved", "aliases": ["resolved rate", "resolve rate"], "metric_kind": "execution",
     "definition": "Share of task instances whose generated patch makes the instance's failing tests pass without breaking "
                   "the tests that passed before.", "range": [0, 100], "paper_url": "https://arxiv.org/pdf/2310.06770.pdf",
     "paper_name": "SWE-bench"},
    {"id": "codebleu", "name": "CodeBLEU", "metric_kind": "text-match",
     "definition": "BLEU extended for code: a weighted sum of n-gram match, keyword-weighted n-gram match, abstract-syntax-tree "
                   "match and data-flow match against the reference.", "range": [0, 100],
     "paper_url": "https://arxiv.org/pdf/2009.10297.pdf", "paper_name": "CodeBLEU"},
    {"id": "ruby", "name": "RUBY", "metric_kind": "text-match",
     "definition": "Similarity to the reference computed on the most abstract representation available: program dependence "
                   "graph, else syntax tree, else token string.", "range": [0, 100],
     "paper_url": "https://arxiv.org/pdf/1906.04903.pdf", "paper_name": "RUBY"},
    {"id": "chrf", "name": "chrF", "metric_kind": "text-match",
     "definition": "F-score of character n-gram precision and recall between output and reference.", "range": [0, 100],
     "paper_url": "https://aclanthology.org/W15-3049.pdf", "paper_name": "chrF", "paper_year": 2015},
    {"id": "meteor", "name": "METEOR", "metric_kind": "text-match",
     "definition": "Unigram matching of output and reference allowing stems, synonyms and paraphrases, with a penalty for "
                   "fragmented word order.", "range": [0, 100],
     "paper_url": "https://aclanthology.org/W14-3348.pdf", "paper_name": "METEOR Universal", "paper_year": 2014},
    {"id": "rouge", "name": "ROUGE", "aliases": ["ROUGE-L"], "metric_kind": "text-match",
     "definition": "Recall-oriented overlap of n-grams (ROUGE-N) or of the longest common subsequence (ROUGE-L) between output "
                   "and reference.", "range": [0, 100],
     "paper_url": "https://aclanthology.org/W04-1013.pdf", "paper_name": "ROUGE", "paper_year": 2004},
    {"id": "bleu", "name": "BLEU", "metric_kind": "text-match",
     "definition": "Geometric mean of modified n-gram precisions (n = 1..4) against the reference, times a brevity penalty.",
     "range": [0, 100], "paper_url": "https://aclanthology.org/P02-1040.pdf", "paper_name": "BLEU", "paper_year": 2002},
    {"id": "exact-match", "name": "Exact Match", "aliases": ["EM"], "metric_kind": "text-match",
     "definition": "Share of outputs identical to the reference (usually after normalising whitespace).", "range": [0, 100]},
]


def _variants(prefix: str, name: str, sizes: list[tuple[str, int]], flavours: list[tuple[str, str, str]],
              hf: str | None = None, **extra: Any) -> list[dict[str, Any]]:
    """Variants for every size x flavour; flavours are (id suffix, name suffix, type)."""
    out = []
    for size, count in sizes:
        for suffix, name_suffix, vtype in flavours:
            vid = f"{prefix}-{size.lower()}{suffix}"
            variant = {"id": vid, "name": f"{name}-{size}{name_suffix}", "parameters": count, "type": vtype, **extra}
            if hf:
                variant["huggingface"] = hf.format(size=size, lsize=size.lower(), suffix=suffix, nsuffix=name_suffix)
            out.append(variant)
    return out


B = 1_000_000_000
BASE, INSTRUCT = ("", "", "base"), ("-instruct", "-Instruct", "instruct")

NEW_MODELS: list[dict[str, Any]] = [
    {"id": "starcoder2", "name": "StarCoder2", "organization": ["BigCode"], "release_date": "2024-02-29", "architecture": "decoder-only",
     "weights": "open", "open_data": True, "license": "BigCode OpenRAIL-M", "context_window": 16384, "training_data": "The Stack v2",
     "tags": ["code", "fill-in-the-middle"],
     "sources": [_unverified("paper", "Lozhkov et al. 2024, StarCoder 2 and The Stack v2", "https://arxiv.org/abs/2402.19173",
                             ["license", "context_window", "training_data", "parameters"])],
     "variants": _variants("starcoder2", "StarCoder2", [("3B", 3 * B), ("7B", 7 * B), ("15B", 15 * B)], [BASE],
                           hf="bigcode/starcoder2-{lsize}")},
    {"id": "deepseek-coder", "name": "DeepSeek-Coder", "organization": ["DeepSeek-AI"], "release_date": "2023-11-02",
     "architecture": "decoder-only", "weights": "open", "context_window": 16384, "training_tokens": 2e12,
     "training_data": "87% code, 13% natural language (English and Chinese); repository-level, dependency-ordered files",
     "tags": ["code", "fill-in-the-middle"],
     "sources": [_readme("deepseek-ai/DeepSeek-Coder README, introduction", DSC_README, "1. Introduction",
                         ["context_window", "training_tokens", "training_data"])],
     "description": "The site has two posts for it (2023-11-02 and 2024-01-25); they are merged here.",
     "variants": _variants("deepseek-coder", "DeepSeek-Coder", [("1.3B", 1_300_000_000), ("6.7B", 6_700_000_000), ("33B", 33 * B)],
                           [("-base", "-Base", "base"), INSTRUCT], hf="deepseek-ai/deepseek-coder-{lsize}{suffix}")},
    {"id": "deepseek-coder-v2", "name": "DeepSeek-Coder-V2", "organization": ["DeepSeek-AI"], "release_date": "2024-06",
     "paper": "deepseek-coder-v2-2024", "architecture": "moe-decoder-only", "weights": "open", "context_window": 131072,
     "training_data": "continued pre-training of a DeepSeek-V2 checkpoint on 6T additional tokens; 338 programming languages",
     "tags": ["code", "mixture-of-experts"],
     "sources": [_readme("deepseek-ai/DeepSeek-Coder-V2 README, model downloads", DSC_V2_README, "2. Model Downloads",
                         ["parameters", "active_parameters", "context_window", "training_data"])],
     "variants": [
         {"id": "deepseek-coder-v2-lite-base", "name": "DeepSeek-Coder-V2-Lite-Base", "parameters": 16 * B, "active_parameters": 2_400_000_000, "type": "base", "huggingface": "deepseek-ai/DeepSeek-Coder-V2-Lite-Base"},
         {"id": "deepseek-coder-v2-lite-instruct", "name": "DeepSeek-Coder-V2-Lite-Instruct", "parameters": 16 * B, "active_parameters": 2_400_000_000, "type": "instruct", "huggingface": "deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct"},
         {"id": "deepseek-coder-v2-base", "name": "DeepSeek-Coder-V2-Base", "parameters": 236 * B, "active_parameters": 21 * B, "type": "base", "huggingface": "deepseek-ai/DeepSeek-Coder-V2-Base"},
         {"id": "deepseek-coder-v2-instruct", "name": "DeepSeek-Coder-V2-Instruct", "parameters": 236 * B, "active_parameters": 21 * B, "type": "instruct", "huggingface": "deepseek-ai/DeepSeek-Coder-V2-Instruct"},
     ]},
    {"id": "qwen2.5-coder", "name": "Qwen2.5-Coder", "organization": ["Alibaba Qwen"], "release_date": "2024-09",
     "paper": "qwen2.5-coder-2024", "architecture": "decoder-only", "weights": "open", "tags": ["code"],
     "description": "Successor of CodeQwen1.5.",
     "sources": [_readme("QwenLM/Qwen2.5-Coder README, model table", QWEN25_README, "Basic information (model name / type / length)",
                         ["parameters", "context_window", "type"])],
     "variants": [v | {"context_window": 32768 if size in ("0.5B", "1.5B", "3B") else 131072}
                  for size, count in (("0.5B", 500_000_000), ("1.5B", 1_500_000_000), ("3B", 3 * B), ("7B", 7 * B), ("14B", 14 * B), ("32B", 32 * B))
                  for v in _variants("qwen2.5-coder", "Qwen2.5-Coder", [(size, count)], [BASE, INSTRUCT],
                                     hf="Qwen/Qwen2.5-Coder-{size}{nsuffix}")]},
    {"id": "code-llama", "name": "Code Llama", "organization": ["Meta AI"], "release_date": "2023-08-25",
     "architecture": "decoder-only", "weights": "open", "license": "Llama 2 Community License", "context_window": 16384,
     "base_model": "llama", "tags": ["code", "fill-in-the-middle"],
     "sources": [_unverified("paper", "Rozière et al. 2023, Code Llama: Open Foundation Models for Code", "https://arxiv.org/abs/2308.12950",
                             ["license", "context_window", "parameters"])],
     "variants": _variants("code-llama", "CodeLlama", [("7B", 7 * B), ("13B", 13 * B), ("34B", 34 * B), ("70B", 70 * B)],
                           [BASE, ("-python", "-Python", "python"), INSTRUCT])},
    {"id": "codegemma", "name": "CodeGemma", "organization": ["Google"], "release_date": "2024-04", "paper": "codegemma-2024",
     "architecture": "decoder-only", "weights": "open", "license": "Gemma Terms of Use", "tags": ["code", "fill-in-the-middle"],
     "sources": [_unverified("paper", "CodeGemma Team 2024, CodeGemma: Open Code Models Based on Gemma", "https://arxiv.org/abs/2406.11409", ["parameters", "license"])],
     "variants": [{"id": "codegemma-2b", "name": "CodeGemma-2B", "parameters": 2 * B, "type": "base", "huggingface": "google/codegemma-2b"},
                  {"id": "codegemma-7b", "name": "CodeGemma-7B", "parameters": 7 * B, "type": "base", "huggingface": "google/codegemma-7b"},
                  {"id": "codegemma-7b-it", "name": "CodeGemma-7B-it", "parameters": 7 * B, "type": "instruct", "huggingface": "google/codegemma-7b-it"}]},
    {"id": "granite-code", "name": "Granite Code", "organization": ["IBM"], "release_date": "2024-05",
     "paper": "granite-code-2024", "architecture": "decoder-only", "weights": "open", "license": "Apache-2.0", "tags": ["code"],
     "sources": [{"kind": "paper", "title": "Mishra et al. 2024, Granite Code Models, abstract", "url": "https://arxiv.org/html/2405.04324v1",
                  "table": "Abstract", "fields": ["license"], "verified": True,
                  "note": "the abstract states the Apache 2.0 license and sizes from 3 to 34 billion parameters"}],
     "variants": _variants("granite", "Granite", [("3B", 3 * B), ("8B", 8 * B), ("20B", 20 * B), ("34B", 34 * B)],
                           [("-code-base", "-Code-Base", "base"), ("-code-instruct", "-Code-Instruct", "instruct")],
                           hf="ibm-granite/granite-{lsize}{suffix}")},
    {"id": "codestral", "name": "Codestral", "organization": ["Mistral AI"], "release_date": "2024-05-29", "architecture": "decoder-only",
     "weights": "open", "license": "Mistral AI Non-Production License", "context_window": 32768, "url": "https://mistral.ai/news/codestral/",
     "tags": ["code", "fill-in-the-middle"],
     "sources": [_unverified("blog", "Mistral AI, Codestral announcement (2024-05-29)", "https://mistral.ai/news/codestral/", ["license", "context_window", "parameters"])],
     "variants": [{"id": "codestral-22b", "name": "Codestral-22B-v0.1", "aliases": ["Codestral 22B", "CodeStral"], "parameters": 22 * B,
                   "huggingface": "mistralai/Codestral-22B-v0.1"}]},
    {"id": "yi-coder", "name": "Yi-Coder", "organization": ["01.AI"], "release_date": "2024-09", "architecture": "decoder-only",
     "weights": "open", "license": "Apache-2.0", "context_window": 131072, "url": "https://github.com/01-ai/Yi-Coder", "tags": ["code"],
     "sources": [_unverified("blog", "01.AI, Yi-Coder announcement (2024-09)", "https://01-ai.github.io/blog.html?post=en/2024-09-05-A-Small-but-Mighty-LLM-for-Code.md", ["license", "context_window"])],
     "variants": _variants("yi-coder", "Yi-Coder", [("1.5B", 1_500_000_000), ("9B", 9 * B)], [BASE, ("-chat", "-Chat", "instruct")],
                           hf="01-ai/Yi-Coder-{size}{nsuffix}")},
    {"id": "opencoder", "name": "OpenCoder", "organization": ["INF", "M-A-P"], "release_date": "2024-11-08", "paper": "opencoder-2024",
     "architecture": "decoder-only", "weights": "open", "open_data": True, "training_tokens": 2.5e12,
     "training_data": "RefineCode: 90% raw code, 10% code-related web data", "tags": ["code", "open-data"],
     "sources": [_readme("OpenCoder-llm/OpenCoder-llm README, introduction and models", OPENCODER_README, "Introduction; Models",
                         ["training_tokens", "training_data", "parameters", "context_window", "open_data"])],
     "variants": [{"id": "opencoder-1.5b-base", "name": "OpenCoder-1.5B-Base", "parameters": 1_500_000_000, "context_window": 4096, "type": "base", "huggingface": "infly/OpenCoder-1.5B-Base"},
                  {"id": "opencoder-1.5b-instruct", "name": "OpenCoder-1.5B-Instruct", "parameters": 1_500_000_000, "context_window": 4096, "type": "instruct", "huggingface": "infly/OpenCoder-1.5B-Instruct"},
                  {"id": "opencoder-8b-base", "name": "OpenCoder-8B-Base", "parameters": 8 * B, "context_window": 8192, "type": "base", "huggingface": "infly/OpenCoder-8B-Base"},
                  {"id": "opencoder-8b-instruct", "name": "OpenCoder-8B-Instruct", "parameters": 8 * B, "context_window": 8192, "type": "instruct", "huggingface": "infly/OpenCoder-8B-Instruct"}]},
]

NEW_PAPERS: list[dict[str, Any]] = [
    {"id": "deepseek-coder-v2-2024", "name": "DeepSeek-Coder-V2", "title": "DeepSeek-Coder-V2: Breaking the Barrier of Closed-Source Models in Code Intelligence",
     "year": 2024, "date": "2024-06", "venue": "arXiv", "url": "https://arxiv.org/abs/2406.11931", "arxiv": "2406.11931", "organization": ["DeepSeek-AI"], "contribution": "model"},
    {"id": "qwen2.5-coder-2024", "name": "Qwen2.5-Coder", "title": "Qwen2.5-Coder Technical Report", "year": 2024, "date": "2024-09",
     "venue": "arXiv", "url": "https://arxiv.org/abs/2409.12186", "arxiv": "2409.12186", "organization": ["Alibaba Qwen"], "contribution": "model"},
    {"id": "codegemma-2024", "name": "CodeGemma", "title": "CodeGemma: Open Code Models Based on Gemma", "year": 2024, "date": "2024-06",
     "venue": "arXiv", "url": "https://arxiv.org/abs/2406.11409", "arxiv": "2406.11409", "organization": ["Google"], "contribution": "model"},
    {"id": "granite-code-2024", "name": "Granite Code", "title": "Granite Code Models: A Family of Open Foundation Models for Code Intelligence",
     "year": 2024, "date": "2024-05", "venue": "arXiv", "url": "https://arxiv.org/abs/2405.04324", "arxiv": "2405.04324", "organization": ["IBM"], "contribution": "model"},
    {"id": "opencoder-2024", "name": "OpenCoder", "title": "OpenCoder: The Open Cookbook for Top-Tier Code Large Language Models",
     "year": 2024, "date": "2024-11", "venue": "arXiv", "url": "https://arxiv.org/abs/2411.04905", "arxiv": "2411.04905", "organization": ["INF", "M-A-P"], "contribution": "model"},
    {"id": "bigcodebench-2024", "name": "BigCodeBench", "title": "BigCodeBench: Benchmarking Code Generation with Diverse Function Calls and Complex Instructions",
     "year": 2024, "date": "2024-06", "venue": "arXiv", "url": "https://arxiv.org/abs/2406.15877", "arxiv": "2406.15877", "contribution": "benchmark"},
    {"id": "classeval-2023", "name": "ClassEval", "title": "ClassEval: A Manually-Crafted Benchmark for Evaluating LLMs on Class-level Code Generation",
     "year": 2023, "date": "2023-08", "venue": "arXiv", "url": "https://arxiv.org/abs/2308.01861", "arxiv": "2308.01861", "contribution": "benchmark"},
]

NEW_BENCHMARKS: list[dict[str, Any]] = [
    {"id": "humaneval-plus", "instances": 164, "paper": "humaneval-plus-2023",
     "description": "HumanEval with many more generated test inputs per problem (EvalPlus) and corrected reference solutions.",
     "tags": ["evalplus", "extended-tests"]},
    {"id": "mbpp-plus", "name": "MBPP+", "aliases": ["MBPP Plus", "EvalPlus MBPP"], "release_date": "2023-05", "paper": "humaneval-plus-2023",
     "organization": ["University of Illinois Urbana-Champaign"], "url": "https://github.com/evalplus/evalplus", "derived_from": ["mbpp"],
     "natural_languages": ["English"], "programming_languages": ["Python"], "scenario": "code-exercise", "test_cases": True,
     "description": "A cleaned subset of MBPP with many more tests per problem (EvalPlus).", "tags": ["evalplus", "extended-tests"],
     "version": "767efcc3 (pre-release, about v0.1.0)", "instances": 399,
     "instances_note": "399 problems in evalplus@767efcc3; later releases changed the subset",
     "sources": [{"kind": "repository", "title": "evalplus/evalplus@767efcc3 MbppPlus.jsonl, records counted",
                  "url": "https://github.com/evalplus/evalplus/tree/767efcc3", "fields": ["instances", "version"], "verified": True,
                  "note": "counted in the byte-for-byte copy at ../shared/datasets/evalplus/MbppPlus_767efcc.jsonl"}]},
    {"id": "mbpp-sanitized", "name": "MBPP (sanitized)", "aliases": ["sanitized MBPP", "MBPP-sanitized"], "release_date": "2021-08",
     "paper": "mbpp-2021", "organization": ["Google Research"], "derived_from": ["mbpp"], "instances": 427,
     "url": "https://github.com/google-research/google-research/tree/master/mbpp", "natural_languages": ["English"],
     "programming_languages": ["Python"], "scenario": "code-exercise", "test_cases": True,
     "description": "The hand-verified subset of MBPP released with it.",
     "sources": [{"kind": "repository", "title": "google-research/google-research mbpp/sanitized-mbpp.json, records counted",
                  "url": "https://github.com/google-research/google-research/blob/master/mbpp/sanitized-mbpp.json", "fields": ["instances"],
                  "verified": True, "note": "counted in the byte-for-byte copy at ../shared/datasets/sanitized-mbpp.json"}]},
    {"id": "bigcodebench", "name": "BigCodeBench", "release_date": "2024-06", "paper": "bigcodebench-2024", "organization": ["BigCode"],
     "url": "https://github.com/bigcode-project/bigcodebench", "leaderboard_url": "https://bigcode-bench.github.io/", "instances": 1140,
     "natural_languages": ["English"], "programming_languages": ["Python"], "scenario": "public-library", "test_cases": True,
     "description": "Practical tasks that need calls into many libraries, each checked by unit tests; Complete and Instruct splits.",
     "sources": [_unverified("paper", "Zhuo et al. 2024, BigCodeBench", "https://arxiv.org/abs/2406.15877", ["instances"])]},
    {"id": "classeval", "name": "ClassEval", "release_date": "2023-08", "paper": "classeval-2023", "url": "https://github.com/FudanSELab/ClassEval",
     "instances": 100, "natural_languages": ["English"], "programming_languages": ["Python"], "scenario": "class-level", "test_cases": True,
     "description": "Hand-written class-level tasks: a model completes a whole class skeleton, checked by per-method and per-class tests.",
     "sources": [_unverified("paper", "Du et al. 2023, ClassEval", "https://arxiv.org/abs/2308.01861", ["instances"])]},
    {"id": "swe-bench", "instances": 2294, "version": "full",
     "description": "Real GitHub issues from popular Python repositories; a model must produce a patch that the repository's tests accept.",
     "sources": [_unverified("paper", "Jimenez et al. 2023, SWE-bench", "https://arxiv.org/pdf/2310.06770.pdf", ["instances"])]},
]


def _result(rid: str, model: str, bench: str, value: float, source: dict[str, Any], *, k: int = 1, metric: str = "pass-at-k",
            prompt_style: str = "unknown", setting: str | None = None, date: str | None = None,
            decoding: dict[str, Any] | None = None) -> dict[str, Any]:
    out = {"id": rid, "model": model, "benchmark": bench, "metric": metric, "k": k if metric.endswith("-at-k") else None,
           "value": value, "prompt_style": prompt_style, "setting": setting, "source": source,
           "verified": bool(source.get("verified")), "date": date, "decoding": decoding}
    return out


def _table(prefix: str, rows: list[tuple[str, dict[str, float]]], source: dict[str, Any], date: str,
           prompt_styles: dict[str, str] | None = None, settings: dict[str, str] | None = None, metrics: dict[str, str] | None = None) -> list[dict[str, Any]]:
    out = []
    for model, values in rows:
        for column, value in values.items():
            bench = column.split("@")[0]
            metric = (metrics or {}).get(column, "pass-at-k")
            out.append(_result(f"{model}--{column.replace('@', '-')}--{prefix}", model, bench, value, source,
                               metric=metric, prompt_style=(prompt_styles or {}).get(column, "unknown"),
                               setting=(settings or {}).get(column), date=date))
    return out


_DSC_V2 = _readme("deepseek-ai/DeepSeek-Coder-V2 README, evaluation results (as reported by DeepSeek)", DSC_V2_README,
                  "3.1 Code Generation; 3.3 Code Fixing")
_CODEQWEN = _readme("QwenLM/CodeQwen1.5 README (now QwenLM/Qwen2.5-Coder), EvalPlus table (as reported by Qwen)", CODEQWEN_README,
                    "Performance: EvalPlus (HumanEval, MBPP)")

AWESOME_README = "https://github.com/huybery/Awesome-Code-LLM/blob/006567f964c124352b7d23553b050507d43bfd09/README.md"
_AWESOME = _readme("huybery/Awesome-Code-LLM README, leaderboard (as tabulated there from each model's paper)", AWESOME_README,
                   "Leaderboard (sorted by HumanEval pass@1)")

NEW_RESULTS: dict[str, list[dict[str, Any]]] = {
    "awesome-code-llm-leaderboard": _table("awesome-code-llm", [
        ("pangu-coder2-15b", {"humaneval": 61.6}), ("wizardcoder-15b", {"humaneval": 57.3, "mbpp": 51.8}),
        ("code-davinci-002", {"humaneval": 47.0}), ("palm-coder-540b", {"humaneval": 36.0, "mbpp": 47.0}),
        ("instructcodet5-plus-16b", {"humaneval": 35.0}), ("starcoder-15.5b", {"humaneval": 33.6, "mbpp": 52.7}),
        ("code-cushman-001", {"humaneval": 33.5, "mbpp": 45.9}), ("codet5-plus-16b", {"humaneval": 30.9}),
        ("codegen-16.1b-mono", {"humaneval": 29.3, "mbpp": 35.3}), ("palm-540b", {"humaneval": 26.2, "mbpp": 36.8}),
        ("llama-65.2b", {"humaneval": 23.7, "mbpp": 37.7}), ("codegeex-13b", {"humaneval": 22.9, "mbpp": 24.4}),
        ("llama-32.5b", {"humaneval": 21.7, "mbpp": 30.2}), ("codegen-16.1b-multi", {"humaneval": 18.3, "mbpp": 20.9}),
        ("alphacode-dec-1.1b", {"humaneval": 17.1}),
    ], _AWESOME, "2023-07") + _table("awesome-code-llm-prompted", [
        ("starcoder-15.5b", {"humaneval": 40.8, "mbpp": 49.5}),
    ], _AWESOME, "2023-07", settings={"humaneval": "prompted (StarCoder paper's prompt prefix)", "mbpp": "prompted (StarCoder paper's prompt prefix)"}),
    "deepseek-coder-v2-readme": _table("dsc-v2-readme", [
        ("deepseek-coder-v2-instruct", {"humaneval": 90.2, "mbpp-plus": 76.2, "livecodebench": 43.4, "swe-bench": 12.7}),
        ("deepseek-coder-v2-lite-instruct", {"humaneval": 81.1, "mbpp-plus": 68.8, "livecodebench": 24.3, "swe-bench": 0.0}),
        ("codestral-22b", {"humaneval": 78.1, "mbpp-plus": 68.2, "livecodebench": 31.0, "swe-bench": 2.7}),
        ("deepseek-coder-33b-instruct", {"humaneval": 79.3, "mbpp-plus": 70.1, "livecodebench": 22.5, "swe-bench": 0.0}),
    ], _DSC_V2, "2024-06", metrics={"swe-bench": "resolve-rate"}),
    "codeqwen1.5-readme": _table("codeqwen-readme", [
        ("code-llama-7b", {"humaneval": 33.5, "humaneval-plus": 25.6, "mbpp@0": 52.1, "mbpp-plus": 41.6, "mbpp@3": 38.6}),
        ("starcoder2-7b", {"humaneval": 35.4, "humaneval-plus": 29.9, "mbpp@0": 54.4, "mbpp-plus": 45.6, "mbpp@3": 51.0}),
        ("deepseek-coder-6.7b-base", {"humaneval": 47.6, "humaneval-plus": 39.6, "mbpp@0": 70.2, "mbpp-plus": 56.6, "mbpp@3": 60.6}),
        ("codeqwen1.5-7b", {"humaneval": 51.8, "humaneval-plus": 45.7, "mbpp@0": 72.2, "mbpp-plus": 60.2, "mbpp@3": 61.8}),
        ("deepseek-coder-6.7b-instruct", {"humaneval": 73.8, "humaneval-plus": 70.1, "mbpp@0": 73.2, "mbpp-plus": 63.4, "mbpp@3": 65.4}),
        ("codeqwen1.5-7b-chat", {"humaneval": 83.5, "humaneval-plus": 78.7, "mbpp@0": 77.7, "mbpp-plus": 67.2, "mbpp@3": 70.6}),
    ], _CODEQWEN, "2024-04", prompt_styles={"mbpp@3": "few-shot"},
        settings={"humaneval": "0-shot", "humaneval-plus": "0-shot", "mbpp@0": "0-shot", "mbpp-plus": "0-shot", "mbpp@3": "3-shot"}),
    "starcoder2-paper": _table("starcoder2-paper", [
        ("starcoder2-3b", {"humaneval": 31.7, "mbpp": 57.4}),
        ("starcoder2-7b", {"humaneval": 35.4, "mbpp": 54.4}),
        ("starcoder2-15b", {"humaneval": 46.3, "mbpp": 66.2}),
    ], _unverified("paper", "Lozhkov et al. 2024, StarCoder 2 and The Stack v2, HumanEval/MBPP table", "https://arxiv.org/abs/2402.19173", paper="starcoder2-2024"), "2024-02"),
    "deepseek-coder-paper": _table("dsc-paper", [
        ("deepseek-coder-1.3b-base", {"humaneval": 34.8, "mbpp": 46.2}),
        ("deepseek-coder-6.7b-base", {"humaneval": 49.4, "mbpp": 60.6}),
        ("deepseek-coder-33b-base", {"humaneval": 56.1, "mbpp": 66.0}),
        ("deepseek-coder-1.3b-instruct", {"humaneval": 65.2, "mbpp": 49.4}),
        ("deepseek-coder-6.7b-instruct", {"humaneval": 78.6, "mbpp": 65.4}),
        ("deepseek-coder-33b-instruct", {"humaneval": 79.3, "mbpp": 70.0}),
    ], _unverified("paper", "Guo et al. 2024, DeepSeek-Coder, Table 3 (HumanEval Python, MBPP)", "https://arxiv.org/abs/2401.14196", paper="deepseek-coder-2024"), "2024-01"),
    "code-llama-paper": _table("code-llama-paper", [
        ("code-llama-7b", {"humaneval": 33.5, "mbpp": 41.4}), ("code-llama-13b", {"humaneval": 36.0, "mbpp": 47.0}),
        ("code-llama-34b", {"humaneval": 48.8, "mbpp": 55.0}), ("code-llama-7b-python", {"humaneval": 38.4, "mbpp": 47.6}),
        ("code-llama-13b-python", {"humaneval": 43.3, "mbpp": 49.0}), ("code-llama-34b-python", {"humaneval": 53.7, "mbpp": 56.2}),
        ("code-llama-7b-instruct", {"humaneval": 34.8, "mbpp": 44.4}), ("code-llama-13b-instruct", {"humaneval": 42.7, "mbpp": 49.4}),
        ("code-llama-34b-instruct", {"humaneval": 41.5, "mbpp": 57.0}),
    ], _unverified("paper", "Rozière et al. 2023, Code Llama, Table 2 (greedy pass@1)", "https://arxiv.org/abs/2308.12950", paper="code-llama-2023"), "2023-08",
        settings={"mbpp": "3-shot"}),
    "qwen2.5-coder-report": _table("qwen25-report", [
        ("qwen2.5-coder-7b", {"humaneval": 61.6, "mbpp": 76.9}), ("qwen2.5-coder-32b", {"humaneval": 65.9, "mbpp": 83.0}),
        ("qwen2.5-coder-7b-instruct", {"humaneval": 88.4, "mbpp": 83.5}), ("qwen2.5-coder-32b-instruct", {"humaneval": 92.7, "mbpp": 90.2}),
    ], _unverified("paper", "Hui et al. 2024, Qwen2.5-Coder Technical Report, base and instruct tables", "https://arxiv.org/abs/2409.12186", paper="qwen2.5-coder-2024"), "2024-11"),
    "codegemma-report": _table("codegemma-report", [
        ("codegemma-2b", {"humaneval": 31.1, "mbpp": 43.6}), ("codegemma-7b", {"humaneval": 44.5, "mbpp": 56.2}),
        ("codegemma-7b-it", {"humaneval": 56.1, "mbpp": 54.2}),
    ], _unverified("paper", "CodeGemma Team 2024, CodeGemma, Python HumanEval/MBPP table", "https://arxiv.org/abs/2406.11409", paper="codegemma-2024"), "2024-06"),
    "codestral-blog": _table("codestral-blog", [("codestral-22b", {"humaneval": 81.1, "mbpp": 78.2})],
                             _unverified("blog", "Mistral AI, Codestral announcement, benchmark table", "https://mistral.ai/news/codestral/"), "2024-05"),
    "yi-coder-blog": _table("yi-coder-blog", [("yi-coder-9b-chat", {"humaneval": 85.4, "mbpp": 73.8})],
                            _unverified("blog", "01.AI, Yi-Coder announcement, benchmark table", "https://github.com/01-ai/Yi-Coder"), "2024-09"),
    "opencoder-paper": _table("opencoder-paper", [
        ("opencoder-8b-base", {"humaneval": 66.5, "mbpp": 79.9}), ("opencoder-8b-instruct", {"humaneval": 83.5, "mbpp": 79.1}),
    ], _unverified("paper", "Huang et al. 2024, OpenCoder, base and instruct tables", "https://arxiv.org/abs/2411.04905", paper="opencoder-2024"), "2024-11"),
}
