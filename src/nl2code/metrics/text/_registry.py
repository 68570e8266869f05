"""The text-match metrics by name: what each one is, how it is computed for a corpus and per pair."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from nl2code import __version__
from nl2code.errors import InputError

from . import _codebleu, _conala, _rouge, _sacre, _simple
from ._libs import library


@dataclass(frozen=True, slots=True)
class TextOptions:
    """What changes a text metric's value beyond its texts."""

    lang: str = "python"  # CodeBLEU's language
    codebleu_fixed: bool = False  # CodeBLEU with the package's defects fixed (_codebleu.FIXES)


@dataclass(frozen=True, slots=True)
class TextScore:
    """One metric's value over a corpus, 0-100, with what produced it."""

    metric: str
    value: float | None
    definition: str
    library: str
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"value": None if self.value is None else round(self.value, 4), "definition": self.definition,
                "library": self.library, **({"details": self.details} if self.details else {})}


@dataclass(frozen=True, slots=True)
class TextMetric:
    name: str
    definition: str
    library: Callable[[TextOptions], str]
    corpus: Callable[[Sequence[str], Sequence[str], TextOptions], tuple[float | None, dict]]
    per_pair: Callable[[Sequence[str], Sequence[str], TextOptions], list[float]]
    per_pair_definition: str


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _mean_of(per_pair: Callable) -> Callable:
    return lambda p, r, o: (_mean(per_pair(p, r, o)), {})


def _conala_corpus(p: Sequence[str], r: Sequence[str], _o: TextOptions) -> tuple[float | None, dict]:
    if not p:
        return None, {}
    stats = _conala.conala_bleu(p, r)
    return 100.0 * stats.bleu, {"precisions": [round(x, 4) for x in stats.precisions], "brevity_penalty": round(stats.brevity_penalty, 4),
                                "hypothesis_length": stats.hypothesis_length, "reference_length": stats.reference_length}


def _conala_pairs(p: Sequence[str], r: Sequence[str], _o: TextOptions) -> list[float]:
    return [100.0 * _conala.conala_bleu([a], [b]).bleu for a, b in zip(p, r, strict=True)]


def _codebleu_corpus(p: Sequence[str], r: Sequence[str], o: TextOptions) -> tuple[float | None, dict]:
    result = _codebleu.compute(p, r, o.lang, fixed=o.codebleu_fixed).corpus
    if result is None:
        return None, {}
    details = {k: (None if v is None else round(v, 4)) for k, v in result.items() if k != "codebleu"}
    details.update(lang=_codebleu.language(o.lang), variant="fixed" if o.codebleu_fixed else "package",
                   hash_seed=_codebleu.HASH_SEED)
    return 100.0 * result["codebleu"], details


def _codebleu_pairs(p: Sequence[str], r: Sequence[str], o: TextOptions) -> list[float]:
    return [100.0 * v for v in _codebleu.compute(p, r, o.lang, fixed=o.codebleu_fixed, per_sample=True).samples]


def _codebleu_definition(o: TextOptions) -> str:
    return "CodeBLEU (Ren et al. 2020) with weights 0.25 each, " + (
        "with nl2code's fixes: " + "; ".join(_codebleu.FIXES) if o.codebleu_fixed else "the codebleu package's calc_codebleu value")


def _sacre_corpus(fn: Callable) -> Callable:
    return lambda p, r, _o: fn(p, r) if p else (None, {})


def _codebleu_library(_o: TextOptions) -> str:
    return f"{library('codebleu')}, {library('tree-sitter')}, PYTHONHASHSEED={_codebleu.HASH_SEED} in a child process"


