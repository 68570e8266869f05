"""HumanEval-Infilling: loading, evaluation of middles, and generation through backends that
take a suffix (the OpenAI completions suffix field, llama.cpp's /infill, FIM token layouts),
against the real loopback server of tests/llm_server.py."""

from __future__ import annotations

import json

import pytest

from helpers import DATASETS, ask, cli
from llm_server import LLMServer
from nl2code import benchmarks
from nl2code.backends import OpenAIBackend, Request, RetryPolicy, SamplingParams
from nl2code.execution import run_samples
from nl2code.prompts import INFILL_TEMPLATES, PromptStyle, build_prompt, make_program, template_for
from nl2code.records import Sample, Status
from nl2code.samples import read_samples

INFILLING = DATASETS / "humaneval-infilling"
FILES = {
    "single-line": INFILLING / "HumanEval-SingleLineInfilling.jsonl.gz",
    "multi-line": INFILLING / "HumanEval-MultiLineInfilling.jsonl.gz",
    "random-span": INFILLING / "HumanEval-RandomSpanInfilling.jsonl.gz",
    "random-span-light": INFILLING / "HumanEval-RandomSpanInfillingLight.jsonl.gz",
}
FAST = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.05, timeout=10)


def load(subset: str):
    return benchmarks.load(f"humaneval-infilling-{subset}", FILES[subset])


def middle(problem) -> str:
    return problem.reference[len(problem.prompt): len(problem.reference) - len(problem.suffix)]


def test_the_four_sets_load_with_their_published_sizes_and_pinned_hashes():
    sizes = {"single-line": 1033, "multi-line": 5815, "random-span": 1640, "random-span-light": 164}
    for subset, size in sizes.items():
        bench = load(subset)
        assert len(bench.problems) == size, subset
        assert bench.data_sha256 == benchmarks.humaneval_infilling.DATA[subset].sha256
    problem = load("single-line").problems[0]
    assert problem.task_id == "SingleLineInfilling/HumanEval/0/L0"
    assert problem.suffix.startswith("        for idx2, elem2") and middle(problem) == "    for idx, elem in enumerate(numbers):\n"
    assert "def check" not in problem.test_prelude and problem.n_tests == 7


@pytest.mark.parametrize("subset", ["single-line", "random-span-light"])
def test_every_reference_middle_passes(subset):
    bench = load(subset)
    samples = [Sample(p.task_id, 0, i, p.prompt + middle(p) + p.suffix) for i, p in enumerate(bench.problems)]
    executions = run_samples(bench.by_id, samples)
    failed = [(e.task_id, e.status, e.error) for e in executions if not e.passed]
    assert not failed
    assert len(executions) == {"single-line": 1033, "random-span-light": 164}[subset]


def test_a_samples_file_of_middles_is_put_between_prompt_and_suffix(tmp_path):
    bench = load("single-line")
    first = bench.problems[0]
    path = tmp_path / "middles.jsonl"
    wrong = "    for idx, elem in enumerate(numbers[:1]):\n"  # valid code, a wrong answer
    path.write_text(json.dumps({"task_id": first.task_id, "completion": middle(first)}) + "\n"
                    + json.dumps({"task_id": first.task_id, "completion": wrong}) + "\n")
    sample_file = read_samples(path, bench)
    assert sample_file.samples[0].program == first.reference
    executions = run_samples(bench.by_id, sample_file.samples)
    assert [e.status for e in executions] == [Status.PASSED, Status.FAILED]


def test_selfcheck_command_reports_every_reference_middle_passing(tmp_path):
    result = cli("selfcheck", "humaneval-infilling-random-span-light", "--dataset", str(FILES["random-span-light"]),
                 "--db", str(tmp_path / "r.db"), "-q")
    assert result.returncode == 0, result.stderr
    assert "all 164 reference solutions pass" in result.stdout


def test_native_infill_sends_the_suffix_field_to_the_completions_endpoint():
    problem = load("single-line").problems[0]
    prompt = build_prompt(problem, template_for("infill", "native"))
    assert prompt.text == problem.prompt and prompt.suffix == problem.suffix and prompt.stop == ()
    with LLMServer(answer=lambda body: middle(problem)) as server:
        backend = OpenAIBackend("m", base_url=server.url, preset="vllm", retry=FAST)
        out = ask(backend, Request(prompt, SamplingParams(max_tokens=64)))
    body = server.requests[0]
    assert body["prompt"] == problem.prompt and body["suffix"] == problem.suffix and body["max_tokens"] == 64
    assert out.texts == (middle(problem),)


