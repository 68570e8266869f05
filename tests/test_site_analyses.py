"""The Charts page's analyses, built from a real SQLite store (a temperature analysis naming its two
runs, a CodeT reranking) and drawn in real headless Chromium; the size chart's family lines."""

from __future__ import annotations

import csv
import io
import json

import pytest

from nl2code.analyses import analyses_from_store, save_analysis, temperature_rows
from nl2code.benchmarks import load
from nl2code.catalog import load_catalog, to_dict
from nl2code.records import Execution, Sample, Status
from nl2code.site import build_site
from nl2code.site._charts import family_lines
from nl2code.site._runs import runs_from_store
from nl2code.store import open_store
from test_site_browser import _serve, browser, open_charts  # noqa: F401 - `browser` is a fixture
from test_site_build import write_catalog, write_store


def _run(store, run_id: str, verdicts: dict[str, list[bool]], temperature: float) -> None:
    """A complete run with these per-sample verdicts, generated at this temperature (its spec says so)."""
    store.create_run(
        id=run_id, kind="run", fingerprint=run_id.ljust(64, "0"), benchmark="humaneval", benchmark_version="1.0", data_sha256="a" * 64,
        dataset_path="HumanEval.jsonl.gz", samples_path=f"/tmp/{run_id}.jsonl", samples_sha256="c" * 64, samples_format="nl2code-generate",
        model="canned", n_samples=sum(map(len, verdicts.values())), n_problems=len(verdicts), nl2code_version="0.1.0", settings={}, machine={},
        spec={"generation": {"backend": {"backend": "openai"}, "model": "canned", "temperature": temperature, "top_p": 0.95, "n": 2}},
    )
    batch, index = [], 0
    for task, oks in verdicts.items():
        for sample_id, ok in enumerate(oks):
            batch.append((Execution(task, sample_id, index, Status.PASSED if ok else Status.FAILED), Sample(task, sample_id, index, "x")))
            index += 1
    store.add_executions(run_id, batch)
    store.update_run(run_id, status="complete")


def write_analyses(db) -> tuple[str, str]:
    """Two temperature runs, the stored analysis over them, and a stored CodeT reranking."""
    store = open_store(str(db))
    _run(store, "run-t02", {"HumanEval/0": [True, True], "HumanEval/1": [False, False]}, 0.2)
    _run(store, "run-t10", {"HumanEval/0": [True, False], "HumanEval/1": [False, True]}, 1.0)
    summaries = [
        (0.2, {"run_id": "run-t02", "problems": 2, "samples": 4, "pass_at_k": {"pass@1": 0.5, "pass@2": 0.5}, "pass_at_k_ci": {"pass@1": [0.0, 1.0], "pass@2": [0.0, 1.0]}}),
        (1.0, {"run_id": "run-t10", "problems": 2, "samples": 4, "pass_at_k": {"pass@1": 0.5, "pass@2": 1.0}, "pass_at_k_ci": {"pass@1": [0.5, 0.5], "pass@2": [1.0, 1.0]}}),
    ]
    inputs = {"model": "canned", "benchmark": "humaneval", "n": 2, "temperatures": [0.2, 1.0], "ks": [1, 2]}
    analysis = save_analysis(store, "temperature", inputs, temperature_rows(summaries, [1, 2]), benchmark=load("humaneval"), model="canned")
    rerank = store.create_run(
        id="rerank-1", kind="rerank", fingerprint="r" * 64, benchmark="humaneval", benchmark_version="1.0", data_sha256="a" * 64,
        dataset_path="", samples_path="/tmp/tests.jsonl", samples_sha256="d" * 64, samples_format="generated-tests", model="CodeGen-16B",
        n_samples=3, n_problems=2, nl2code_version="0.1.0", settings={"source_run": "run-t10", "method": "codet"}, machine={},
        summary={"reranked": {"pass@1": 0.75}, "baseline": {"pass@1": 0.5}, "checks": 12, "seconds": 1.5, "method": "codet", "source_run": "run-t10"},
    )
    store.update_run(rerank, status="complete")
    return analysis, rerank


@pytest.fixture(scope="module")
def analyses_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("analyses-site")
    catalog = to_dict(load_catalog(write_catalog(root / "catalog")))
    db = root / "runs.db"
    write_store(db)
    analysis, rerank = write_analyses(db)
    runs = runs_from_store(str(db))
    build_site(root / "out", catalog, runs, analyses=analyses_from_store(str(db)))
    return root / "out", analysis, runs


