"""Backends turn prompts into text behind one protocol: an OpenAI-compatible HTTP client with
presets for local servers, and transformers or llama.cpp in process (extras, loaded lazily)."""

from __future__ import annotations

import importlib
from typing import Any

from nl2code.backends._http import PRESETS, AdaptiveLimiter, OpenAIBackend, Preset, RetryPolicy, retry_after_seconds
from nl2code.backends._protocol import Backend, Completion, GenerationError, Request, SamplingParams
from nl2code.errors import ConfigError

# kind -> "module:class"; a backend's heavy imports happen only when it is created.
BACKENDS: dict[str, str] = {
    "openai": "nl2code.backends._http:OpenAIBackend",
    "hf": "nl2code.backends._hf:HFBackend",
    "llama-cpp": "nl2code.backends._llama:LlamaCppBackend",
}


def create_backend(kind: str, model: str, **options: Any) -> Backend:
    """Create a backend by kind (``openai``, ``hf``, ``llama-cpp``); options go to its constructor."""
    if kind not in BACKENDS:
        raise ConfigError(f"unknown --backend {kind!r}; choose one of: {', '.join(BACKENDS)}")
    module_name, attr = BACKENDS[kind].split(":")
    cls = getattr(importlib.import_module(module_name), attr)
    return cls(model, **{k: v for k, v in options.items() if v is not None})


__all__ = [
    "BACKENDS",
    "PRESETS",
    "AdaptiveLimiter",
    "Backend",
    "Completion",
    "GenerationError",
    "OpenAIBackend",
    "Preset",
    "Request",
    "RetryPolicy",
    "SamplingParams",
    "create_backend",
    "retry_after_seconds",
]
