"""The one protocol every backend implements, and the records that cross it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from nl2code.errors import NL2CodeError
from nl2code.prompts import Prompt


class GenerationError(NL2CodeError):
    """A backend failed for good: a request was rejected, or retries ran out."""


NATIVE_INFILL_ONLY_SERVERS = (
    "--fim native sends the suffix as a request field, which only a server takes (the OpenAI completions "
    "suffix field, llama.cpp's /infill); in process, name the model family's layout: "
    "--fim starcoder, codellama, deepseek-coder or qwen2.5-coder"
)


@dataclass(frozen=True, slots=True)
class SamplingParams:
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 512
    seed: int | None = None

    @property
    def greedy(self) -> bool:
        return self.temperature == 0.0


@dataclass(frozen=True, slots=True)
class Request:
    """Ask for ``n`` samples of one prompt. ``seed`` is this request's own seed (None: unseeded)."""

    prompt: Prompt
    params: SamplingParams
    n: int = 1
    seed: int | None = None


@dataclass(frozen=True, slots=True)
class Completion:
    """The answers to one request, in order, with what the backend reported about them."""

    texts: tuple[str, ...]
    finish_reasons: tuple[str, ...] = ()
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)


@runtime_checkable
class Backend(Protocol):
    """A model that turns prompts into text.

    ``max_n`` is how many samples one request may ask for (1 where the server ignores ``n``);
    ``concurrency`` is how many requests the driver keeps in flight; ``identity()`` is what
    identifies the backend in a generation's cache key and provenance: never a key or a URL.
    """

    name: str
    model: str
    max_n: int
    concurrency: int

    def identity(self) -> dict[str, str]: ...

    async def generate(self, request: Request) -> Completion: ...

    async def aclose(self) -> None: ...