OWN = f"nl2code {__version__}"
METRICS: dict[str, TextMetric] = {m.name: m for m in (
    TextMetric(
        "conala-bleu",
        "CoNaLa's official BLEU (conala-baseline eval/conala_eval.py): Ling et al. 2016 code tokenizer "
        "(non-alphanumerics split, camelCase split, quotes as `), unsmoothed corpus BLEU-4, x100",
        lambda _o: f"{OWN} (own implementation of the official definition)", _conala_corpus, _conala_pairs,
        "the same definition on the pair alone (unsmoothed: 0 when a 4-gram is missing)"),
    TextMetric(
        "bleu", "sacreBLEU's corpus BLEU with its defaults (13a tokenizer, exp smoothing, 4-grams, mixed case)",
        lambda _o: library("sacrebleu"), _sacre_corpus(_sacre.corpus_bleu), lambda p, r, _o: _sacre.sentence_bleu(p, r),
        "sacreBLEU's sentence BLEU with effective order (its advice for sentence scores)"),
    TextMetric(
        "chrf", "sacreBLEU's corpus chrF with its defaults (character 6-grams, beta 2, no word n-grams)",
        lambda _o: library("sacrebleu"), _sacre_corpus(_sacre.corpus_chrf), lambda p, r, _o: _sacre.sentence_chrf(p, r),
        "sacreBLEU's sentence chrF with its defaults"),
    TextMetric(
        "codebleu", "", _codebleu_library, _codebleu_corpus, _codebleu_pairs,
        "CodeBLEU of the pair as a corpus of one"),
    TextMetric(
        "rouge-l", "ROUGE-L F-measure as rouge-score computes it (its tokenizer: lower-cased [a-z0-9] runs; no stemming), mean over pairs",
        lambda _o: library("rouge-score"), _mean_of(lambda p, r, _o: _rouge.rouge_l(p, r, code=False)),
        lambda p, r, _o: _rouge.rouge_l(p, r, code=False), "the same, per pair"),
    TextMetric(
        "rouge-l-code", "ROUGE-L F-measure (rouge-score's LCS) on code tokens: case kept, Unicode words, every other "
        "non-space character a token; mean over pairs",
        lambda _o: library("rouge-score"), _mean_of(lambda p, r, _o: _rouge.rouge_l(p, r, code=True)),
        lambda p, r, _o: _rouge.rouge_l(p, r, code=True), "the same, per pair"),
    TextMetric(
        "exact-match", "percentage of pairs equal after whitespace normalisation (runs of whitespace -> one space, ends stripped)",
        lambda _o: OWN, _mean_of(lambda p, r, _o: _simple.exact_match(p, r)), lambda p, r, _o: _simple.exact_match(p, r),
        "100 or 0"),
    TextMetric(
        "edit-sim", "mean over pairs of 100 x (1 - character Levenshtein distance / length of the longer text)",
        lambda _o: library("rapidfuzz"), _mean_of(lambda p, r, _o: _simple.edit_similarity(p, r)),
        lambda p, r, _o: _simple.edit_similarity(p, r), "the same, per pair"),
)}


def names() -> list[str]:
    return list(METRICS)


def parse_metrics(value: str, flag: str = "--metrics") -> tuple[str, ...]:
    """Metric names from a comma-separated list; an unknown name is an error naming the flag."""
    chosen = tuple(dict.fromkeys(n.strip() for n in value.split(",") if n.strip()))
    unknown = [n for n in chosen if n not in METRICS]
    if unknown or not chosen:
        raise InputError(f"{flag} {value!r}: unknown metric {unknown[0]!r}; choose from {', '.join(METRICS)}" if unknown
                         else f"{flag}: name at least one metric of {', '.join(METRICS)}")
    return chosen


def definition(name: str, options: TextOptions) -> str:
    return _codebleu_definition(options) if name == "codebleu" else METRICS[name].definition


def score_corpus(name: str, predictions: Sequence[str], references: Sequence[str], options: TextOptions = TextOptions()) -> TextScore:
    """One metric over a corpus of (prediction, reference) pairs, 0-100."""
    metric = METRICS[name]
    _check_lengths(predictions, references)
    value, details = metric.corpus(predictions, references, options)
    return TextScore(name, value, definition(name, options), metric.library(options), details)


def score_pairs(name: str, predictions: Sequence[str], references: Sequence[str], options: TextOptions = TextOptions()) -> list[float]:
    """One metric for each pair on its own, 0-100 (see TextMetric.per_pair_definition)."""
    _check_lengths(predictions, references)
    return METRICS[name].per_pair(predictions, references, options) if predictions else []


def _check_lengths(predictions: Sequence[str], references: Sequence[str]) -> None:
    if len(predictions) != len(references):
        raise InputError(f"{len(predictions)} predictions but {len(references)} references")
