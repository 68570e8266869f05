"""Text-match metrics: CoNaLa's official BLEU pinned by its rules and hand-worked values, the
library-backed metrics against their libraries, CodeBLEU against the package's published examples
and its hash-seed determinism, and the `score-text` command."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nl2code.errors import InputError
from nl2code.metrics.text import TextOptions, conala_bleu, conala_tokenize, corpus_bleu, score_corpus, score_pairs

from helpers import ROOT, cli

SHARED = ROOT.parent / "shared"
CONALA_TEST = SHARED / "datasets" / "conala" / "conala-test.json"
CODET = SHARED / "samples" / "codet_humaneval_codegen16B"


def conala_snippets() -> list[str]:
    return [r["snippet"] for r in json.loads(CONALA_TEST.read_text())]


# -- CoNaLa's tokenizer: one case per rule of the official script --------------------------------

@pytest.mark.parametrize(("code", "tokens"), [
    # every character outside [A-Za-z0-9_] is its own token; whitespace only separates
    ("os.kill(os.getpid(), signal.SIGUSR1)", ["os", ".", "kill", "(", "os", ".", "getpid", "(", ")", ",", "signal", ".", "SIGUSR1", ")"]),
    ("a+=b**2", ["a", "+", "=", "b", "*", "*", "2"]),
    ("x_1 = y__z", ["x_1", "=", "y__z"]),
    # lower-case followed by upper-case splits (camelCase), upper-upper and digit-upper do not
    ("df.groupBy(x).toHTML()", ["df", ".", "group", "By", "(", "x", ")", ".", "to", "HTML", "(", ")"]),
    ("getElementById", ["get", "Element", "By", "Id"]),
    ("ABCdef 3D", ["ABCdef", "3D"]),
    # both quote characters become a backtick, so 'a' and "a" are the same tokens
    ("print('a')", ["print", "(", "`", "a", "`", ")"]),
    ('print("a")', ["print", "(", "`", "a", "`", ")"]),
    # newlines, tabs and runs of spaces are separators only; nothing is lower-cased
    ("for i in X:\n\tPrint(i)", ["for", "i", "in", "X", ":", "Print", "(", "i", ")"]),
    # a non-ASCII letter is not in [A-Za-z0-9_]: a token of its own
    ("héllo", ["h", "é", "llo"]),
    ("", []),
])
def test_conala_tokenizer_follows_the_official_rules(code, tokens):
    assert conala_tokenize(code) == tokens


# -- CoNaLa's corpus BLEU-4, worked out by hand from the definition --------------------------------

def test_conala_bleu_of_one_substituted_token_is_the_fourth_root_of_a_fifth():
    # p1 = 4/5, p2 = 3/4, p3 = 2/3, p4 = 1/2; product 1/5; equal lengths: BP = 1
    stats = corpus_bleu([["a", "b", "c", "d", "e"]], [[["a", "b", "c", "d", "f"]]])
    assert stats.precisions == pytest.approx((4 / 5, 3 / 4, 2 / 3, 1 / 2))
    assert stats.brevity_penalty == 1.0
    assert stats.bleu == pytest.approx(0.2 ** 0.25)  # 0.668740...


def test_conala_bleu_is_zero_without_any_four_gram_because_it_is_unsmoothed():
    # an exact match of 3 tokens: no 4-gram possible, p4 = 0, so BLEU = 0
    assert corpus_bleu([["a", "b", "c"]], [[["a", "b", "c"]]]).bleu == 0.0
    # Lin and Och's add-one smoothing (the option the script leaves off) gives 1
    assert corpus_bleu([["a", "b", "c"]], [[["a", "b", "c"]]], smooth=True).bleu == pytest.approx(1.0)


def test_conala_bleu_pools_counts_over_the_corpus_and_penalises_the_total_length():
    # pair 1: exact match of 4 tokens; pair 2: 2-token prefix of a 6-token reference.
    # p1 = (4+2)/(4+2), p2 = (3+1)/(3+1), p3 = 2/2, p4 = 1/1 (pair 2 has no 3- or 4-gram);
    # c = 6, r = 10: BP = exp(1 - 10/6)
    stats = corpus_bleu([list("abcd"), list("ab")], [[list("abcd")], [list("abcdef")]])
    assert stats.precisions == (1.0, 1.0, 1.0, 1.0)
    assert stats.brevity_penalty == pytest.approx(math.exp(1 - 10 / 6))
    assert stats.bleu == pytest.approx(0.513417, abs=1e-6)


def test_conala_bleu_clips_repeated_ngrams_to_the_reference_count():
    # hypothesis "a a a a" against "a b c d": one unigram match (clipped), p2..p4 = 0 -> 0
    stats = corpus_bleu([list("aaaa")], [[list("abcd")]])
    assert stats.precisions[0] == pytest.approx(1 / 4) and stats.bleu == 0.0


def test_conala_bleu_of_strings_uses_the_tokenizer():
    # only the quotes differ: the tokenizer maps both to a backtick, so the match is exact
    assert conala_bleu(["foo('bar', baz)"], ['foo("bar", baz)']).bleu == pytest.approx(1.0)
    assert score_corpus("conala-bleu", ["foo('bar', baz)"], ['foo("bar", baz)']).value == pytest.approx(100.0)


# -- sacreBLEU, chrF, ROUGE-L, exact match, edit similarity ----------------------------------------

def _predictions(references: list[str]) -> list[str]:
    """Real but imperfect predictions: each snippet with its second half replaced by the next one's."""
    shifted = references[1:] + references[:1]
    return [r[: len(r) // 2] + s[len(s) // 2:] for r, s in zip(references, shifted)]


def test_bleu_and_chrf_equal_sacrebleu_on_conala():
    import sacrebleu

    refs = conala_snippets()
    preds = _predictions(refs)
    bleu = score_corpus("bleu", preds, refs)
    chrf = score_corpus("chrf", preds, refs)
    assert bleu.value == pytest.approx(sacrebleu.corpus_bleu(preds, [refs]).score, abs=0.01)
    assert chrf.value == pytest.approx(sacrebleu.corpus_chrf(preds, [refs]).score, abs=0.01)
    assert 5 < bleu.value < 95 and 5 < chrf.value < 95  # an informative corpus, not 0 or 100
    assert bleu.library == f"sacrebleu {sacrebleu.__version__}" and "tok:13a" in bleu.details["signature"]
    pairs = score_pairs("bleu", preds[:20], refs[:20])
    expected = [sacrebleu.sentence_bleu(p, [r], use_effective_order=True).score for p, r in zip(preds[:20], refs[:20])]
    assert pairs == pytest.approx(expected, abs=0.01)


def test_rouge_l_is_rouge_score_and_the_code_variant_keeps_operators_and_non_ascii():
    from rouge_score import rouge_scorer

    refs = conala_snippets()[:50]
    preds = _predictions(refs)
    scorer = rouge_scorer.RougeScorer(["rougeL"])
    expected = sum(scorer.score(r, p)["rougeL"].fmeasure for p, r in zip(preds, refs)) / len(refs) * 100
    assert score_corpus("rouge-l", preds, refs).value == pytest.approx(expected, abs=1e-9)
    # rouge-score drops punctuation: "a + b" and "a - b" are identical to it, not to the code variant
    assert score_pairs("rouge-l", ["a + b"], ["a - b"]) == [pytest.approx(100.0)]
    assert score_pairs("rouge-l-code", ["a + b"], ["a - b"]) == [pytest.approx(100 * 2 / 3)]
    # a text of Cyrillic letters has no rouge-score token at all
    assert score_pairs("rouge-l", ["печать(имя)"], ["печать(имя)"]) == [0.0]
    assert score_pairs("rouge-l-code", ["печать(имя)"], ["печать(имя)"]) == [pytest.approx(100.0)]


def test_exact_match_normalises_whitespace_only():
    preds = ["x = 1\n", "return  a+b", "return a + b", "X = 1"]
    refs = ["x  =   1", "return a+b", "return a+b", "x = 1"]
    assert score_pairs("exact-match", preds, refs) == [100.0, 100.0, 0.0, 0.0]
    assert score_corpus("exact-match", preds, refs).value == 50.0


def test_edit_similarity_is_one_minus_normalised_levenshtein():
    # "kitten" -> "sitting": distance 3, longer length 7
    assert score_pairs("edit-sim", ["kitten", "", "abc"], ["sitting", "", "abc"]) == [pytest.approx(100 * (1 - 3 / 7)), 100.0, 100.0]


def test_mismatched_pair_counts_are_an_error():
    with pytest.raises(InputError, match="2 predictions but 1 references"):
        score_corpus("bleu", ["a", "b"], ["a"])


# -- CodeBLEU ----------------------------------------------------------------------------------

# the codebleu package's own published examples, with the values and tolerances it states: its
# README prints 0.5537 (4 digits, cut); its tests/test_codebleu.py compares with a relative 0.1
PUBLISHED = [
    (["def add ( a , b ) :\n return a + b"], ["def sum ( first , second ) :\n return second + first"], 0.5537, {"abs": 0.0001}),
    (["some rannnndom words in length more than 3"], ["def test ( ) :\n pass"], 0.25, {"rel": 0.1}),
    (["def bar ( y , x ) :\n    a = x * x\n    return a"], ["def foo ( x ) :\n    return x"], 0.4, {"rel": 0.1}),
    (["def foo ( x ) :\n    return x * x"], ["def bar ( x ) :\n    return x"], 0.6, {"rel": 0.1}),
    (["def bar ( x ) :\n    return x"], ["def foo ( x ) :\n    return x"], 0.8, {"rel": 0.1}),
    (["def foo ( x ) :\n    return x"], ["def foo ( x ) :\n    return x"], 1.0, {"rel": 0.1}),
    (["def foo ( x ) : pass"], ["def foo ( x ) : pass"], 1.0, {"abs": 0.01}),
]


@pytest.mark.parametrize(("preds", "refs", "published", "tolerance"), PUBLISHED)
def test_codebleu_equals_the_package_on_its_published_examples(preds, refs, published, tolerance):
    from codebleu import calc_codebleu

    ours = score_corpus("codebleu", preds, refs).value / 100
    assert ours == pytest.approx(published, **tolerance)
    # and the package itself, run here, to far better than 0.05
    assert ours == pytest.approx(calc_codebleu(refs, preds, "python")["codebleu"], abs=1e-9)


def test_codebleu_java_example_of_the_package():
    preds = ["public function foo ( x ) { return x }"]
    refs = ["public function bar ( y ) {\n   return y\n}"]
    assert score_corpus("codebleu", preds, refs, TextOptions(lang="java")).value / 100 == pytest.approx(0.6, rel=0.1)


def test_codebleu_of_the_codexglue_example_is_the_package_value_not_the_papers():
    # CodeXGLUE's example: the paper states 0.7238; the package (its tree-sitter parse has 19
    # reference sub-trees where the paper counted 21) gives 0.7019
    preds = ["public static int Sign ( double d ) { return ( float ) ( ( d == 0 ) ? 0 : ( c < 0.0 ) ? - 1 : 1) ; }"]
    refs = ["public static int Sign ( double d ) { return ( int ) ( ( d == 0 ) ? 0 : ( d < 0 ) ? - 1 : 1) ; }"]
    score = score_corpus("codebleu", preds, refs, TextOptions(lang="java"))
    assert score.value / 100 == pytest.approx(0.7019, abs=0.0001)
    assert score.details["syntax_match_score"] == pytest.approx(11 / 19, abs=0.0001)


def test_fixed_codebleu_keeps_a_zero_data_flow_and_drops_an_absent_one():
    package, fixed = TextOptions(), TextOptions(codebleu_fixed=True)
    # the reference has data flow (x -> y), the prediction none: the package counts 1, fixed 0
    preds, refs = ["print(2)"], ["x = 1\ny = x"]
    assert score_corpus("codebleu", preds, refs, package).details["dataflow_match_score"] == 0.0
    with_package = score_corpus("codebleu", preds, refs, package)
    with_fix = score_corpus("codebleu", preds, refs, fixed)
    parts = with_fix.details
    assert with_fix.value == pytest.approx(25 * (parts["ngram_match_score"] + parts["weighted_ngram_match_score"] + parts["syntax_match_score"]))
    assert with_package.value == pytest.approx(with_fix.value + 25.0)
    # no reference data flow at all: the component is left out and the rest renormalised
    preds, refs = ["some rannnndom words in length more than 3"], ["def test ( ) :\n pass"]
    parts = score_corpus("codebleu", preds, refs, fixed).details
    assert parts["dataflow_match_score"] is None and parts["dataflow_edges"] == 0
    expected = 100 * (parts["ngram_match_score"] + parts["weighted_ngram_match_score"] + parts["syntax_match_score"]) / 3
    assert score_corpus("codebleu", preds, refs, fixed).value == pytest.approx(expected)


def test_fixed_codebleu_weighted_ngrams_are_a_precision():
    # a prediction that is the reference plus extra tokens: full recall, lower precision
    refs = ["return x"]
    preds = ["return x + y + z + w"]
    package = score_corpus("codebleu", preds, refs).details["weighted_ngram_match_score"]
    fixed = score_corpus("codebleu", preds, refs, TextOptions(codebleu_fixed=True)).details["weighted_ngram_match_score"]
    assert package > fixed


def codet_first_samples(limit: int = 164) -> tuple[list[str], list[str]]:
    """The first CodeGen-16B sample of each HumanEval task (CodeT's release) and the canonical body."""
    by_prompt = {}
    with open(CODET / "HumanEval_for_code_generation.jsonl") as f:
        for line in f:
            record = json.loads(line)
            by_prompt[record["prompt"]] = record["canonical_solution"]
    preds, refs = [], []
    with open(CODET / "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl") as f:
        for line in f:
            record = json.loads(line)
            preds.append(record["samples"][0])
            refs.append(by_prompt[record["prompt"]])
    return preds[:limit], refs[:limit]


def _package_codebleu_under_seed(seed: str, preds, refs) -> float:
    code = "import json,sys; from codebleu import calc_codebleu; d=json.load(sys.stdin); print(calc_codebleu(d[1], d[0], 'python')['codebleu'])"
    done = subprocess.run([sys.executable, "-c", code], input=json.dumps([preds, refs]), capture_output=True, text=True,
                          env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
    return float(done.stdout)


def _nl2code_codebleu_under_seed(seed: str, preds, refs) -> float:
    code = ("import json,sys; from nl2code.metrics.text import score_corpus; d=json.load(sys.stdin); "
            "print(repr(score_corpus('codebleu', d[0], d[1]).value))")
    done = subprocess.run([sys.executable, "-c", code], input=json.dumps([preds, refs]), capture_output=True, text=True,
                          env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
    return float(done.stdout)


def test_codebleu_does_not_depend_on_the_hash_seed_although_the_package_does():
    preds, refs = codet_first_samples()
    package = {_package_codebleu_under_seed(seed, preds, refs) for seed in ("0", "1", "2", "3")}
    assert len(package) > 1, "the package's value should vary with PYTHONHASHSEED on these samples"
    ours = {_nl2code_codebleu_under_seed(seed, preds, refs) for seed in ("1", "3")}
    assert len(ours) == 1
    assert ours.pop() == pytest.approx(100 * _package_codebleu_under_seed("0", preds, refs), abs=1e-9)


# -- the command -------------------------------------------------------------------------------

def test_score_text_command_reads_files_and_records_definitions(tmp_path):
    refs = conala_snippets()
    preds = _predictions(refs)
    pred_file = tmp_path / "pred.jsonl"
    pred_file.write_text("".join(json.dumps({"text": p}) + "\n" for p in preds))
    out = tmp_path / "scores.json"
    done = cli("score-text", "-p", str(pred_file), "-r", str(CONALA_TEST), "--metrics", "conala-bleu,bleu,exact-match", "--json", str(out))
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    assert data["pairs"] == 500
    metrics = data["text_metrics"]
    assert metrics["conala-bleu"]["value"] == pytest.approx(100 * conala_bleu(preds, refs).bleu, abs=1e-4)
    assert "unsmoothed corpus BLEU-4" in metrics["conala-bleu"]["definition"]
    assert metrics["bleu"]["library"].startswith("sacrebleu ")
    # exact where the halves happen to coincide only
    expected = 100 * sum(" ".join(p.split()) == " ".join(r.split()) for p, r in zip(preds, refs)) / 500
    assert metrics["exact-match"]["value"] == pytest.approx(expected)


def test_score_text_plain_text_files_one_item_per_line(tmp_path):
    (tmp_path / "p.txt").write_text("x = 1\nprint(x)\n")
    (tmp_path / "r.txt").write_text("x = 1\nprint(y)\n")
    out = tmp_path / "s.json"
    done = cli("score-text", "-p", str(tmp_path / "p.txt"), "-r", str(tmp_path / "r.txt"), "-m", "exact-match", "--json", str(out))
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["text_metrics"]["exact-match"]["value"] == 50.0


def test_score_text_mismatched_counts_name_both_files_and_counts(tmp_path):
    (tmp_path / "p.txt").write_text("a\nb\nc\n")
    (tmp_path / "r.txt").write_text("a\nb\n")
    done = cli("score-text", "-p", str(tmp_path / "p.txt"), "-r", str(tmp_path / "r.txt"), "-m", "bleu")
    assert done.returncode == 2
    assert f"{tmp_path / 'p.txt'} has 3 predictions but {tmp_path / 'r.txt'} has 2 references" in done.stderr


def test_score_text_unknown_metric_and_bad_jsonl_are_named(tmp_path):
    (tmp_path / "p.jsonl").write_text('{"text": "a"}\n{"txt": "b"}\n')
    (tmp_path / "r.txt").write_text("a\nb\n")
    done = cli("score-text", "-p", str(tmp_path / "p.jsonl"), "-r", str(tmp_path / "r.txt"), "-m", "bleu")
    assert done.returncode == 2 and f"{tmp_path / 'p.jsonl'}:2: no string field 'text'" in done.stderr
    done = cli("score-text", "-p", str(tmp_path / "r.txt"), "-r", str(tmp_path / "r.txt"), "-m", "bleu,meteor")
    assert done.returncode == 2 and "--metrics 'bleu,meteor': unknown metric 'meteor'" in done.stderr


def test_a_missing_library_names_the_text_extra():
    # the interpreter is told sacrebleu cannot be imported, as where the extra is not installed
    code = ("import sys; sys.modules['sacrebleu'] = None; sys.modules['sacrebleu.metrics'] = None\n"
            "from nl2code.metrics.text import score_corpus\n"
            "try:\n    score_corpus('bleu', ['a'], ['a'])\nexcept Exception as exc:\n    print(exc)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'nl2code[text]'" in done.stdout and "sacrebleu" in done.stdout
