"""Runs the `codebleu` package in a child interpreter whose PYTHONHASHSEED is fixed (see _codebleu).

Reads one JSON request on stdin: {"predictions", "references", "lang", "fixed", "per_sample",
"weights"}; writes one JSON answer on stdout: {"corpus": {components}, "samples": [codebleu...]}.
The texts are parsed by tree-sitter, never run."""

from __future__ import annotations

import json
import logging
import math
import sys
from collections import Counter


def _weighted_precision(hypotheses, references, keywords, weights):
    """CodeBLEU's weighted n-gram match with clipped n-gram *precision*, as the paper's eq. (2)
    writes it: unigrams weigh 1 when they are keywords of the language, 0.2 otherwise; higher
    orders weigh 1; NLTK's smoothing method 1 (0.1 for an order without matches), denominators
    of at least 1 per text, and the closest
    reference length for the brevity penalty, as in the package."""
    numerators, denominators = Counter(), Counter()
    hyp_total = ref_total = 0
    for hypothesis, refs in zip(hypotheses, references):
        for n in range(1, len(weights) + 1):
            counts = Counter(tuple(hypothesis[i:i + n]) for i in range(len(hypothesis) - n + 1))
            best = Counter()
            for ref in refs:
                best |= Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
            weight = (lambda g: 1.0 if g[0] in keywords else 0.2) if n == 1 else (lambda g: 1.0)
            numerators[n] += sum(min(c, best[g]) * weight(g) for g, c in counts.items())
            # at least 1, as NLTK's modified_precision has it (an order longer than the text)
            denominators[n] += max(1.0, sum(c * weight(g) for g, c in counts.items()))
        hyp_total += len(hypothesis)
        ref_total += min((len(r) for r in refs), key=lambda length: (abs(length - len(hypothesis)), length))
    if numerators[1] == 0:
        return 0.0
    penalty = 1.0 if hyp_total > ref_total else (0.0 if hyp_total == 0 else math.exp(1 - ref_total / hyp_total))
    logs = []
    for n, w in enumerate(weights, start=1):
        p = numerators[n] / denominators[n] if numerators[n] else 0.1 / denominators[n]
        logs.append(w * math.log(p))
    return penalty * math.exp(math.fsum(logs))


def _dataflow(references, hypotheses, lang, language):
    """(matched, total) reference data-flow edges, as the package counts them; total 0 means the
    references have no data flow (the package reports 0 then, and its caller turns 0 into 1)."""
    from tree_sitter import Parser

    from codebleu import dataflow_match as df

    parser = Parser()
    parser.language = language
    pair = [parser, df.dfg_function[lang]]
    matched = total = 0
    for refs, hypothesis in zip(references, hypotheses):
        for reference in refs:
            try:
                hypothesis = df.remove_comments_and_docstrings(hypothesis, lang)
            except Exception:  # noqa: BLE001 - the package ignores what it cannot strip
                pass
            try:
                reference = df.remove_comments_and_docstrings(reference, lang)
            except Exception:  # noqa: BLE001
                pass
            candidate = df.normalize_dataflow(df.get_data_flow(hypothesis, pair))
            flows = df.normalize_dataflow(df.get_data_flow(reference, pair))
            total += len(flows)
            for flow in flows:
                if flow in candidate:
                    matched += 1
                    candidate.remove(flow)
    return matched, total


def fixed(predictions, references, lang, weights):
    """CodeBLEU with the package's defects fixed (see _codebleu.FIXES)."""
    from codebleu import bleu, syntax_match
    from codebleu.codebleu import PACKAGE_DIR
    from codebleu.utils import get_tree_sitter_language

    language = get_tree_sitter_language(lang)
    refs = [[r.strip()] for r in references]
    hyps = [p.strip() for p in predictions]
    hyp_tokens = [h.split() for h in hyps]
    ref_tokens = [[r.split() for r in rs] for rs in refs]
    keywords = set((PACKAGE_DIR / "keywords" / f"{lang}.txt").read_text(encoding="utf-8").split())
    ngram = bleu.corpus_bleu(ref_tokens, hyp_tokens)
    weighted = _weighted_precision(hyp_tokens, ref_tokens, keywords, weights)
    syntax = syntax_match.corpus_syntax_match(refs, hyps, lang, tree_sitter_language=language)
    matched, total = _dataflow(refs, hyps, lang, language)
    dataflow = matched / total if total else None
    parts = [(weights[0], ngram), (weights[1], weighted), (weights[2], syntax)]
    if dataflow is not None:
        parts.append((weights[3], dataflow))
    weight_sum = sum(w for w, _ in parts)
    score = sum(w * v for w, v in parts) / weight_sum if weight_sum else 0.0
    return {"codebleu": score, "ngram_match_score": ngram, "weighted_ngram_match_score": weighted,
            "syntax_match_score": syntax, "dataflow_match_score": dataflow, "dataflow_edges": total}


def package(predictions, references, lang, weights):
    from codebleu import calc_codebleu

    return calc_codebleu(list(references), list(predictions), lang, weights=tuple(weights))


def main() -> None:
    logging.disable(logging.WARNING)  # the package warns once per pair without data flow
    request = json.load(sys.stdin)
    compute = fixed if request["fixed"] else package
    predictions, references = request["predictions"], request["references"]
    lang, weights = request["lang"], request["weights"]
    answer = {"corpus": compute(predictions, references, lang, weights) if predictions else None, "samples": []}
    if request["per_sample"]:
        answer["samples"] = [compute([p], [r], lang, weights)["codebleu"] for p, r in zip(predictions, references)]
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
