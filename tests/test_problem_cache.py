"""The disk cache of parsed problems gives exactly what a fresh parse gives, and never a stale one."""

from __future__ import annotations

import json
import logging
import math
import shutil
import sys

import pytest

from helpers import DATASETS, MBPP, MBPP_SANITIZED
from nl2code.benchmarks import _problem_cache, humaneval, mbpp, pycodegpt
from nl2code.records import Problem, TestStep

PYCODEGPT = DATASETS / "pycodegpt_library_evals"


def same(a, b) -> bool:
    """Equal and of the same types all the way down (1, 1.0 and True are not the same expected
    value here), NaN equal to NaN, -0.0 not the same as 0.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (Problem, TestStep)):
        return all(same(getattr(a, f), getattr(b, f)) for f in a.__slots__)
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, complex):
        return same(a.real, b.real) and same(a.imag, b.imag)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) and same(k, next(j for j in b if j == k)) for k in a)
    if isinstance(a, (set, frozenset)):
        return a == b and sorted(map(repr, a)) == sorted(map(repr, b))
    return a == b


# (benchmark, load(dataset) -> (version, digest, path, problems), module, its parse function, fresh parse, dataset)
LOADERS = {
    "humaneval": (humaneval.load, humaneval, "parse", lambda path, digest: humaneval.parse(path, digest), None),
    "mbpp": (mbpp.load_full, mbpp, "parse_full", lambda path, digest: mbpp.parse_full(path, digest), MBPP),
    "mbpp-sanitized": (mbpp.load_sanitized, mbpp, "parse_sanitized", lambda path, digest: mbpp.parse_sanitized(path, digest), MBPP_SANITIZED),
    "pandaseval": (lambda d: pycodegpt.load("pandaseval", d), pycodegpt, "parse", lambda path, digest: pycodegpt.parse("pandaseval", path, digest)[0], PYCODEGPT / "PandasEval.jsonl.gz"),
    "numpyeval": (lambda d: pycodegpt.load("numpyeval", d), pycodegpt, "parse", lambda path, digest: pycodegpt.parse("numpyeval", path, digest)[0], PYCODEGPT / "NumpyEval.jsonl.gz"),
}


@pytest.fixture
def cache(tmp_path, monkeypatch):
    directory = tmp_path / "problems"
    monkeypatch.setenv("NL2CODE_PROBLEM_CACHE", str(directory))
    return directory


def counting(monkeypatch, module, name) -> list:
    """Count the calls of module.<name> (the loader's parse)."""
    calls = []
    original = getattr(module, name)

    def parse(*args):
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(module, name, parse)
    return calls


@pytest.mark.parametrize("name", list(LOADERS))
def test_a_cached_load_is_exactly_a_fresh_parse(name, cache, monkeypatch):
    if name in ("pandaseval", "numpyeval"):
        pytest.importorskip("pandas")
    load, module, parse_name, fresh, dataset = LOADERS[name]
    calls = counting(monkeypatch, module, parse_name)
    _, digest, path, first = load(dataset)
    assert len(calls) == 1 and len(list(cache.glob(f"{name}-*.marshal"))) == 1
    _, _, _, cached = load(dataset)
    assert len(calls) == 1, "the second load parses again instead of reading the cache"
    reference = fresh(path, digest)
    assert len(cached) == len(reference) > 100
    assert cached == reference and same(cached, reference)
    assert same(first, reference)


def test_warnings_about_the_data_are_logged_on_a_cached_load_too_with_the_path_given(cache, tmp_path, caplog):
    pytest.importorskip("pandas")
    copy = tmp_path / "PandasEval.jsonl.gz"
    shutil.copy(PYCODEGPT / "PandasEval.jsonl.gz", copy)
    for dataset in (PYCODEGPT / "PandasEval.jsonl.gz", copy):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="nl2code.benchmarks"):
            pycodegpt.load("pandaseval", dataset)
        assert f"{dataset}: PandasEval/36: its test code does not compile" in caplog.text


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: b"",
        lambda blob: blob[: len(blob) // 2],  # truncated
        lambda blob: blob.replace(b"similar_elements", b"similar_elementr", 1),  # still decodes, wrongly
        lambda blob: b"not a cache entry at all",
    ],
    ids=["empty", "truncated", "one-byte", "garbage"],
)
def test_a_corrupt_entry_is_parsed_again_and_rewritten(damage, cache, monkeypatch):
    calls = counting(monkeypatch, mbpp, "parse_sanitized")
    _, digest, path, reference = mbpp.load_sanitized(MBPP_SANITIZED)
    (entry,) = cache.glob("mbpp-sanitized-*.marshal")
    entry.write_bytes(damage(entry.read_bytes()))
    problems = mbpp.load_sanitized(MBPP_SANITIZED)[3]
    assert len(calls) == 2 and same(problems, reference)
    assert mbpp.load_sanitized(MBPP_SANITIZED)[3] == reference and len(calls) == 2, "the entry was not rewritten"
    assert [p.name for p in cache.iterdir()] == [entry.name], "a temporary file was left behind"


