"""A run whose driver died shows as interrupted, and a run still going shows as running (issue 14):
a real `nl2code evaluate` subprocess watched live, refused a second driver, killed with SIGKILL
and resumed; the store's judgement of owners on this machine and on another one (by heartbeat)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from helpers import cli, db_scalar, humaneval_completions, run_fields
from nl2code.errors import StoreError
from nl2code.store import Store, _liveness
from nl2code.store._engine import database_url


def set_columns(db: str, run_id: str, **values) -> None:
    """Rewrite a stored run's columns as another machine or an older nl2code would have left them."""
    from nl2code.store import _schema

    engine = sa.create_engine(database_url(db))
    with engine.begin() as conn:
        conn.execute(_schema.runs.update().where(_schema.runs.c.id == run_id).values(**values))
    engine.dispose()


def db_now(store: Store) -> float:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(_liveness.db_epoch(conn))).scalar()


def listed(db) -> dict:
    result = cli("runs", "list", "--db", str(db), "--json")
    assert result.returncode == 0, result.stderr
    (run,) = json.loads(result.stdout)
    return run


def test_a_live_evaluation_shows_running_refuses_a_second_driver_and_shows_interrupted_once_killed(tmp_path):
    # wrong samples that sleep once as they load: about 20 s of work on two workers, time enough
    # to watch the run live; distinct, or duplicate execution would judge only one of each
    samples = humaneval_completions(tmp_path / "slow.jsonl", limit=80,
                                    completion=lambda p: f"    return {p.task_id!r}\n\n\nimport time\ntime.sleep(0.5)\n")
    db = tmp_path / "runs.db"
    args = [sys.executable, "-m", "nl2code", "evaluate", str(samples), "-b", "humaneval", "--db", str(db), "-q", "--workers", "2"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while (db_scalar(db, "select count(*) from executions") or 0) < 4 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "the run finished before it could be watched"
        # live: shown running, by this process, and a second driver of the same run is refused
        assert listed(db)["status"] == "running"
        shown = cli("runs", "show", "latest", "--db", str(db))
        assert f"running: process {proc.pid} on " in shown.stdout and "is running it" in shown.stdout, shown.stdout
        before = db_scalar(db, "select count(*) from executions")
        second = cli("evaluate", str(samples), "-b", "humaneval", "--db", str(db), "-q")
        assert second.returncode == 2 and "is being run now" in second.stderr and f"process {proc.pid}" in second.stderr, second.stderr
        assert proc.poll() is None, "the run finished before it could be killed; the checks above ran too late to mean much"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=60)
    judged = db_scalar(db, "select count(*) from executions")
    assert before <= judged < 80
    # killed: nothing could mark the run, yet every reader shows it interrupted
    assert db_scalar(db, "select status from runs") == "running"
    assert listed(db)["status"] == "interrupted"
    shown = cli("runs", "show", "latest", "--db", str(db))
    assert f"interrupted: process {proc.pid} on " in shown.stdout and "has ended without finishing it" in shown.stdout, shown.stdout
    site = cli("site", "build", "--out", str(tmp_path / "site"), "--db", str(db))
    assert site.returncode == 0, site.stderr
    runs_page = (tmp_path / "site" / "runs.html").read_text()
    assert f"not complete (interrupted: {judged} of 80 samples judged)" in runs_page
    (run_json,) = (tmp_path / "site").rglob(f"{listed(db)['id']}.json")
    assert json.loads(run_json.read_text())["status"] == "interrupted"
    # resumed: the same command finishes it, each sample judged once
    resumed = cli("evaluate", str(samples), "-b", "humaneval", "--db", str(db), "-q")
    assert resumed.returncode == 0, resumed.stderr
    assert listed(db)["status"] == "complete"
    assert db_scalar(db, "select count(distinct idx) from executions") == db_scalar(db, "select count(*) from executions") == 80
    assert db_scalar(db, "select count(*) from executions where status = 'failed'") == 80


def test_a_run_owned_on_another_machine_is_judged_by_its_heartbeat(db_url):
    store = Store(db_url)
    run_id = store.create_run(**run_fields())
    elsewhere = {**_liveness.this_process(), "host": "node-7", "boot_id": "another-machine", "pid": 1}
    set_columns(db_url, run_id, owner=elsewhere, heartbeat=db_now(store) - 5)
    run = store.get_run(run_id)
    assert run["status"] == "running" and "node-7 (another machine) gave a sign of life" in run["status_detail"]
    with pytest.raises(StoreError, match="is being run now"):
        store.claim_run(run_id)
    set_columns(db_url, run_id, heartbeat=db_now(store) - _liveness.STALE_AFTER_S - 5)
    run = store.get_run(run_id)
    assert run["status"] == "interrupted" and "has given no sign of life for 3 min" in run["status_detail"]
    assert [r["status"] for r in store.list_runs()] == ["interrupted"]
    store.claim_run(run_id)  # a dead owner's run is taken over
    run = store.get_run(run_id)
    assert run["status"] == "running" and run["owner"]["pid"] == os.getpid() and "is running it" in run["status_detail"]


def test_the_heartbeat_advances_in_the_database_clock_while_work_goes_on(db_url):
    store = Store(db_url)
    run_id = store.create_run(**run_fields())
    first = store.get_run(run_id)["heartbeat"]
    assert abs(first - db_now(store)) < 5
    with store.keep_alive(run_id, every=0.05):
        time.sleep(1.2)
    assert store.get_run(run_id)["heartbeat"] >= first + 1.0


def test_a_reused_pid_does_not_keep_a_dead_run_running(tmp_path):
    db = str(tmp_path / "runs.db")
    store = Store(db)
    run_id = store.create_run(**run_fields())
    owner = store.get_run(run_id)["owner"]
    assert store.get_run(run_id)["status"] == "running"
    # the same pid on this machine, but another process (it started at another time)
    set_columns(db, run_id, owner={**owner, "started": owner["started"] - 1})
    assert store.get_run(run_id)["status"] == "interrupted"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    set_columns(db, run_id, owner={**owner, "pid": dead.pid})
    assert store.get_run(run_id)["status"] == "interrupted"


def test_a_run_stored_before_owners_were_recorded_is_judged_by_its_last_update(tmp_path):
    db = str(tmp_path / "runs.db")
    store = Store(db)
    old, recent = store.create_run(**run_fields(fingerprint="1" * 64)), store.create_run(**run_fields(fingerprint="2" * 64))
    set_columns(db, old, owner=None, heartbeat=None, updated_at="2026-01-01T00:00:00+00:00")
    set_columns(db, recent, owner=None, heartbeat=None)
    assert store.get_run(old)["status"] == "interrupted" and "not recorded before schema 7" in store.get_run(old)["status_detail"]
    assert store.get_run(recent)["status"] == "running"
