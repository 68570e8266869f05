"""CoNaLa's official BLEU (Yin et al. 2018, conala-corpus/conala-baseline `eval/conala_eval.py`),
re-implemented from its definition: the tokenizer of Ling et al. 2016 and unsmoothed corpus BLEU-4.

The tokenizer's rules, as the official script applies them:
1. every character outside [A-Za-z0-9_] is a token of its own (whitespace only separates);
2. a lower-case letter followed by an upper-case one is split between them (camelCase);
3. both quote characters, ' and ", become a backtick (so 'a' and "a" tokenize alike);
4. nothing is lower-cased, nothing else is normalised.

BLEU is the corpus BLEU of Papineni et al. 2002 as TensorFlow NMT's `compute_bleu` (which the
script calls with smooth=False) computes it: n-gram matches and possible n-grams are summed over
the corpus per order (1-4), p_n = matches / possible (0 when there is no possible n-gram), the
geometric mean is 0 as soon as one p_n is 0, and the brevity penalty is exp(1 - r/c) for c <= r
(0 when c = 0), with c the summed hypothesis lengths and r the summed (shortest) reference lengths.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

# a run of word characters, or one character that is neither a word character nor whitespace
_TOKEN = re.compile(r"[A-Za-z0-9_]+|[^A-Za-z0-9_\s]")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
MAX_ORDER = 4


def conala_tokenize(code: str) -> list[str]:
    """Tokens of `code` by the CoNaLa evaluation's rules (see the module docstring)."""
    tokens: list[str] = []
    for token in _TOKEN.findall(code):
        if token in ("'", '"'):
            tokens.append("`")
        else:
            tokens.extend(_CAMEL.split(token))
    return tokens


@dataclass(frozen=True, slots=True)
class BleuStats:
    """The parts of one corpus BLEU: value on 0-1, the per-order precisions, brevity penalty."""

    bleu: float
    precisions: tuple[float, ...]
    brevity_penalty: float
    hypothesis_length: int
    reference_length: int


def _ngrams(tokens: Sequence[str], order: int) -> Counter:
    return Counter(tuple(tokens[i:i + order]) for i in range(len(tokens) - order + 1))


def corpus_bleu(hypotheses: Sequence[Sequence[str]], references: Sequence[Sequence[Sequence[str]]],
                max_order: int = MAX_ORDER, smooth: bool = False) -> BleuStats:
    """Corpus BLEU of tokenized hypotheses, each against its list of tokenized references.

    smooth=True adds one to every order's matches and possible n-grams (Lin and Och 2004), the
    option the official script leaves off."""
    matches = [0] * max_order
    possible = [0] * max_order
    hyp_length = ref_length = 0
    for hypothesis, refs in zip(hypotheses, references, strict=True):
        hyp_length += len(hypothesis)
        ref_length += min(len(r) for r in refs)
        for order in range(1, max_order + 1):
            counts = _ngrams(hypothesis, order)
            best: Counter = Counter()
            for ref in refs:
                best |= _ngrams(ref, order)  # the most times any one reference has each n-gram
            matches[order - 1] += sum((counts & best).values())
            possible[order - 1] += max(0, len(hypothesis) - order + 1)
    if smooth:
        precisions = tuple((m + 1) / (p + 1) for m, p in zip(matches, possible))
    else:
        precisions = tuple(m / p if p else 0.0 for m, p in zip(matches, possible))
    geometric = math.exp(sum(math.log(p) for p in precisions) / max_order) if min(precisions) > 0 else 0.0
    if hyp_length > ref_length:
        penalty = 1.0
    elif hyp_length == 0:
        penalty = 0.0
    else:
        penalty = math.exp(1 - ref_length / hyp_length)
    return BleuStats(geometric * penalty, precisions, penalty, hyp_length, ref_length)


def conala_bleu(predictions: Sequence[str], references: Sequence[str]) -> BleuStats:
    """The CoNaLa leaderboard's BLEU of code strings (value on 0-1; the script prints x100)."""
    return corpus_bleu([conala_tokenize(p) for p in predictions], [[conala_tokenize(r)] for r in references])