def test_analyses_and_rerankings_are_charted_with_their_data_and_are_not_listed_as_runs(analyses_site):
    out, analysis, runs = analyses_site
    assert {r.id for r in runs} == {"run-linked", "run-t02", "run-t10"}  # the derived records are not model runs
    assert {r.id: (r.temperature, r.top_p) for r in runs if r.id != "run-linked"} == {"run-t02": (0.2, 0.95), "run-t10": (1.0, 0.95)}  # from the spec
    html = (out / "charts.html").read_text()
    assert f'id="chart-analysis-{analysis}"' in html and 'id="chart-rerank"' in html
    assert f'href="data/analyses/{analysis}.csv" download' in html
    rows = list(csv.DictReader(io.StringIO((out / "data" / "analyses" / f"{analysis}.csv").read_text())))
    assert [(r["temperature"], r["metric"], float(r["value"]), r["run"]) for r in rows] == [
        ("0.2", "pass@1", 50.0, "run-t02"), ("0.2", "pass@2", 50.0, "run-t02"), ("1.0", "pass@1", 50.0, "run-t10"), ("1.0", "pass@2", 100.0, "run-t10"),
    ]
    stored = json.loads((out / "data" / "analyses" / f"{analysis}.json").read_text())
    assert stored["summary"]["rows"][1]["run_id"] == "run-t10"
    assert (out / "runs" / "run-t10.html").is_file() and (out / "data" / "runs" / "run-t10-samples.csv").is_file()  # per-sample results
    rerank = list(csv.DictReader(io.StringIO((out / "data" / "analyses" / "rerank.csv").read_text())))
    assert [(r["kind"], float(r["value"]), r["checks"]) for r in rerank] == [("reranked", 75.0, "12"), ("unranked", 50.0, "12")]


def test_family_lines_join_published_sizes_of_the_named_families_only():
    points = [
        {"family": "codegen", "parameters": 16e9, "value": 29.3, "provenance": "published", "model": "CodeGen-16B", "size": "16B"},
        {"family": "codegen", "parameters": 0.35e9, "value": 12.8, "provenance": "published", "model": "CodeGen-350M", "size": "350M"},
        {"family": "codegen", "parameters": 0.35e9, "value": 12.5, "provenance": "reproduced", "model": "CodeGen-350M", "size": "350M"},
        {"family": "codegen", "parameters": 16e9, "value": 20.0, "provenance": "published", "model": "CodeGen-16B-multi", "size": "16B"},
        {"family": "starcoder", "parameters": 15.5e9, "value": 33.6, "provenance": "published", "model": "StarCoder", "size": "15.5B"},
        {"family": "santacoder", "parameters": 1.1e9, "value": 14.0, "provenance": "published", "model": "SantaCoder", "size": "1.1B"},
        {"family": "santacoder", "parameters": 2e9, "value": 15.0, "provenance": "published", "model": "SantaCoder-2", "size": "2B"},
        {"family": "starcoder2", "parameters": 3e9, "value": 31.7, "provenance": "published", "model": "StarCoder2-3B", "size": "3B"},
        {"family": "starcoder2", "parameters": 15e9, "value": 46.3, "provenance": "published", "model": "StarCoder2-15B", "size": "15B"},
    ]
    lines = family_lines(points)
    # CodeGen: two sizes, the best published number of each; StarCoder has one size; SantaCoder is not a named family
    assert [(p["family_name"], p["parameters"], p["value"]) for p in lines] == [
        ("CodeGen", 0.35e9, 12.8), ("CodeGen", 16e9, 29.3), ("StarCoder2", 3e9, 31.7), ("StarCoder2", 15e9, 46.3)]


@pytest.mark.browser
def test_charts_page_draws_each_analysis_from_the_stored_runs_in_chromium(analyses_site, browser):

    out, analysis, _ = analyses_site
    server, url = _serve(out)
    try:
        page = open_charts(browser, url)
        temperature = page.locator(f"#chart-analysis-{analysis} svg")
        assert temperature.locator("g.intervals_marks > line, g.intervals_marks > path").count() == 4  # one interval per (temperature, k)
        assert temperature.locator("g.points_marks > path").count() == 2  # a line per k
        assert page.locator("#chart-rerank svg g.points_marks > path").count() == 2  # reranked and unranked bars
        size = page.locator("#chart-size-humaneval--pass-1 svg g.families_marks > path")
        assert size.count() == 3  # Codex, CodeGen and StarCoder2 have two sizes each in the fixture catalog
        with page.expect_download() as download:
            page.click(f'a[href="data/analyses/{analysis}.csv"]')
        assert "pass@2" in download.value.path().read_text()
        page.close()
    finally:
        server.shutdown()
        server.server_close()
