"""llama.cpp in process through llama-cpp-python (extra ``nl2code[llama]``), imported lazily."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Any

from nl2code.backends._protocol import NATIVE_INFILL_ONLY_SERVERS, Completion, GenerationError, Request
from nl2code.errors import ConfigError, MissingExtraError
from nl2code.prompts import PromptStyle

log = logging.getLogger(__name__)


class LlamaCppBackend:
    """One GGUF model in this process; requests run one at a time in a worker thread."""

    name = "llama-cpp"
    max_n = 1
    concurrency = 1

    def __init__(self, model: str, n_ctx: int = 4096, n_threads: int | None = None, **_: Any) -> None:
        try:
            import llama_cpp
        except ImportError as exc:
            raise MissingExtraError("llama_cpp", "llama") from exc
        path = Path(model).expanduser()
        if not path.is_file():
            raise ConfigError(f"--model {model!r}: the llama-cpp backend needs the path of a .gguf file")
        self.model = path.name
        self._size = path.stat().st_size
        self._lock = asyncio.Lock()
        log.info("loading %s", path)
        self._llm = llama_cpp.Llama(
            model_path=str(path), n_ctx=n_ctx, n_threads=n_threads or os.cpu_count(), verbose=False
        )

    def identity(self) -> dict[str, str]:
        return {"backend": self.name, "model": self.model, "model_bytes": str(self._size)}

    async def generate(self, request: Request) -> Completion:
        async with self._lock:
            return await asyncio.to_thread(self._generate, request)

    def _generate(self, request: Request) -> Completion:
        if request.prompt.suffix is not None:
            raise GenerationError(NATIVE_INFILL_ONLY_SERVERS)
        params = request.params
        kwargs: dict[str, Any] = dict(
            max_tokens=params.max_tokens,
            temperature=params.temperature,
            top_p=params.top_p,
            # OpenAI semantics: no top-k or min-p cut and no repetition penalty unless asked.
            top_k=0,
            min_p=0.0,
            repeat_penalty=1.0,
            stop=list(request.prompt.stop) or None,
        )
        if request.seed is not None:
            kwargs["seed"] = request.seed
        started = time.monotonic()
        if request.prompt.style is PromptStyle.CHAT:
            out = self._llm.create_chat_completion(messages=request.prompt.as_messages(), **kwargs)
            text = out["choices"][0]["message"]["content"] or ""
        else:
            out = self._llm.create_completion(prompt=request.prompt.text, **kwargs)
            text = out["choices"][0]["text"]
        usage = out.get("usage") or {}
        return Completion(
            texts=(text,),
            finish_reasons=(str(out["choices"][0].get("finish_reason") or ""),),
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            seconds=time.monotonic() - started,
        )

    async def aclose(self) -> None:
        close = getattr(self._llm, "close", None)
        if close is not None:
            close()
