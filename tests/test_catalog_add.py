"""`nl2code catalog add`: from flags or prompts, it writes files that validate, or nothing at all."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nl2code.catalog import load_catalog, read_catalog

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(ROOT / "catalog", root)
    return root


def add(root: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nl2code", "catalog", "add", *args, "--path", str(root)],
                          input=stdin, capture_output=True, text=True, cwd=ROOT)


def test_add_model_from_flags_writes_a_valid_family_with_variants(catalog_copy):
    completed = add(catalog_copy, "model", "--name", "TinyCoder", "--org", "Acme", "--release-date", "2025-03-04",
                    "--architecture", "decoder-only", "--weights", "open", "--variant", "1.3B:acme/tinycoder-1.3b",
                    "--variant", "350M", "--no-interactive")
    assert completed.returncode == 0, completed.stderr
    path = catalog_copy / "models" / "tinycoder.yaml"
    assert path.read_text().startswith("# yaml-language-server: $schema=../schema/models.schema.json\n")
    assert yaml.safe_load(path.read_text())["variants"][0]["parameters"] == 1_300_000_000
    cat = load_catalog(catalog_copy)
    family = cat.get("tinycoder")
    assert family.open_weights and [v.id for v in family.variants] == ["tinycoder-1.3b", "tinycoder-350m"]
    assert cat.variants["tinycoder-1.3b"][1].huggingface == "acme/tinycoder-1.3b"


def test_add_model_refuses_a_name_already_taken_and_writes_nothing(catalog_copy):
    completed = add(catalog_copy, "model", "--id", "codex-again", "--name", "Codex", "--no-interactive")
    assert completed.returncode == 2
    assert "already used by 'codex'" in completed.stderr
    assert not (catalog_copy / "models" / "codex-again.yaml").exists()
    assert read_catalog(catalog_copy)[1] == []


def test_add_benchmark_interactively_asks_for_what_is_missing(catalog_copy):
    answers = "LoopBench\nhttps://example.org/loopbench\n120\ncode-exercise\nPython, Rust\n"
    completed = add(catalog_copy, "benchmark", "--interactive", stdin=answers)
    assert completed.returncode == 0, completed.stderr
    bench = load_catalog(catalog_copy).get("loopbench")
    assert bench.instances == 120 and bench.scenario == "code-exercise"
    assert bench.programming_languages == ["Python", "Rust"]


def test_add_result_appends_a_sourced_result_that_validates(catalog_copy):
    completed = add(catalog_copy, "result", "--model", "starcoder2-15b", "--benchmark", "mbpp-plus", "--k", "1",
                    "--value", "53.1", "--temperature", "0", "--greedy", "--source-title", "Example 2024, Table 9",
                    "--source-url", "https://example.org/paper", "--table", "Table 9", "--no-interactive")
    assert completed.returncode == 0, completed.stderr
    cat = load_catalog(catalog_copy)
    [result] = [r for r in cat.results if r.source.title == "Example 2024, Table 9"]
    assert result.model == "starcoder2-15b" and result.value == 53.1 and result.verified is False
    assert result.decoding.greedy is True and result.decoding.temperature == 0
    assert (catalog_copy / "results" / "contributed.yaml").exists()


def test_add_result_for_an_unknown_variant_fails_and_leaves_the_file_as_it_was(catalog_copy):
    first = add(catalog_copy, "result", "--model", "codex-12b", "--benchmark", "mbpp", "--k", "1", "--value", "1.0",
                "--source-title", "first", "--no-interactive")
    assert first.returncode == 0, first.stderr
    before = (catalog_copy / "results" / "contributed.yaml").read_text()
    second = add(catalog_copy, "result", "--model", "codex-13b", "--benchmark", "mbpp", "--k", "1", "--value", "1.0",
                 "--source-title", "second", "--no-interactive")
    assert second.returncode == 2
    assert "contributed.yaml" in second.stderr and "model variant 'codex-13b' does not exist" in second.stderr
    assert "did you mean 'codex-12b'" in second.stderr
    assert (catalog_copy / "results" / "contributed.yaml").read_text() == before


def test_add_result_without_required_flags_and_no_terminal_says_which_are_missing(catalog_copy):
    completed = add(catalog_copy, "result", "--model", "codex-12b", "--no-interactive")
    assert completed.returncode == 2
    assert "--benchmark" in completed.stderr and "--value" in completed.stderr
