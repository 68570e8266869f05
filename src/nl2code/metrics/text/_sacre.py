"""BLEU and chrF exactly as sacreBLEU computes them with its defaults (Post 2018)."""

from __future__ import annotations

from collections.abc import Sequence

from ._libs import require


def _bleu(sentence: bool = False):
    metrics = require("sacrebleu.metrics", "sacrebleu")
    # sacreBLEU's own advice for sentence scores: effective order (no zero for a missing 4-gram)
    return metrics.BLEU(effective_order=True) if sentence else metrics.BLEU()


def _chrf():
    return require("sacrebleu.metrics", "sacrebleu").CHRF()


def corpus_bleu(predictions: Sequence[str], references: Sequence[str]) -> tuple[float, dict]:
    metric = _bleu()
    result = metric.corpus_score(list(predictions), [list(references)])
    return result.score, {"signature": str(metric.get_signature()), "precisions": [round(p, 4) for p in result.precisions],
                          "brevity_penalty": round(result.bp, 4), "hypothesis_length": result.sys_len, "reference_length": result.ref_len}


def sentence_bleu(predictions: Sequence[str], references: Sequence[str]) -> list[float]:
    metric = _bleu(sentence=True)
    return [metric.sentence_score(p, [r]).score for p, r in zip(predictions, references, strict=True)]


def corpus_chrf(predictions: Sequence[str], references: Sequence[str]) -> tuple[float, dict]:
    metric = _chrf()
    return metric.corpus_score(list(predictions), [list(references)]).score, {"signature": str(metric.get_signature())}


def sentence_chrf(predictions: Sequence[str], references: Sequence[str]) -> list[float]:
    metric = _chrf()
    return [metric.sentence_score(p, [r]).score for p, r in zip(predictions, references, strict=True)]
