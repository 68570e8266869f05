"""The repository's analyses folder: stored analyses exported from a real SQLite store (a
temperature analysis, partial then complete, and a text-vs-exec analysis over real per-sample
scores), read back with their hashes checked, and charted by a site built without any store, in
real headless Chromium. Bad manifests are errors naming the file and line."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys

import pytest
import yaml

from nl2code.analyses import analyses_from_store, save_analysis, temperature_rows
from nl2code.analysis_files import export, load_analyses, read_rows
from nl2code.benchmarks import load
from nl2code.catalog import load_catalog, to_dict
from nl2code.metrics.text._analysis import separation
from nl2code.site import build_site
from nl2code.store import open_store
from test_site_analyses import _run
from test_site_browser import _serve, browser, open_charts  # noqa: F401 - `browser` is a fixture
from test_site_build import write_catalog

VERDICTS_T02 = {"HumanEval/0": [True, True], "HumanEval/1": [False, False]}
VERDICTS_T10 = {"HumanEval/0": [True, False], "HumanEval/1": [False, True]}
SCORES = {0: 90.0, 1: 20.0, 2: 30.0, 3: 80.0}  # run-t10's samples: the passing ones (0 and 3) score higher


def _summary(run_id: str, verdicts: dict[str, list[bool]]) -> dict:
    rates = [sum(v) / len(v) for v in verdicts.values()]
    any_pass = [float(any(v)) for v in verdicts.values()]
    return {"run_id": run_id, "problems": len(verdicts), "samples": 4, "pass_at_k": {"pass@1": sum(rates) / 2, "pass@2": sum(any_pass) / 2},
            "pass_at_k_ci": {"pass@1": [0.0, 1.0], "pass@2": [0.0, 1.0]}}


def write_store(db) -> tuple[str, str]:
    """Two runs at two temperatures; the temperature analysis stored partial (only T=0.2 done),
    and a text-vs-exec analysis of run-t10 over its stored per-sample scores."""
    store = open_store(str(db))
    _run(store, "run-t02", VERDICTS_T02, 0.2)
    _run(store, "run-t10", VERDICTS_T10, 1.0)
    inputs = {"model": "/models/canned.gguf", "benchmark": "humaneval", "n": 2, "temperatures": [0.2, 1.0], "ks": [1, 2]}
    temperature = save_analysis(store, "temperature", inputs, temperature_rows([(0.2, _summary("run-t02", VERDICTS_T02))], [1, 2]),
                                benchmark=load("humaneval"), model="/models/canned.gguf", command="nl2code analyze temperature ...", pending=[1.0])
    store.add_text_scores("run-t10", "bleu", SCORES)
    by_task = {"HumanEval/0": [(90.0, True), (20.0, False)], "HumanEval/1": [(30.0, False), (80.0, True)]}
    rows = [{"metric": "bleu", **separation("bleu", by_task, bootstrap=50).as_dict()}]
    text = save_analysis(store, "text-vs-exec", {"run": "run-t10", "bootstrap": 50, "seed": 0}, rows, benchmark=load("humaneval"), model="canned",
                         command="nl2code analyze text-vs-exec run-t10")
    return temperature, text


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("analysis-files")
    db = root / "runs.db"
    temperature, text = write_store(db)
    folder = root / "analyses"
    store = open_store(str(db))
    export(store, temperature, folder, "canned--humaneval--temperature", title="Temperature (canned)",
           commands=["nl2code analyze temperature -m canned ..."], note="T=1.0 still running")
    export(store, text, folder, "canned--humaneval--text-vs-exec")
    catalog = to_dict(load_catalog(write_catalog(root / "catalog")))
    build_site(root / "out", catalog, [], analyses=load_analyses(folder))  # no store: the folder alone
    return root, folder, temperature, text


def test_an_export_writes_a_manifest_and_per_sample_data_that_read_back_the_store(exported):
    root, folder, temperature, text = exported
    manifest = yaml.safe_load((folder / "canned--humaneval--temperature.yaml").read_text())
    assert manifest["kind"] == "temperature" and manifest["partial"] is True and manifest["record"]["summary"]["pending"] == [1.0]
    assert manifest["commands"] == ["nl2code analyze temperature -m canned ...", f"nl2code analyze export {temperature} --db DB --name canned--humaneval--temperature"]
    (entry,) = manifest["data"]
    path = folder / entry["path"]
    assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() and entry["rows"] == 4
    rows = list(read_rows(path))
    assert [(r["temperature"], r["task_id"], r["sample"], r["passed"]) for r in rows] == [
        (0.2, "HumanEval/0", 0, True), (0.2, "HumanEval/0", 1, True), (0.2, "HumanEval/1", 0, False), (0.2, "HumanEval/1", 1, False)]
    text_rows = list(read_rows(folder / "data" / "canned--humaneval--text-vs-exec-samples.jsonl.gz"))
    assert [(r["passed"], r["scores"]) for r in text_rows] == [(True, {"bleu": 90.0}), (False, {"bleu": 20.0}), (False, {"bleu": 30.0}), (True, {"bleu": 80.0})]
    loaded = {a["id"]: a for a in load_analyses(folder)}
    assert loaded[text]["summary"]["rows"][0]["roc_auc"] == 1.0 and loaded[temperature]["partial"] is True


def test_a_site_built_without_a_store_charts_the_exported_analyses_with_their_data(exported):
    root, folder, temperature, text = exported
    html = (root / "out" / "charts.html").read_text()
    assert f'id="chart-analysis-{temperature}"' in html and f'id="chart-analysis-{text}"' in html
    assert "Temperature vs pass@k: canned.gguf on humaneval (partial: 1 of 2 temperatures)" in html and "Still to run: T=1." in html
    assert 'href="data/analyses/canned--humaneval--temperature-samples.jsonl.gz" download' in html
    assert "nl2code analyze temperature -m canned ..." in html and "T=1.0 still running" in html
    copied = root / "out" / "data" / "analyses" / "canned--humaneval--text-vs-exec-samples.jsonl.gz"
    assert copied.read_bytes() == (folder / "data" / copied.name).read_bytes()
    auc = list(csv.DictReader(io.StringIO((root / "out" / "data" / "analyses" / f"{text}.csv").read_text())))
    assert [(r["metric"], r["measure"], float(r["value"])) for r in auc] == [("bleu", "ROC AUC", 1.0), ("bleu", "within-problem AUC", 1.0)]


def test_a_store_given_with_the_folder_updates_an_exported_analysis_and_keeps_its_data_files(exported, tmp_path):
    import sqlite3

    root, folder, temperature, _ = exported
    db = tmp_path / "runs.db"
    with sqlite3.connect(root / "runs.db") as source, sqlite3.connect(db) as copy:
        source.backup(copy)  # the store the analysis was exported from, where it then finishes
    store = open_store(str(db))
    rows = temperature_rows([(0.2, _summary("run-t02", VERDICTS_T02)), (1.0, _summary("run-t10", VERDICTS_T10))], [1, 2])
    inputs = {"model": "/models/canned.gguf", "benchmark": "humaneval", "n": 2, "temperatures": [0.2, 1.0], "ks": [1, 2]}
    assert save_analysis(store, "temperature", inputs, rows, benchmark=load("humaneval"), model="/models/canned.gguf") == temperature  # now complete
    done = _cli("site", "build", "--out", str(tmp_path / "out"), "--db", str(db), "--analyses", str(folder), "--catalog", str(root / "catalog"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "out" / "charts.html").read_text()
    assert html.count(f'id="chart-analysis-{temperature}"') == 1 and "partial: 1 of 2" not in html  # the store's newer record, once
    assert 'href="data/analyses/canned--humaneval--temperature-samples.jsonl.gz" download' in html


def test_a_re_export_of_the_same_record_is_byte_identical(exported, tmp_path):
    root, folder, temperature, _ = exported
    again = export(open_store(str(root / "runs.db")), temperature, tmp_path, "canned--humaneval--temperature", title="Temperature (canned)",
                   commands=["nl2code analyze temperature -m canned ..."], note="T=1.0 still running")
    name = "data/canned--humaneval--temperature-samples.jsonl.gz"
    assert (tmp_path / name).read_bytes() == (folder / name).read_bytes()
    assert yaml.safe_load(again.read_text())["data"] == yaml.safe_load((folder / "canned--humaneval--temperature.yaml").read_text())["data"]


def _cli(*args: str, cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nl2code", *args], cwd=cwd, capture_output=True, text=True, timeout=300, env={**os.environ})


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("case", ["kind", "sha256", "missing", "name", "yaml", "rows"])
def test_a_bad_manifest_or_data_file_is_an_error_naming_the_file_and_line(exported, tmp_path, case):
    root, folder, _, _ = exported
    bad = tmp_path / "analyses"
    (bad / "data").mkdir(parents=True)
    name = "canned--humaneval--temperature"
    text = (folder / f"{name}.yaml").read_text()
    data = (folder / "data" / f"{name}-samples.jsonl.gz").read_bytes()
    if case == "kind":
        text = text.replace("kind: temperature", "kind: temprature")
        expected = (f"{name}.yaml:{_line_of(text, 'kind: temprature')}: kind:", "docs/analyses.md")
    elif case == "sha256":
        data = gzip.compress(b'{"passed": true}\n')
        expected = (f"{name}.yaml:{_line_of(text, 'sha256:')}:", "the file changed: re-export with `nl2code analyze export")
    elif case == "missing":
        data = None
        expected = (f"{name}.yaml:{_line_of(text, 'path: data/')}:", "is missing; re-export")
    elif case == "name":
        text = text.replace(f"name: {name}", "name: another-name")
        expected = (f"{name}.yaml:{_line_of(text, 'name: another-name')}:", "rename the file to another-name.yaml")
    elif case == "yaml":
        text = text.replace("partial: true", "partial: [true")
        expected = (f"{name}.yaml:", "invalid YAML")
    else:
        text = text.replace("commands:\n", "commands: []\nx:\n", 1)
        expected = (f"{name}.yaml:", "commands")
    (bad / f"{name}.yaml").write_text(text)
    if data is not None:
        (bad / "data" / f"{name}-samples.jsonl.gz").write_bytes(data)
    done = _cli("site", "build", "--out", str(tmp_path / "out"), "--analyses", str(bad), "--catalog", str(root / "catalog"), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    message = " ".join(done.stderr.split())
    assert all(part in message for part in expected), message
    assert not (tmp_path / "out" / "charts.html").exists()


@pytest.mark.browser
def test_the_charts_page_draws_the_exported_analyses_in_chromium(exported, browser):
    root, _, temperature, text = exported
    server, url = _serve(root / "out")
    try:
        page = open_charts(browser, url)
        assert page.locator(f"#chart-analysis-{temperature} svg g.points_marks > path").count() == 2  # one line per k, one temperature so far
        assert page.locator(f"#chart-analysis-{text} svg g.points_marks > path").count() == 2  # ROC AUC and within-problem AUC of bleu
        assert page.locator(f"#chart-analysis-{text} svg g.chance_marks > path, #chart-analysis-{text} svg g.chance_marks > line").count() == 1
        with page.expect_download() as download:
            page.click('a[href="data/analyses/canned--humaneval--text-vs-exec-samples.jsonl.gz"]')
        assert json.loads(gzip.decompress(download.value.path().read_bytes()).splitlines()[0])["scores"] == {"bleu": 90.0}
        page.close()
    finally:
        server.shutdown()
        server.server_close()


def test_the_repository_analyses_load_their_hashes_match_and_their_data_gives_their_figures():
    """The committed analyses/: every manifest validates and its data files match their sha256;
    each reranking's per-problem pass@1, averaged, is the reranked pass@1 it reports."""
    from nl2code.analysis_files import default_dir

    loaded = load_analyses(default_dir())
    reranks = {a["settings"]["method"]: a for a in loaded if a["kind"] == "rerank"}
    assert set(reranks) == {"codet", "mbr-exec", "examples"}
    assert round(100 * reranks["codet"]["summary"]["reranked"]["pass@1"], 1) == 37.2  # bench/RESULTS.md
    for record in reranks.values():
        (path, _), = record["files"]
        rows = list(read_rows(path))
        assert len(rows) == 164 and sum(r["ranked"] for r in rows) == record["summary"]["problems_ranked"]
        assert sum(r["pass@1"] for r in rows) / 164 == pytest.approx(record["summary"]["reranked"]["pass@1"], abs=1e-6)
        assert sum(r["correct"] for r in rows) / 16400 == pytest.approx(record["summary"]["baseline"]["pass@1"], abs=1e-9)


def test_the_repository_text_vs_exec_analysis_recomputes_from_its_per_sample_data():
    """The committed text-vs-exec analysis: its per-sample scores and verdicts give back the stored
    ROC AUC of every metric (the data file is the analysis's input, not a summary of it)."""
    from nl2code.analysis_files import default_dir

    (record,) = [a for a in load_analyses(default_dir()) if a["summary"].get("analysis") == "text-vs-exec"]
    (path, _), = record["files"]
    rows = list(read_rows(path))
    assert len(rows) == 16400 and sum(r["passed"] for r in rows) == record["summary"]["rows"][0]["passed"]
    for stored in record["summary"]["rows"]:
        by_task: dict[str, list] = {}
        for r in rows:
            by_task.setdefault(r["task_id"], []).append((r["scores"][stored["metric"]], r["passed"]))
        assert round(separation(stored["metric"], by_task, bootstrap=0).auc, 4) == pytest.approx(stored["roc_auc"], abs=2e-4), stored["metric"]
