from __future__ import annotations

import asyncio
import email.utils
import sys
import time

import pytest

from helpers import ask
from llm_server import LLMServer
from nl2code.backends import (
    AdaptiveLimiter,
    GenerationError,
    OpenAIBackend,
    Request,
    RetryPolicy,
    SamplingParams,
    create_backend,
    retry_after_seconds,
)
from nl2code.errors import ConfigError, MissingExtraError
from nl2code.prompts import Prompt, PromptStyle

FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05, timeout=10)
COMPLETION = Prompt(style=PromptStyle.COMPLETION, text="def f():\n", stop=("\ndef", "\nclass", "\nif", "\nprint", "\n#"))
CHAT = Prompt(style=PromptStyle.CHAT, messages=(("system", "be good"), ("user", "write f")))


def test_completion_request_carries_prompt_sampling_parameters_and_stop_sequences():
    with LLMServer(answer=lambda body: "    return 42\n") as server:
        backend = OpenAIBackend("m", base_url=server.url, preset="vllm", retry=FAST)
        params = SamplingParams(temperature=0.8, top_p=0.95, max_tokens=64)
        out = ask(backend, Request(COMPLETION, params, n=3, seed=7))
    assert out.texts == ("    return 42\n",) * 3
    assert out.finish_reasons == ("stop",) * 3
    body = server.requests[0]
    assert body["prompt"] == "def f():\n" and body["model"] == "m" and body["n"] == 3 and body["seed"] == 7
    assert body["temperature"] == 0.8 and body["top_p"] == 0.95 and body["max_tokens"] == 64
    assert body["stop"] == list(COMPLETION.stop)


def test_chat_request_goes_to_chat_completions_with_messages():
    with LLMServer(answer=lambda body: "```python\nx = 1\n```") as server:
        out = ask(OpenAIBackend("m", base_url=server.url, retry=FAST), Request(CHAT, SamplingParams()))
    assert out.texts == ("```python\nx = 1\n```",)
    assert server.requests[0]["messages"] == [{"role": "system", "content": "be good"}, {"role": "user", "content": "write f"}]
    assert "prompt" not in server.requests[0]


def test_429_is_retried_no_sooner_than_retry_after():
    with LLMServer(fault=lambda seq, body: 429 if seq == 0 else None, retry_after="0.4") as server:
        started = time.monotonic()
        out = ask(OpenAIBackend("m", base_url=server.url, retry=FAST), Request(COMPLETION, SamplingParams()))
        elapsed = time.monotonic() - started
    assert out.texts == ("    return 1\n",)
    assert len(server.requests) == 2 and server.faults_sent[429] == 1
    assert elapsed >= 0.4


def test_500_errors_are_retried_until_success():
    with LLMServer(fault=lambda seq, body: 500 if seq < 3 else None) as server:
        backend = OpenAIBackend("m", base_url=server.url, retry=FAST)
        out = ask(backend, Request(COMPLETION, SamplingParams()))
    assert out.texts == ("    return 1\n",)
    assert len(server.requests) == 4 and backend.retries == 3


def test_retries_run_out_with_an_error_that_names_the_url():
    with LLMServer(fault=lambda seq, body: 503) as server:
        with pytest.raises(GenerationError, match=r"127\.0\.0\.1.*gave up after 4 attempts.*HTTP 503"):
            ask(OpenAIBackend("m", base_url=server.url, retry=FAST), Request(COMPLETION, SamplingParams()))
    assert len(server.requests) == 4


def test_a_client_error_is_not_retried():
    with LLMServer(fault=lambda seq, body: 400) as server:
        with pytest.raises(GenerationError, match="HTTP 400"):
            ask(OpenAIBackend("m", base_url=server.url, retry=FAST), Request(COMPLETION, SamplingParams()))
    assert len(server.requests) == 1


def test_a_refused_connection_is_retried_once_then_reported():
    server = LLMServer()
    url = server.start()
    server.stop()  # nothing listens on this port any more
    backend = OpenAIBackend("m", base_url=url, retry=FAST)
    with pytest.raises(GenerationError, match="connection refused .*start the server, or correct --base-url"):
        ask(backend, Request(COMPLETION, SamplingParams()))
    assert backend.requests_sent == 2


