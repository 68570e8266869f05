"""Catalog search: ranked, typo-tolerant, finds aliases and the companion site's post titles, filters."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nl2code.catalog import load_catalog
from nl2code.catalog._search import resolve, search

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def first(cat, query: str, **filters) -> str:
    hits = search(cat, query, **filters)
    assert hits, f"no hit for {query!r}"
    return hits[0].entity.id


@pytest.mark.parametrize(("query", "expected"), [
    ("starcder", "starcoder"),  # the example
    ("StarCoder", "starcoder"),
    ("santacodr", "santacoder"),
    ("codelama", "code-llama"),
    ("wizzardcoder", "wizardcoder"),
    ("humanevl", "humaneval"),
    ("deepsek coder v2", "deepseek-coder-v2"),
    ("qwen coder", "qwen2.5-coder"),
])
def test_a_typo_still_finds_the_entity_first(cat, query, expected):
    assert first(cat, query) == expected


@pytest.mark.parametrize(("query", "expected"), [
    ("MTP-7b", "mpt"),  # the site's misspelt post title, kept as an alias
    ("LAMDA", "lamda"),
    ("Qwen 2", "qwen2"),
    ("k@n", "n-at-k"),
    ("pass@1", "pass-at-k"),
    ("HumanEval Plus", "humaneval-plus"),
    ("AlphaCode 2 Technical Report", "alphacode-2"),
    ("CodeLlama-34B-Python", "code-llama"),  # a variant's name finds its family
])
def test_aliases_and_variant_names_are_searched(cat, query, expected):
    assert first(cat, query) == expected


def test_an_exact_name_outranks_longer_names_that_start_with_it(cat):
    ids = [h.entity.id for h in search(cat, "StarCoder", kind="model", limit=3)]
    assert ids[:2] == ["starcoder", "starcoder2"]


def test_kind_filter_keeps_only_that_kind(cat):
    hits = search(cat, "humaneval", kind="benchmark", limit=0)
    assert hits and {h.kind for h in hits} == {"benchmark"}
    assert hits[0].entity.id == "humaneval"
    assert "codex-2021" not in {h.entity.id for h in hits}  # the paper aliased HumanEval is left out


def test_year_filter_uses_release_or_publication_year(cat):
    hits = search(cat, "", kind="model", year=2022, limit=0)
    ids = {h.entity.id for h in hits}
    assert {"codegen", "incoder", "santacoder"} <= ids
    assert "starcoder2" not in ids and "codex" not in ids


def test_open_filter_keeps_only_open_weight_models(cat):
    hits = search(cat, "code", open_only=True, limit=0)
    ids = {h.entity.id for h in hits}
    assert "codex" not in ids and "alphacode" not in ids
    assert all(h.kind == "model" and h.entity.open_weights for h in hits)
    assert "starcoder2" in {h.entity.id for h in search(cat, "starcoder", open_only=True)}


def test_tag_filter(cat):
    hits = search(cat, "", tag="fill-in-the-middle", limit=0)
    assert {"starcoder2", "codestral", "code-llama"} <= {h.entity.id for h in hits}
    assert all("fill-in-the-middle" in h.entity.tags for h in hits)


def test_a_scenario_word_finds_benchmarks_of_that_scenario(cat):
    ids = {h.entity.id for h in search(cat, "repository-level", kind="benchmark", limit=0)}
    assert {"codereval", "deveval", "evocodebench"} <= ids


def test_nonsense_finds_nothing(cat):
    assert search(cat, "zzqxv") == []


def test_resolve_accepts_ids_names_aliases_and_variant_names(cat):
    assert resolve(cat, "starcoder2").id == "starcoder2"
    assert resolve(cat, "MTP-7b").id == "mpt"
    assert resolve(cat, "StarCoder2-15B").id == "starcoder2-15b"
    assert resolve(cat, "no such thing") is None


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nl2code", "catalog", *args], capture_output=True, text=True, cwd=ROOT)


def test_cli_json_output_is_a_ranked_list_of_id_name_kind():
    completed = run_cli("search", "starcder", "--json")
    assert completed.returncode == 0, completed.stderr
    hits = json.loads(completed.stdout)
    assert hits[0]["id"] == "starcoder" and hits[0]["name"] == "StarCoder" and hits[0]["kind"] == "model"
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_cli_filters_combine():
    completed = run_cli("search", "coder", "--kind", "model", "--year", "2024", "--open", "--json", "--limit", "0")
    assert completed.returncode == 0, completed.stderr
    hits = json.loads(completed.stdout)
    assert hits and all(h["kind"] == "model" and h["year"] == 2024 for h in hits)
    assert "opencoder" in {h["id"] for h in hits}


def test_cli_show_prints_the_entity_and_its_results():
    completed = run_cli("show", "HumanEval+", "--json")
    assert completed.returncode == 0, completed.stderr
    data = json.loads(completed.stdout)
    assert data["id"] == "humaneval-plus"
    assert data["results"] and all(r["benchmark"] == "humaneval-plus" for r in data["results"])


def test_cli_show_of_an_unknown_id_suggests_close_ones():
    completed = run_cli("show", "starcder2")
    assert completed.returncode == 1
    assert "starcoder2" in completed.stderr
