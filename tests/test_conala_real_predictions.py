"""Text metrics on real model predictions for the CoNaLa test set (ExplainaBoard's published
system output, tests/data/conala/README.md): the library-backed metrics equal their libraries and
CoNaLa's BLEU equals an independent implementation of unsmoothed corpus BLEU on the official tokens,
on outputs a model actually produced rather than on texts the tests made up."""

from __future__ import annotations

import hashlib
import json

import pytest

from nl2code.metrics.text import conala_bleu, conala_tokenize, score_corpus, score_pairs

from helpers import ROOT, cli

CONALA_TEST = ROOT.parent / "shared" / "datasets" / "conala" / "conala-test.json"
OUTPUT = ROOT / "tests" / "data" / "conala" / "explainaboard-conala-baseline-output.json"
OUTPUT_SHA256 = "2f55f6840a63b93f5da4bc82fbf58f93a665f42129193c0f9813574c7ab1162d"


def references() -> list[str]:
    return [record["snippet"] for record in json.loads(CONALA_TEST.read_text())]


def predictions() -> list[str]:
    return [record["hypothesis"] for record in json.loads(OUTPUT.read_text())]


def test_the_stored_predictions_are_the_published_file():
    assert hashlib.sha256(OUTPUT.read_bytes()).hexdigest() == OUTPUT_SHA256
    assert len(OUTPUT.read_text()) == 32724  # the upstream file's length in characters
    assert len(predictions()) == len(references()) == 500


def _joined_tokens(text: str) -> str:
    return " ".join(conala_tokenize(text))


def test_conala_bleu_equals_unsmoothed_sacrebleu_on_the_official_tokens():
    """sacreBLEU with no tokenizer and no smoothing is corpus BLEU-4 as the official script defines
    it (clipped counts pooled over the corpus, brevity penalty on the total lengths); fed the
    official tokens it must give the value nl2code's own implementation gives, digit for digit."""
    import sacrebleu

    preds, refs = predictions(), references()
    ours = conala_bleu(preds, refs)
    theirs = sacrebleu.corpus_bleu([_joined_tokens(p) for p in preds], [[_joined_tokens(r) for r in refs]],
                                   tokenize="none", smooth_method="none", force=True)
    assert 100 * ours.bleu == pytest.approx(theirs.score, abs=1e-9)
    assert [100 * p for p in ours.precisions] == pytest.approx(theirs.precisions, abs=1e-9)
    assert (ours.hypothesis_length, ours.reference_length) == (theirs.sys_len, theirs.ref_len) == (7960, 9627)
    assert ours.brevity_penalty == pytest.approx(theirs.bp, abs=1e-12) and ours.brevity_penalty < 0.9
    assert score_corpus("conala-bleu", preds, refs).value == pytest.approx(33.908373, abs=1e-6)


def test_bleu_and_chrf_equal_sacrebleu_on_real_predictions():
    import sacrebleu

    preds, refs = predictions(), references()
    assert score_corpus("bleu", preds, refs).value == pytest.approx(sacrebleu.corpus_bleu(preds, [refs]).score, abs=0.01)
    assert score_corpus("chrf", preds, refs).value == pytest.approx(sacrebleu.corpus_chrf(preds, [refs]).score, abs=0.01)
    sentence = [sacrebleu.sentence_bleu(p, [r], use_effective_order=True).score for p, r in zip(preds, refs)]
    assert score_pairs("bleu", preds, refs) == pytest.approx(sentence, abs=0.01)


def test_exact_match_on_real_predictions_counts_whitespace_equal_pairs():
    preds, refs = predictions(), references()
    equal = sum(" ".join(p.split()) == " ".join(r.split()) for p, r in zip(preds, refs))
    assert equal == 21  # e.g. record 8, the join of ['a', 'b', 'c'], is reproduced exactly
    assert score_corpus("exact-match", preds, refs).value == pytest.approx(100 * equal / 500)