def test_llama_server_preset_sends_infill_requests_to_its_infill_endpoint():
    problem = load("single-line").problems[0]
    prompt = build_prompt(problem, template_for("infill", "native"))
    with LLMServer(answer=lambda body: "    for idx, elem in enumerate(numbers):\n") as server:
        backend = OpenAIBackend("m", base_url=server.url, preset="llama-server", retry=FAST)
        assert backend.url("/infill") == server.url[: -len("/v1")] + "/infill"
        out = ask(backend, Request(prompt, SamplingParams(max_tokens=48, temperature=0.2), seed=5))
    body = server.requests[0]
    assert body["input_prefix"] == problem.prompt and body["input_suffix"] == problem.suffix
    assert body["n_predict"] == 48 and body["temperature"] == 0.2 and body["seed"] == 5
    assert "prompt" not in body and "suffix" not in body and "n" not in body
    assert out.texts == ("    for idx, elem in enumerate(numbers):\n",) and out.finish_reasons == ("stop",)
    assert out.completion_tokens == 5 and out.prompt_tokens == len(problem.prompt.split())


@pytest.mark.parametrize("fim, expected", [
    ("starcoder", "<fim_prefix>P{x}<fim_suffix>S}<fim_middle>"),
    ("codellama", "<PRE> P{x} <SUF>S} <MID>"),
    ("deepseek-coder", "<\uff5cfim\u2581begin\uff5c>P{x}<\uff5cfim\u2581hole\uff5c>S}<\uff5cfim\u2581end\uff5c>"),
    ("qwen2.5-coder", "<|fim_prefix|>P{x}<|fim_suffix|>S}<|fim_middle|>"),
])
def test_fim_templates_lay_out_prefix_and_suffix_between_the_family_tokens(fim, expected):
    problem = load("single-line").problems[0]
    import dataclasses

    braces = dataclasses.replace(problem, prompt="P{x}", suffix="S}")  # code with braces, and a suffix placeholder in it
    prompt = build_prompt(braces, template_for("infill", fim))
    assert prompt.text == expected and prompt.suffix is None and prompt.stop == INFILL_TEMPLATES[fim].stop
    # the family's end-of-middle token ends the middle; the program is prompt + middle + suffix
    stop = INFILL_TEMPLATES[fim].stop[0]
    completion, program = make_program(problem, PromptStyle.INFILL, middle(problem) + stop + "junk", prompt.stop)
    assert completion == middle(problem) and program == problem.reference


def test_fim_templates_have_distinct_hashes_and_unknown_names_are_refused():
    hashes = {t.sha256 for t in INFILL_TEMPLATES.values()}
    assert len(hashes) == len(INFILL_TEMPLATES)
    from nl2code.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown --fim 'starcoder3'; choose one of: native, starcoder"):
        template_for("infill", "starcoder3")


def test_run_command_generates_middles_through_llama_infill_and_scores_them(tmp_path):
    bench = load("random-span-light")
    by_prefix = {p.prompt: middle(p) for p in bench.problems}
    with LLMServer(answer=lambda body: by_prefix[body["input_prefix"]] if body["input_suffix"] is not None else "") as server:
        result = cli("run", "-b", "humaneval-infilling-random-span-light", "--dataset", str(FILES["random-span-light"]),
                     "-m", "canned", "--preset", "llama-server", "--base-url", server.url, "--style", "infill",
                     "--limit", "20", "--db", str(tmp_path / "r.db"), "-o", str(tmp_path / "s.jsonl"),
                     "--json", str(tmp_path / "summary.json"), "-q")
    assert result.returncode == 0, result.stderr
    assert len(server.served) == 20 and all("input_suffix" in b for b in server.served)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["pass_at_k"]["pass@1"] == 1.0 and summary["samples"] == 20
    assert summary["generation"]["style"] == "infill" and summary["generation"]["fim"] == "native"
    first = json.loads((tmp_path / "s.jsonl").read_text().splitlines()[0])
    assert first["completion"] == middle(bench.problems[0]) and first["program"] == bench.problems[0].reference

