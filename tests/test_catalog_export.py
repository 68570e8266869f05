"""Catalog export as JSON, CSV (one file per entity type) and SQLite, through the real CLI."""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from nl2code.catalog import load_catalog

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def export(*args: str) -> subprocess.CompletedProcess:
    completed = subprocess.run([sys.executable, "-m", "nl2code", "catalog", "export", *args],
                               capture_output=True, text=True, cwd=ROOT)
    assert completed.returncode == 0, completed.stderr
    return completed


def test_json_export_to_a_file_holds_every_entity_with_its_fields(tmp_path, cat):
    out = tmp_path / "catalog.json"
    export("--format", "json", "--out", str(out))
    data = json.loads(out.read_text())
    assert list(data) == ["models", "benchmarks", "papers", "metrics", "results"]
    assert len(data["models"]) == len(cat.models) and len(data["results"]) == len(cat.results)
    codex = next(m for m in data["models"] if m["id"] == "codex")
    assert codex["kind"] == "model" and codex["open_weights"] is False
    assert {v["id"] for v in codex["variants"]} >= {"codex-12b", "code-davinci-002"}
    result = next(r for r in data["results"] if r["id"] == "codex-12b--humaneval--pass1")
    assert result["metric_label"] == "pass@1" and result["family"] == "codex" and result["value"] == 28.81
    assert result["name"] == "Codex 12B · HumanEval · pass@1"
    assert result["source"]["url"].startswith("https://github.com/microsoft/PyCodeGPT/blob/")


def test_csv_export_writes_one_file_per_entity_type(tmp_path, cat):
    folder = tmp_path / "csv"
    export("--format", "csv", "--out", str(folder))
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["models.csv", "variants.csv", "benchmarks.csv", "papers.csv", "metrics.csv", "results.csv"])
    with (folder / "results.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(cat.results)
    row = next(r for r in rows if r["id"] == "codex-12b--humaneval--pass1")
    assert row["source.kind"] == "repository" and float(row["value"]) == 28.81
    with (folder / "variants.csv").open() as handle:
        variants = {r["id"]: r for r in csv.DictReader(handle)}
    assert variants["codegen-16.1b-mono"]["family"] == "codegen" and variants["codegen-16.1b-mono"]["layers"] == "34"
    with (folder / "benchmarks.csv").open() as handle:
        bench = {r["id"]: r for r in csv.DictReader(handle)}
    assert bench["multipl-humaneval"]["programming_languages"].startswith("Python; Bash")
    assert "JavaScript" in bench["multipl-humaneval"]["programming_languages"]


def test_sqlite_export_has_a_table_per_entity_type_that_sql_can_join(tmp_path, cat):
    db = tmp_path / "catalog.sqlite"
    export("--format", "sqlite", "--out", str(db))
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert tables == {"models", "variants", "benchmarks", "papers", "metrics", "results"}
        assert conn.execute("SELECT count(*) FROM results").fetchone()[0] == len(cat.results)
        best = conn.execute(
            "SELECT v.name, r.value FROM results r JOIN variants v ON v.id = r.model "
            "WHERE r.benchmark = 'humaneval' AND r.metric_label = 'pass@100' ORDER BY r.value DESC LIMIT 1").fetchone()
    assert best == ("code-davinci-002", 92.1)


def test_csv_and_sqlite_need_an_output_path():
    completed = subprocess.run([sys.executable, "-m", "nl2code", "catalog", "export", "--format", "csv"],
                               capture_output=True, text=True, cwd=ROOT)
    assert completed.returncode == 2 and "--out" in completed.stderr
