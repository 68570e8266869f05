"""Reproduced results: the repository's manifests, `nl2code reproduce` re-creating a record from the
released files, and the site showing published and reproduced numbers side by side."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from helpers import cli
from nl2code.benchmarks._data import sha256_file
from nl2code.catalog import load_catalog, to_dict
from nl2code.errors import InputError
from nl2code.reproduce import ReproductionError, default_dir, load_manifests, load_records, locate
from nl2code.reproduce._formats import CODET_STOP, codet_to_human_eval, truncate
from nl2code.site import build_site

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REPRODUCTIONS = ROOT / "reproductions"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_every_manifest_names_catalog_entries_and_the_published_figures_they_hold(catalog):
    manifests = load_manifests(REPRODUCTIONS)
    assert len(manifests) >= 2
    results = {r.id: r for r in catalog.results}
    figures = 0
    for m in manifests:
        assert m.model in catalog.variants, m.name
        assert catalog.get(m.benchmark) is not None, m.name
        for published in m.published:
            result = results[published.result]
            assert (result.model, result.benchmark, result.metric_label, result.value) == (m.model, m.benchmark, published.metric, published.value), m.name
            figures += 1
    assert figures >= 3


def test_the_released_files_are_the_pinned_ones(tmp_path):
    for m in load_manifests(REPRODUCTIONS):
        for file in filter(None, (m.generations, m.generations.prompts, m.dataset)):
            path = locate(file, [SHARED])
            assert sha256_file(path) == file.sha256 and path.is_relative_to(SHARED), file.path


def test_a_changed_released_file_is_refused_before_anything_runs(tmp_path):
    (m,) = [m for m in load_manifests(REPRODUCTIONS) if m.name == "pycodegpt-110m--pandaseval"]
    copy = tmp_path / m.generations.local
    copy.parent.mkdir(parents=True)
    copy.write_bytes((SHARED / m.generations.local).read_bytes().replace(b"df.dropna", b"df.fillna"))
    with pytest.raises(ReproductionError, match="is not the pinned"):
        locate(m.generations, [tmp_path])


def test_codet_generations_join_their_tasks_by_prompt_and_stop_where_codet_stops(tmp_path):
    folder = SHARED / "samples" / "codet_humaneval_codegen16B"
    out = tmp_path / "samples.jsonl"
    count = codet_to_human_eval(folder / "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl",
                                folder / "HumanEval_for_code_generation.jsonl", out)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert count == len(lines) == 16_400
    tasks = {line["task_id"] for line in lines}
    assert len(tasks) == 164 and all(sum(1 for x in lines if x["task_id"] == t) == 100 for t in ("HumanEval/0", "HumanEval/163"))
    assert not any(stop in line["completion"] for line in lines for stop in CODET_STOP)
    assert truncate("    return 1\nprint(x)\ndef g(): pass") == "    return 1"


def test_the_committed_records_were_measured_on_these_files(tmp_path):
    """Each record's samples hash is what converting the released file gives today."""
    records = {r["name"]: r for r in load_records(REPRODUCTIONS)}
    manifests = {m.name: m for m in load_manifests(REPRODUCTIONS)}
    assert set(records) == set(manifests)
    for name, record in records.items():
        m = manifests[name]
        from nl2code.reproduce._formats import CONVERTERS

        prompts = locate(m.generations.prompts, [SHARED]) if m.generations.prompts else None
        CONVERTERS[m.generations.format](locate(m.generations, [SHARED]), prompts, tmp_path / "s.jsonl")
        assert record["samples_sha256"] == sha256_file(tmp_path / "s.jsonl"), name
        assert record["generations"]["sha256"] == m.generations.sha256
        assert record["command"] == m.display_command()
        with gzip.open(REPRODUCTIONS / "results" / f"{name}-samples.csv.gz", "rt") as fh:
            verdicts = list(csv.DictReader(fh))
        assert len(verdicts) == record["samples"]
        assert sum(v["passed"] == "true" for v in verdicts) == record["status_counts"].get("passed", 0)
        assert sum(n for _, n, _ in record["per_problem"]) == record["samples"]


