"""Metrics without a library: exact match after whitespace normalisation, normalised edit similarity."""

from __future__ import annotations

import re
from collections.abc import Sequence

_SPACE = re.compile(r"\s+")


def normalize_whitespace(text: str) -> str:
    """Runs of whitespace (newlines and indentation included) become one space; ends are stripped."""
    return _SPACE.sub(" ", text).strip()


def exact_match(predictions: Sequence[str], references: Sequence[str]) -> list[float]:
    """100 where the prediction equals the reference after whitespace normalisation, else 0."""
    return [100.0 if normalize_whitespace(p) == normalize_whitespace(r) else 0.0 for p, r in zip(predictions, references, strict=True)]


def edit_similarity(predictions: Sequence[str], references: Sequence[str]) -> list[float]:
    """100 * (1 - Levenshtein distance / length of the longer string), on characters of the
    texts as given; two empty texts are identical (100)."""
    from rapidfuzz.distance import Levenshtein

    return [100.0 * Levenshtein.normalized_similarity(p, r) for p, r in zip(predictions, references, strict=True)]
