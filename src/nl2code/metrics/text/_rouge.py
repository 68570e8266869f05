"""ROUGE-L (Lin 2004) F-measure: with rouge-score's own tokenizer, and with a tokenizer for code.

rouge-score lower-cases and keeps only [a-z0-9] runs, so operators and brackets vanish and a text
of non-ASCII letters has no token at all (score 0). `rouge-l-code` keeps the case, every word
(Unicode letters, digits, underscore) as a token, and every other non-space character as a token
of its own; the LCS F-measure is rouge-score's either way."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._libs import require

_CODE_TOKEN = re.compile(r"\w+|[^\w\s]")


class CodeTokenizer:
    """rouge-score's tokenizer interface (`tokenize(text) -> list[str]`) for code."""

    def tokenize(self, text: str) -> list[str]:
        return _CODE_TOKEN.findall(text)


def rouge_l(predictions: Sequence[str], references: Sequence[str], *, code: bool) -> list[float]:
    """Per-pair ROUGE-L F-measure x 100 (rouge-score's RougeScorer, no stemming)."""
    scorer_module = require("rouge_score.rouge_scorer", "rouge-score")
    scorer = scorer_module.RougeScorer(["rougeL"], use_stemmer=False, tokenizer=CodeTokenizer() if code else None)
    return [100.0 * scorer.score(r, p)["rougeL"].fmeasure for p, r in zip(predictions, references, strict=True)]