def test_reproduce_recreates_the_pandaseval_record_from_scratch(tmp_path):
    folder = tmp_path / "reproductions"
    folder.mkdir()
    shutil.copy(REPRODUCTIONS / "pycodegpt-110m--pandaseval.yaml", folder)
    result = cli("reproduce", "pycodegpt-110m--pandaseval", "--dir", str(folder), "--from", str(SHARED), "--db", str(tmp_path / "r.db"),
                 env={"NL2CODE_CACHE": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr
    assert "pass@1: published 6.93, nl2code 6.93, difference +0.00" in result.stdout
    (record,) = load_records(folder)
    committed = json.loads((REPRODUCTIONS / "results" / "pycodegpt-110m--pandaseval.json").read_text())
    for key in ("scores", "per_problem", "samples_sha256", "status_counts", "command", "generations"):
        assert record[key] == committed[key], key
    assert (folder / "results" / "pycodegpt-110m--pandaseval-samples.csv.gz").read_bytes() == \
        (REPRODUCTIONS / "results" / "pycodegpt-110m--pandaseval-samples.csv.gz").read_bytes()
    listed = cli("reproduce", "--list", "--dir", str(folder)).stdout
    assert "published: pass@1 6.93" in listed and "nl2code:   pass@1 6.93" in listed


def test_an_unknown_reproduction_name_is_refused_with_the_known_ones(tmp_path):
    result = cli("reproduce", "nope", "--dir", str(REPRODUCTIONS))
    assert result.returncode == 2 and "no reproduction nope" in result.stderr and "pycodegpt-110m--pandaseval" in result.stderr


def test_a_manifest_with_a_bad_field_names_its_file_and_line(tmp_path):
    text = (REPRODUCTIONS / "pycodegpt-110m--pandaseval.yaml").read_text().replace("sha256: bce8", "sha256: xyz")
    (tmp_path / "pycodegpt-110m--pandaseval.yaml").write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "sha256: xyz" in row)
    with pytest.raises(InputError, match=rf"pycodegpt-110m--pandaseval.yaml:{line}: generations.sha256"):
        load_manifests(tmp_path)


@pytest.fixture(scope="module")
def site(tmp_path_factory, catalog):
    out = tmp_path_factory.mktemp("repro-site") / "out"
    build_site(out, to_dict(catalog), reproductions=default_dir())
    return out


def test_the_site_shows_each_reproduced_number_beside_its_published_figure(site):
    html = (site / "reproductions.html").read_text()
    rows = re.findall(r'<tr data-reproduction="([^"]+)" data-metric="([^"]+)">(.*?)</tr>', html, re.S)
    compared = [(name, metric, body) for name, metric, body in rows if "none published" not in body]
    assert len(compared) >= 3
    records = {r["name"]: r for r in load_records(REPRODUCTIONS)}
    for name, metric, body in compared:
        record = records[name]
        (published,) = [p for p in record["published"] if p["metric"] == metric]
        value = record["scores"][metric]["value"]
        low, high = record["scores"][metric]["ci"]
        assert f"{published['value']:.1f}" in body and f"{value:.1f}" in body
        assert f"{value - published['value']:+.1f} [{low - published['value']:+.1f}, {high - published['value']:+.1f}]" in body
        assert f"nl2code reproduce {name}" in body and record["command"] in body
        assert record["generations"]["sha256"] in body and record["generations"]["commit"][:8] in body
        download = re.search(r'href="(data/reproductions/[^"]+-samples\.csv\.gz)"', body).group(1)
        with gzip.open(site / download, "rt") as fh:
            assert len(list(csv.DictReader(io.StringIO(fh.read())))) == record["samples"]


def test_a_leaderboard_row_carries_its_reproduction(site):
    rows = json.loads((site / "data/leaderboards/humaneval--pass-10.json").read_text())["rows"]
    (repro,) = [r for r in rows if r["reproduction"] == "codegen-16.1b-mono--humaneval--codet"]
    assert repro["published_value"] == 50.3 and repro["difference"] == pytest.approx(repro["value"] - 50.3, abs=1e-3)
    assert repro["generations_sha256"] == "239b84349993c19a98bc4bf96a9a9ac47908125b3242db72788471e6c58728d5"
    html = (site / "leaderboards/humaneval--pass-10.html").read_text()
    primary = re.search(r'<tr data-index="\d+"[^>]*data-model="codegen-mono 16.1b"[^>]*data-primary="1".*?</tr>', html, re.S).group(0)
    assert f'{repro["value"]:.1f} <span class="muted">(' in primary  # the nl2code column of the default row
    assert "nl2code reproduce codegen-16.1b-mono--humaneval--codet" in html
