"""Text-match metrics for code: BLEU (sacreBLEU and CoNaLa's official definition), CodeBLEU,
ROUGE-L, chrF, exact match and edit similarity, each on a 0-100 scale and each recorded with the
definition and library version that produced it. The libraries are the `text` extra, imported
when a metric needs them. A text match says how close a program is to one reference, never
whether it is correct (docs/text-metrics.md)."""

from __future__ import annotations

from ._conala import BleuStats, conala_bleu, conala_tokenize, corpus_bleu
from ._samples import TextExecutor, corpus_scores, metric_key, score_samples, text_pair
from ._registry import METRICS, TextMetric, TextOptions, TextScore, definition, names, parse_metrics, score_corpus, score_pairs

__all__ = [
    "BleuStats",
    "METRICS",
    "TextMetric",
    "TextOptions",
    "TextExecutor",
    "TextScore",
    "conala_bleu",
    "conala_tokenize",
    "corpus_scores",
    "corpus_bleu",
    "definition",
    "metric_key",
    "names",
    "parse_metrics",
    "score_corpus",
    "score_pairs",
    "score_samples",
    "text_pair",
]
