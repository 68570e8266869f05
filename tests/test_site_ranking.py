"""Which numbers rank on a leaderboard: only full-benchmark runs of catalog models, one row per
model variant by default (its other reported values one click away), and what "verified" means.

The catalog and the store are the fixture of test_site_build (made-up numbers, real YAML files,
a real SQLite store).
"""

from __future__ import annotations

import csv
import json
import re

import pytest
import yaml

from nl2code.catalog import load_catalog, to_dict
from nl2code.records import Execution, Sample, Status
from nl2code.site import build_site
from nl2code.site._data import SiteData
from nl2code.site._runs import runs_from_store
from nl2code.store import open_store
from test_site_build import RESULTS, _result, write_catalog

HUMANEVAL = [f"HumanEval/{i}" for i in range(164)]


def add_run(db, run_id: str, model: str, tasks: list[str], *, passes: int = 1, kind: str = "evaluate", total: int = 164,
            benchmark: str = "humaneval") -> None:
    """A complete run in a real store: one sample per task, the first `passes` tasks passing."""
    store = open_store(str(db))
    store.create_run(
        id=run_id, kind=kind, fingerprint=run_id.ljust(64, "0"), benchmark=benchmark, benchmark_version="1.0",
        data_sha256="a" * 64, dataset_path="HumanEval.jsonl.gz", samples_path=f"/tmp/{run_id}.jsonl", samples_sha256="b" * 64,
        samples_format="human-eval", model=model, n_samples=len(tasks), n_problems=len(tasks), nl2code_version="0.1.0",
        isolation="weak", settings={"benchmark": benchmark}, machine={}, command=f"nl2code evaluate {run_id}.jsonl -b {benchmark}",
    )
    batch = []
    for index, task in enumerate(tasks):
        ok = index < passes
        batch.append((Execution(task, 0, index, Status.PASSED if ok else Status.FAILED, (), duration=0.01), Sample(task, 0, index, "pass")))
    store.add_executions(run_id, batch)
    summary = {"problems": len(tasks), "problems_in_benchmark": total}
    store.update_run(run_id, status="complete", summary=summary)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A subset run (5 of 164, all passing), a reference-solutions run, a demo run, an unlinked
    full run and one full run of a catalog model."""
    root = tmp_path_factory.mktemp("ranking")
    catalog = to_dict(load_catalog(write_catalog(root / "catalog")))
    db = root / "runs.db"
    add_run(db, "subset-run", "Salesforce/codegen-350M-mono", HUMANEVAL[:5], passes=5)
    add_run(db, "codegeex-ref", "codegeex-ref", HUMANEVAL, passes=164)
    add_run(db, "demo-run", "demo", HUMANEVAL, passes=150, kind="demo")
    add_run(db, "unlinked-run", "my-local-model", HUMANEVAL, passes=120)
    add_run(db, "full-linked", "Salesforce/codegen-350M-mono", HUMANEVAL, passes=41)  # 25.0
    runs = runs_from_store(str(db))
    out = build_site(root / "out", catalog, runs).out
    return out, catalog, runs


def board_rows(out, key="humaneval--pass-1"):
    return json.loads((out / f"data/leaderboards/{key}.json").read_text())["rows"]


def test_only_a_full_run_of_a_catalog_model_ranks(mixed):
    out, _, _ = mixed
    # "run-linked" is the fixture catalog's own reproduced result (a catalog entry, not a store run)
    run_ids = {r["run_id"] for r in board_rows(out) if r["run_id"]}
    assert run_ids == {"full-linked", "run-linked"}
    with open(out / "data/leaderboards/humaneval--pass-1.csv", newline="") as fh:
        assert {r["run_id"] for r in csv.DictReader(fh) if r["run_id"]} == {"full-linked", "run-linked"}
    index = (out / "leaderboards.html").read_text()
    assert "100.0" not in index and "codegeex-ref" not in index


def test_the_runs_page_lists_every_run_with_why_it_does_not_rank(mixed):
    out, _, _ = mixed
    html = (out / "runs.html").read_text()
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<tr data-run="([^"]+)"(.*?)</tr>', html, re.S)}
    assert set(rows) == {"subset-run", "codegeex-ref", "demo-run", "unlinked-run", "full-linked"}
    assert "subset: 5 of 164 problems" in rows["subset-run"]
    assert "reference solutions" in rows["codegeex-ref"]
    assert "demo" in rows["demo-run"]
    assert "not linked to a catalog model" in rows["unlinked-run"]
    assert 'class="badge ranks"' in rows["full-linked"] and "not ranked" not in rows["full-linked"]
    assert "subset" in (out / "runs/subset-run.html").read_text()


def test_a_subset_is_judged_by_the_benchmark_size_when_the_run_does_not_say(tmp_path):
    catalog = to_dict(load_catalog(write_catalog(tmp_path / "catalog")))
    db = tmp_path / "runs.db"
    add_run(db, "old-subset", "Salesforce/codegen-350M-mono", HUMANEVAL[:50], passes=50)
    store = open_store(str(db))
    store.update_run("old-subset", summary={"problems": 50})  # stored before problems_in_benchmark existed
    (run,) = runs_from_store(str(db))
    site = SiteData(catalog, [run])
    assert site.run_exclusion(run) == "subset: 50 of 164 problems"  # HumanEval's 164 instances in the catalog


def many_reports_catalog(root):
    """The fixture catalog plus three more HumanEval pass@1 numbers for StarCoder-15.5B."""
    write_catalog(root)
    extra = [
        _result("starcoder-15b-1-prompted", "starcoder-15b", "humaneval", 1, 40.8, date="2023-05"),
        _result("starcoder-15b-1-other", "starcoder-15b", "humaneval", 1, 33.6, date="2023-06"),
        _result("starcoder-15b-1-prompted-2", "starcoder-15b", "humaneval", 1, 40.8, date="2023-06"),
    ]
    extra[0]["setting"] = extra[2]["setting"] = "prompted"
    extra[1]["source"]["title"] = extra[2]["source"]["title"] = "A leaderboard"
    extra[1]["source"]["kind"] = extra[2]["source"]["kind"] = "leaderboard"
    (root / "results" / "more.yaml").write_text(yaml.safe_dump({"results": extra}, sort_keys=False))
    return root


def test_a_model_variant_has_one_row_in_the_default_view_and_its_other_values_one_click_away(tmp_path):
    catalog = to_dict(load_catalog(many_reports_catalog(tmp_path / "catalog")))
    out = build_site(tmp_path / "out", catalog).out
    rows = board_rows(out)
    starcoder = [r for r in rows if r["model"] == "starcoder-15b"]
    assert len(starcoder) == 4 and sum(r["primary"] for r in starcoder) == 1
    (shown,) = [r for r in starcoder if r["primary"]]
    assert shown["value"] == 33.6 and shown["setting"] is None  # the standard setting, from the paper
    primary = [r["model"] for r in rows if r["primary"]]
    assert len(primary) == len(set(primary))
    html = (out / "leaderboards/humaneval--pass-1.html").read_text()
    tr = re.search(r'<tr data-index="\d+"[^>]*data-model="starcoder-15.5b"[^>]*data-primary="1".*?</tr>', html, re.S).group(0)
    assert "Other reported values" in tr and "40.8" in tr and "prompted" in tr
    assert html.count('data-model="starcoder-15.5b"') == 4  # the other rows are in the page, for the "every value" view
    assert 'name="dedupe"' in html


def test_a_verified_number_says_so_and_an_unverified_one_does_not(tmp_path):
    root = write_catalog(tmp_path / "catalog")
    path = root / "results" / "fixture.yaml"
    results = yaml.safe_load(path.read_text())
    results["results"][0]["verified"] = True
    results["results"][0]["source"]["verified"] = True
    path.write_text(yaml.safe_dump(results, sort_keys=False))
    out = build_site(tmp_path / "out", to_dict(load_catalog(root))).out
    rows = {r["model"]: r for r in board_rows(out) if r["primary"]}
    assert rows["codex-12b"]["verified"] is True
    assert rows["starcoder2-15b"]["verified"] is False
    html = (out / "leaderboards/humaneval--pass-1.html").read_text()
    assert html.count("read at the source") == 1
    assert html.count("not yet verified against the source") == len(board_rows(out)) - 1
    assert len(RESULTS) > 3


def test_a_row_whose_setting_states_its_decoding_shows_it():
    site = SiteData(to_dict(load_catalog()))
    stated = [row for board in site.leaderboards for row in board.rows if "T=0.8" in (row.setting or "")]
    assert len(stated) >= 6
    for row in stated:
        assert "T=0.8" in row.decoding and "n=100" in row.decoding, (row.model, row.setting, row.decoding)
