"""nl2code: evaluate and track large language models for code generation."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