def test_a_server_that_ignores_n_is_caught_rather_than_losing_samples():
    with LLMServer(honour_n=False) as server:
        with pytest.raises(GenerationError, match="ignores n"):
            ask(OpenAIBackend("m", base_url=server.url, preset="vllm", retry=FAST), Request(COMPLETION, SamplingParams(), n=2))


def test_llama_cpp_preset_sends_one_sample_per_request_without_repeat_penalty():
    backend = OpenAIBackend("m", preset="llama.cpp")
    assert backend.max_n == 1 and backend.concurrency == 1 and backend.base_url == "http://127.0.0.1:8000/v1"
    _, body = backend.body(Request(COMPLETION, SamplingParams(), seed=3))
    assert body["repeat_penalty"] == 1.0 and body["n"] == 1 and body["seed"] == 3


def test_openai_preset_needs_a_key_from_the_environment_and_sends_at_most_four_stops(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("NL2CODE_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        OpenAIBackend("gpt", preset="openai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    with LLMServer() as server:
        backend = OpenAIBackend("gpt", base_url=server.url, preset="openai", retry=FAST)
        assert "sk-secret" not in repr(backend.identity())
        ask(backend, Request(COMPLETION, SamplingParams()))
    assert server.authorizations == ["Bearer sk-secret"]
    assert server.requests[0]["stop"] == list(COMPLETION.stop[:4])


def test_a_local_preset_sends_no_authorization_without_a_key(monkeypatch):
    monkeypatch.delenv("NL2CODE_API_KEY", raising=False)
    with LLMServer() as server:
        ask(OpenAIBackend("m", base_url=server.url, preset="vllm", retry=FAST), Request(COMPLETION, SamplingParams()))
    assert server.authorizations == [""]


def test_unknown_preset_and_missing_base_url_say_how_to_fix_them():
    with pytest.raises(ConfigError, match="choose one of: generic, vllm"):
        OpenAIBackend("m", preset="nope")
    with pytest.raises(ConfigError, match="--base-url"):
        OpenAIBackend("m")


def test_requests_in_flight_never_exceed_the_concurrency_bound():
    async def go(url):
        backend = OpenAIBackend("m", base_url=url, concurrency=5, retry=FAST)
        try:
            await asyncio.gather(*(backend.generate(Request(COMPLETION, SamplingParams())) for _ in range(40)))
        finally:
            await backend.aclose()
        return backend

    with LLMServer(latency=0.02) as server:
        backend = asyncio.run(go(server.url))
    assert len(server.served) == 40
    assert server.peak_in_flight == 5 and backend.limiter.peak == 5


def test_throttling_halves_the_bound_which_then_grows_back_one_at_a_time():
    async def go():
        limiter = AdaptiveLimiter(16)
        limiter.throttled()
        limiter.throttled()  # the same overload seen twice within a second cuts once
        after_cut = limiter.limit
        for _ in range(8 + 9):
            limiter.succeeded()
        return after_cut, limiter.limit

    assert asyncio.run(go()) == (8, 10)


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds("0.5") == 0.5
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    date = email.utils.formatdate(1_000_030, usegmt=True)
    assert retry_after_seconds(date, now=1_000_000) == pytest.approx(30.0)


def test_backoff_grows_exponentially_with_jitter_and_respects_retry_after():
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    delays = [policy.delay(6, None) for _ in range(200)]
    assert all(0 <= d <= 8.0 for d in delays) and len(set(delays)) > 100
    assert policy.delay(0, 5.0) >= 5.0


@pytest.mark.parametrize(("kind", "module", "extra"), [("llama-cpp", "llama_cpp", "llama"), ("hf", "torch", "hf")])
def test_a_missing_optional_dependency_names_the_extra_to_install(monkeypatch, kind, module, extra):
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail as if not installed
    with pytest.raises(MissingExtraError, match=rf"pip install 'nl2code\[{extra}\]'"):
        create_backend(kind, "model")


def test_unknown_backend_kind_lists_the_known_ones():
    with pytest.raises(ConfigError, match="openai, hf, llama-cpp"):
        create_backend("nope", "m")


def test_a_request_that_times_out_is_retried_then_reported():
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, timeout=0.1)
    with LLMServer(latency=0.5) as server:
        with pytest.raises(GenerationError, match="gave up after 3 attempts.*Timeout"):
            ask(OpenAIBackend("m", base_url=server.url, retry=policy), Request(COMPLETION, SamplingParams()))
        time.sleep(0.6)  # the server still finishes what the client gave up on
    assert len(server.requests) == 3