def test_an_unwritable_cache_never_fails_a_load(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("NL2CODE_PROBLEM_CACHE", str(blocker / "problems"))
    assert len(mbpp.load_sanitized(MBPP_SANITIZED)[3]) == 427


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("NL2CODE_PROBLEM_CACHE", "off")
    monkeypatch.setenv("NL2CODE_CACHE", str(tmp_path))
    calls = counting(monkeypatch, mbpp, "parse_sanitized")
    mbpp.load_sanitized(MBPP_SANITIZED)
    mbpp.load_sanitized(MBPP_SANITIZED)
    assert len(calls) == 2 and not any(tmp_path.iterdir())


def test_without_an_override_the_cache_is_next_to_the_data_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("NL2CODE_PROBLEM_CACHE")
    monkeypatch.setenv("NL2CODE_CACHE", str(tmp_path))
    mbpp.load_sanitized(MBPP_SANITIZED)
    assert len(list((tmp_path / "problems").glob("mbpp-sanitized-*.marshal"))) == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.setattr(_problem_cache, "PARSER_VERSION", _problem_cache.PARSER_VERSION + 1),
        lambda m: m.setattr(_problem_cache, "__version__", _problem_cache.__version__ + ".post1"),
        lambda m: m.setattr(_problem_cache, "_source_digest", "0" * 64),  # an edit of the parsing code
        lambda m: m.setattr(sys, "version_info", (*sys.version_info[:1], sys.version_info[1] + 1, *sys.version_info[2:])),
    ],
    ids=["parser-version", "nl2code-version", "parser-source", "python-version"],
)
def test_a_change_of_any_key_input_parses_again(change, cache, monkeypatch):
    calls = counting(monkeypatch, mbpp, "parse_sanitized")
    mbpp.load_sanitized(MBPP_SANITIZED)
    mbpp.load_sanitized(MBPP_SANITIZED)
    assert len(calls) == 1
    change(monkeypatch)
    mbpp.load_sanitized(MBPP_SANITIZED)
    assert len(calls) == 2
    assert len(list(cache.glob("mbpp-sanitized-*.marshal"))) == 1, "the stale entry was not removed"


def test_the_source_digest_covers_the_step_parser_and_the_records():
    import nl2code.benchmarks._steps
    import nl2code.records

    _problem_cache._source_digest = None
    before = _problem_cache.source_digest()
    assert _problem_cache.source_digest() == before
    hashed = {p.name for p in _problem_cache.source_files()}
    for module in (nl2code.benchmarks._steps, nl2code.records, humaneval, mbpp, pycodegpt, _problem_cache):
        assert module.__file__.rsplit("/", 1)[1] in hashed


def test_without_the_parsing_code_to_hash_there_is_no_cache(cache, monkeypatch):
    def no_sources():
        raise FileNotFoundError("no Python sources")

    monkeypatch.setattr(_problem_cache, "_source_digest", None)
    monkeypatch.setattr(_problem_cache, "source_files", no_sources)
    calls = counting(monkeypatch, mbpp, "parse_sanitized")
    assert len(mbpp.load_sanitized(MBPP_SANITIZED)[3]) == len(mbpp.load_sanitized(MBPP_SANITIZED)[3]) == 427
    assert len(calls) == 2 and not cache.exists()


def test_a_changed_data_file_is_parsed_not_served_from_the_cache(cache, tmp_path, monkeypatch):
    mbpp.load_sanitized(MBPP_SANITIZED)
    records = json.loads(MBPP_SANITIZED.read_text())
    records[0]["test_list"][0] = records[0]["test_list"][0].replace("==", "!=", 1)
    edited = tmp_path / "sanitized-mbpp.json"
    edited.write_text(json.dumps(records))
    original = mbpp.load_sanitized(MBPP_SANITIZED)[3]
    _, digest, _, problems = mbpp.load_sanitized(edited)
    assert digest != mbpp.SANITIZED.sha256
    assert problems[0].steps[0] != original[0].steps[0] and problems[0].steps[0].comparison.value == "not_equal"
    assert problems[1:] != original[1:]  # each problem records its data's sha256
    assert len(list(cache.glob("mbpp-sanitized-*.marshal"))) == 2


def test_an_entry_stored_under_another_key_is_not_used(cache, monkeypatch):
    calls = counting(monkeypatch, mbpp, "parse_sanitized")
    mbpp.load_sanitized(MBPP_SANITIZED)
    (entry,) = cache.glob("mbpp-sanitized-*.marshal")
    monkeypatch.setattr(_problem_cache, "PARSER_VERSION", _problem_cache.PARSER_VERSION + 1)
    # the old entry renamed to the new key's file name: its stored key still says it is stale
    new = _problem_cache.entry_path(cache, "mbpp-sanitized", mbpp.SANITIZED.sha256, _problem_cache.cache_key("mbpp-sanitized", mbpp.SANITIZED.sha256))
    entry.rename(new)
    mbpp.load_sanitized(MBPP_SANITIZED)
    assert len(calls) == 2
