"""OpenAI-compatible HTTP backend (``/v1/completions``, ``/v1/chat/completions``) over aiohttp.

Local servers are presets of the one client: a default base URL plus the quirks seen of each.
Failed requests (429, 5xx, timeouts, dropped connections) are retried with exponential backoff
and full jitter, never sooner than the server's Retry-After; a 429 also halves the number of
requests in flight, which then grows back one at a time (additive increase, multiplicative
decrease).
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from nl2code.backends._protocol import Completion, GenerationError, Request
from nl2code.errors import ConfigError
from nl2code.prompts import PromptStyle

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Preset:
    """What one kind of server needs. ``max_n`` 1: the server ignores ``n`` (one request a sample)."""

    name: str
    base_url: str
    api_key_env: str = ""
    key_required: bool = False
    max_n: int = 1
    max_stop: int | None = None  # how many stop sequences the server accepts
    concurrency: int = 16
    extra_body: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    # how an infill request with a suffix goes out: "suffix" (the completions API's suffix field)
    # or "llama.cpp" (llama.cpp server's own /infill endpoint, beside its /v1)
    infill: str = "suffix"


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in [
        Preset("generic", "", max_n=1, concurrency=16,
               note="any OpenAI-compatible server; --base-url is required"),
        Preset("vllm", "http://127.0.0.1:8000/v1", max_n=64, concurrency=64),
        Preset("sglang", "http://127.0.0.1:30000/v1", max_n=64, concurrency=64),
        Preset("tgi", "http://127.0.0.1:8080/v1", max_n=1, concurrency=32,
               note="text-generation-inference's Messages API; n is not supported"),
        Preset("ollama", "http://127.0.0.1:11434/v1", max_n=1, concurrency=4,
               note="n is ignored; seeds make sampling reproducible"),
        # llama-cpp-python's server: ignores n and best_of, answers a list of prompts with 500,
        # serves one request at a time (start it with --interrupt_requests False or a second
        # request cuts the first), and defaults to repeat_penalty 1.1, which is not greedy.
        Preset("llama.cpp", "http://127.0.0.1:8000/v1", max_n=1, concurrency=1,
               extra_body={"repeat_penalty": 1.0, "top_k": 0, "min_p": 0.0},
               note="start: python -m llama_cpp.server --model M.gguf --interrupt_requests False"),
        # llama.cpp's own server (llama-server): OpenAI-compatible under /v1, and /infill for
        # fill-in-the-middle with the model's FIM tokens (it builds the sentinel layout itself)
        Preset("llama-server", "http://127.0.0.1:8080/v1", max_n=1, concurrency=4, infill="llama.cpp",
               note="start: llama-server -m M.gguf --port 8080 (-np N slots serve N requests at once)"),
        Preset("openai", "https://api.openai.com/v1", api_key_env="OPENAI_API_KEY", key_required=True,
               max_n=128, max_stop=4, concurrency=32),
    ]
}


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class AdaptiveLimiter:
    """Bounds requests in flight; halves the bound on throttling, grows it back by one per
    ``limit`` successes, never above the configured maximum."""

    def __init__(self, maximum: int) -> None:
        self.maximum = max(1, maximum)
        self.limit = self.maximum
        self.in_flight = 0
        self.peak = 0
        self._successes = 0
        self._last_cut = 0.0
        self._cond = asyncio.Condition()

    async def acquire(self) -> None:
        async with self._cond:
            await self._cond.wait_for(lambda: self.in_flight < self.limit)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)

    async def release(self) -> None:
        async with self._cond:
            self.in_flight -= 1
            self._cond.notify(max(1, self.limit - self.in_flight))

    def succeeded(self) -> None:
        self._successes += 1
        if self.limit < self.maximum and self._successes >= self.limit:
            self.limit += 1
            self._successes = 0

    def throttled(self) -> None:
        # Many requests in flight see the same overload; cut once per short window.
        now = time.monotonic()
        if now - self._last_cut < 1.0:
            return
        self._last_cut = now
        self._successes = 0
        self.limit = max(1, self.limit // 2)
        log.info("server is throttling; %d requests in flight at most now", self.limit)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 30.0
    timeout: float = 600.0  # seconds for one request, answer included

    def delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = random.uniform(0.0, min(self.max_delay, self.base_delay * 2**attempt))
        return max(backoff, retry_after or 0.0)


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None, throttled: bool = False, refused: bool = False) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.throttled = throttled
        self.refused = refused  # nothing listens at the address


# A refused connection to a server that never answered is a wrong --base-url or a server that is
# not started: one quick retry (a server just coming up), then a clear error instead of backing off.
REFUSED_ATTEMPTS = 2


class OpenAIBackend:
    """A client of one OpenAI-compatible server."""

    name = "openai"

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        preset: str = "generic",
        concurrency: int | None = None,
        retry: RetryPolicy | None = None,
        api_key: str | None = None,
    ) -> None:
        if preset not in PRESETS:
            raise ConfigError(f"unknown --preset {preset!r}; choose one of: {', '.join(PRESETS)}")
        self.preset = PRESETS[preset]
        self.base_url = (base_url or self.preset.base_url).rstrip("/")
        if not self.base_url:
            raise ConfigError("the generic OpenAI-compatible backend needs --base-url (e.g. http://127.0.0.1:8000/v1)")
        self.model = model
        self.max_n = self.preset.max_n
        self.concurrency = concurrency or self.preset.concurrency
        self.retry = retry or RetryPolicy()
        self._api_key = api_key if api_key is not None else self._key_from_env()
        self.limiter = AdaptiveLimiter(self.concurrency)
        self._session: aiohttp.ClientSession | None = None
        self.requests_sent = 0  # HTTP requests, retries included
        self.retries = 0
        self.answered = 0  # requests the server answered (any status)

    def _key_from_env(self) -> str:
        key = os.environ.get("NL2CODE_API_KEY") or (
            os.environ.get(self.preset.api_key_env, "") if self.preset.api_key_env else ""
        )
        if self.preset.key_required and not key:
            raise ConfigError(
                f"the {self.preset.name} preset needs an API key: set {self.preset.api_key_env} "
                "(or NL2CODE_API_KEY) in the environment"
            )
        return key

    def identity(self) -> dict[str, str]:
        return {"backend": self.name, "preset": self.preset.name, "model": self.model}

    def _session_for_loop(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
            connector = aiohttp.TCPConnector(limit=self.concurrency, limit_per_host=self.concurrency)
            self._session = aiohttp.ClientSession(
                connector=connector, headers=headers, timeout=aiohttp.ClientTimeout(total=self.retry.timeout)
            )
        return self._session

    def body(self, request: Request) -> tuple[str, dict[str, Any]]:
        """The endpoint path and JSON body for one request."""
        params = request.params
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "n": request.n,
        }
        if request.seed is not None:
            body["seed"] = request.seed
        stop = list(request.prompt.stop)
        if self.preset.max_stop is not None:
            stop = stop[: self.preset.max_stop]  # the rest are applied client-side
        if stop:
            body["stop"] = stop
        body.update(self.preset.extra_body)
        suffix = request.prompt.suffix
        if suffix is not None and self.preset.infill == "llama.cpp":
            return "/infill", _llama_infill_body(body, request.prompt.text, suffix)
        if suffix is not None:
            body["suffix"] = suffix
        if request.prompt.style is PromptStyle.CHAT:
            body["messages"] = request.prompt.as_messages()
            return "/chat/completions", body
        body["prompt"] = request.prompt.text
        return "/completions", body

    async def generate(self, request: Request) -> Completion:
        if request.n > self.max_n:
            raise GenerationError(f"the {self.preset.name} preset serves at most n={self.max_n} per request")
        path, body = self.body(request)
        url = self.url(path)
        started = time.monotonic()
        for attempt in range(self.retry.max_attempts):
            await self.limiter.acquire()
            try:
                payload = await self._post(url, body)
            except _Retryable as exc:
                if exc.throttled:
                    self.limiter.throttled()
                reason, retry_after, exc_refused = str(exc), exc.retry_after, exc.refused
            else:
                self.limiter.succeeded()
                return _parse(payload, request, time.monotonic() - started)
            finally:
                await self.limiter.release()
            if attempt + 1 == self.retry.max_attempts:
                break
            if exc_refused and not self.answered and attempt + 1 >= REFUSED_ATTEMPTS:
                raise GenerationError(
                    f"{url}: connection refused ({attempt + 1} attempts); nothing listens there: "
                    "start the server, or correct --base-url (and --preset)"
                )
            delay = self.retry.delay(attempt, retry_after)
            self.retries += 1
            log.debug("%s: %s; retry %d in %.2fs", path, reason, attempt + 1, delay)
            await asyncio.sleep(delay)
        raise GenerationError(
            f"{url}: gave up after {self.retry.max_attempts} attempts (last: {reason}); "
            "check that the server is up and not overloaded, or lower --concurrency"
        )

    def url(self, path: str) -> str:
        """The URL of an endpoint: under the base URL, except llama.cpp's /infill, which sits at
        the server's root beside /v1."""
        if path == "/infill" and self.base_url.endswith("/v1"):
            return self.base_url[: -len("/v1")] + path
        return self.base_url + path

    async def _post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        session = self._session_for_loop()
        self.requests_sent += 1
        try:
            async with session.post(url, json=body) as response:
                self.answered += 1
                if response.status in RETRY_STATUSES:
                    text = (await response.text())[:200]
                    raise _Retryable(
                        f"HTTP {response.status} {text!r}",
                        retry_after_seconds(response.headers.get("Retry-After")),
                        throttled=response.status in (429, 503),
                    )
                if response.status >= 400:
                    text = (await response.text())[:500]
                    raise GenerationError(
                        f"{url}: HTTP {response.status}: {text}; check --model, --preset and the sampling flags"
                    )
                return await response.json(content_type=None)
        except aiohttp.ClientConnectorError as exc:
            refused = isinstance(exc.os_error, ConnectionRefusedError)
            raise _Retryable(f"{type(exc).__name__}: {exc}", refused=refused) from exc
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, asyncio.TimeoutError) as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _llama_infill_body(body: dict[str, Any], prefix: str, suffix: str) -> dict[str, Any]:
    """llama.cpp's /infill request: its own names for the prefix, the suffix and the token budget;
    the sampling fields are its /completion fields of the same names."""
    out = {k: v for k, v in body.items() if k not in ("model", "max_tokens", "n")}
    out.update({"input_prefix": prefix, "input_suffix": suffix, "n_predict": body["max_tokens"], "cache_prompt": False})
    return out