def test_score_text_reads_the_published_output_format(tmp_path):
    out = tmp_path / "scores.json"
    done = cli("score-text", "-p", str(OUTPUT), "-r", str(CONALA_TEST), "--metrics", "conala-bleu,bleu", "--json", str(out))
    assert done.returncode == 0, done.stderr
    metrics = json.loads(out.read_text())["text_metrics"]
    assert metrics["conala-bleu"]["value"] == pytest.approx(100 * conala_bleu(predictions(), references()).bleu, abs=1e-4)
    assert "33.91" in done.stdout


def test_score_text_field_reads_one_systems_column_of_a_side_by_side_file(tmp_path):
    """Published outputs of several systems often share one file, a field per system (as in
    JetBrains-Research/codegen-metrics); --field picks one, and a wrong name is an error listing
    the fields there are."""
    records = json.loads(CONALA_TEST.read_text())
    side_by_side = [{**record, "explainaboard": p, "reversed": p[::-1]} for record, p in zip(records, predictions())]
    both = tmp_path / "systems.json"
    both.write_text(json.dumps(side_by_side))
    lines = tmp_path / "systems.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in side_by_side))
    expected = 100 * conala_bleu(predictions(), references()).bleu
    for path in (both, lines):
        out = tmp_path / f"{path.suffix[1:]}.json"
        done = cli("score-text", "-p", str(path), "--field", "explainaboard", "-r", str(CONALA_TEST),
                   "--metrics", "conala-bleu", "--json", str(out))
        assert done.returncode == 0, done.stderr
        data = json.loads(out.read_text())
        assert data["field"] == "explainaboard"
        assert data["text_metrics"]["conala-bleu"]["value"] == pytest.approx(expected, abs=1e-4)
    other = cli("score-text", "-p", str(both), "--field", "reversed", "-r", str(CONALA_TEST), "--metrics", "conala-bleu")
    assert other.returncode == 0 and "33.91" not in other.stdout  # the other column, not the first string field
    wrong = cli("score-text", "-p", str(both), "--field", "explainaboardd", "-r", str(CONALA_TEST), "--metrics", "conala-bleu")
    assert wrong.returncode != 0
    assert "item 0 has no string field 'explainaboardd'" in wrong.stderr and "explainaboard, intent" in wrong.stderr
    plain = tmp_path / "p.txt"
    plain.write_text("x\n")
    refused = cli("score-text", "-p", str(plain), "--field", "text", "-r", str(plain), "--metrics", "exact-match")
    assert refused.returncode != 0 and "needs a .json or .jsonl file" in refused.stderr


def test_bleu_and_chrf_keep_sacrebleus_defaults_where_they_matter():
    """On 500 real pairs no n-gram order is without a match, so a changed smoothing would not show;
    on the real pairs that share no 4-gram with their reference it does. The signatures must be
    sacreBLEU's default ones, option for option."""
    import sacrebleu
    from sacrebleu.metrics import BLEU, CHRF

    preds, refs = predictions(), references()
    no_four_gram = [(p, r) for p, r in zip(preds, refs)
                    if sacrebleu.sentence_bleu(p, [r]).counts[3] == 0 and sacrebleu.sentence_bleu(p, [r]).counts[2] > 0][:40]
    assert len(no_four_gram) == 40
    sub_preds, sub_refs = [p for p, _ in no_four_gram], [r for _, r in no_four_gram]
    default = sacrebleu.corpus_bleu(sub_preds, [sub_refs])
    assert default.counts[3] == 0 < default.score  # exp smoothing at work
    assert score_corpus("bleu", sub_preds, sub_refs).value == pytest.approx(default.score, abs=0.01)
    for name, metric in (("bleu", BLEU()), ("chrf", CHRF())):
        metric.corpus_score(sub_preds, [sub_refs])
        assert score_corpus(name, sub_preds, sub_refs).details["signature"] == str(metric.get_signature())