def _parse_llama_infill(payload: dict[str, Any], request: Request, seconds: float) -> Completion:
    if not isinstance(payload.get("content"), str):
        raise GenerationError(f"the server's answer to /infill has no text 'content': {str(payload)[:300]}")
    # newer servers say stop_type (eos | word | limit); older ones stopped_eos / stopped_word / stopped_limit
    reason = str(payload.get("stop_type") or "")
    if not reason:
        reason = "stop" if payload.get("stopped_eos") or payload.get("stopped_word") else ("length" if payload.get("stopped_limit") else "")
    reason = {"eos": "stop", "word": "stop", "limit": "length"}.get(reason, reason)
    return Completion(
        texts=(payload["content"],), finish_reasons=(reason,),
        prompt_tokens=int(payload.get("tokens_evaluated") or 0), completion_tokens=int(payload.get("tokens_predicted") or 0),
        seconds=seconds,
    )


def _parse(payload: dict[str, Any], request: Request, seconds: float) -> Completion:
    if request.prompt.suffix is not None and "choices" not in payload and "content" in payload:
        return _parse_llama_infill(payload, request, seconds)
    try:
        choices = sorted(payload["choices"], key=lambda c: c.get("index", 0))
        if request.prompt.style is PromptStyle.CHAT:
            texts = tuple((c.get("message") or {}).get("content") or "" for c in choices)
        else:
            texts = tuple(c.get("text") or "" for c in choices)
    except (KeyError, TypeError, AttributeError) as exc:
        raise GenerationError(f"the server's answer is not an OpenAI completion: {str(payload)[:300]}") from exc
    if len(texts) != request.n:
        raise GenerationError(
            f"asked for n={request.n} samples and got {len(texts)}; this server ignores n: "
            "use a preset with max_n=1 (e.g. --preset generic)"
        )
    usage = payload.get("usage") or {}
    return Completion(
        texts=texts,
        finish_reasons=tuple(str(c.get("finish_reason") or "") for c in choices),
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        seconds=seconds,
    )
