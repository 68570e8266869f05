"""The results store, one suite over a real SQLite file and a real PostgreSQL server (the session's
throwaway one, tests/pg_server.py): schema versions, migrations from each earlier schema,
processes opening and writing one database at once, batches, the generation cache, errors."""

from __future__ import annotations

import multiprocessing
import sqlite3
import sys
import time

import pytest
import sqlalchemy as sa

from helpers import run_fields
from nl2code.errors import MissingExtraError, StoreError
from nl2code.generation import Generation, GenerationCache
from nl2code.records import Execution, Limits, Sample, Status, TestOutcome
from nl2code.store import Store, _engine
from nl2code.store._engine import database_url
from nl2code.store._schema import MIGRATIONS

LATEST = MIGRATIONS[-1][0]

# How to take a database at the latest schema back to the one before each migration: what the
# migration added, removed again. A new migration needs its entry here (checked below), so that
# it is tested from every earlier schema.
UNDO: dict[int, list[str]] = {
    2: ["ALTER TABLE executions DROP COLUMN examples_passed"],
    3: ["ALTER TABLE runs DROP COLUMN spec"],
    4: ["ALTER TABLE executions DROP COLUMN copy_of"],
    5: ["DROP TABLE text_scores"],
    6: [],  # PostgreSQL only, in UNDO_POSTGRESQL
    7: ["ALTER TABLE runs DROP COLUMN heartbeat", "ALTER TABLE runs DROP COLUMN owner"],
}
UNDO_POSTGRESQL = {
    6: ["ALTER TABLE runs ALTER COLUMN benchmark TYPE VARCHAR(64), ALTER COLUMN benchmark_version TYPE VARCHAR(32), "
        "ALTER COLUMN samples_format TYPE VARCHAR(32), ALTER COLUMN nl2code_version TYPE VARCHAR(32), ALTER COLUMN isolation TYPE VARCHAR(64)",
        "ALTER TABLE executions ALTER COLUMN task_id TYPE VARCHAR(64)",
        "ALTER TABLE reference_times ALTER COLUMN benchmark TYPE VARCHAR(64), ALTER COLUMN task_id TYPE VARCHAR(64), ALTER COLUMN machine TYPE VARCHAR(128)"],
}
ADDED = {2: ("executions", "examples_passed"), 3: ("runs", "spec"), 4: ("executions", "copy_of"), 7: ("runs", "owner")}


def passed(index: int, task: str = "t") -> tuple[Execution, Sample]:
    return Execution(task, index, index, Status.PASSED, (TestOutcome(True, False),)), Sample(task, index, index, f"p{index}")


def engine(db: str) -> sa.Engine:
    return sa.create_engine(database_url(db))


def scalar(db: str, sql: str):
    eng = engine(db)
    try:
        with eng.connect() as conn:
            return conn.execute(sa.text(sql)).scalar()
    finally:
        eng.dispose()


def test_a_new_database_is_at_the_latest_schema_version(db_url):
    store = Store(db_url)
    assert store.schema_version == LATEST >= 2
    eng = engine(db_url)
    with eng.connect() as conn:
        versions = [row[0] for row in conn.execute(sa.text("select version from schema_version order by version"))]
    eng.dispose()
    assert versions == [m[0] for m in MIGRATIONS]


def test_sqlite_databases_are_in_wal_mode(tmp_path):
    Store(str(tmp_path / "a.db"))
    with sqlite3.connect(tmp_path / "a.db") as conn:
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_every_migration_has_a_way_back_for_the_tests():
    assert sorted(UNDO) == [v for v, _, _ in MIGRATIONS if v > 1], "add the new migration to UNDO (and ADDED for a new column)"


@pytest.mark.parametrize("start", range(LATEST), ids=lambda v: f"from-schema-{v}")
def test_a_database_at_each_earlier_schema_is_migrated_in_place_keeping_its_runs(db_url, start):
    store = Store(db_url)
    run_id = store.create_run(**run_fields())
    store.add_executions(run_id, [passed(0)])
    store.engine.dispose()
    eng = engine(db_url)
    with eng.begin() as conn:
        if start == 0:  # nothing of nl2code's yet
            for table in ("text_scores", "test_outcomes", "executions", "reference_times", "runs", "schema_version"):
                conn.execute(sa.text(f"DROP TABLE {table}"))
        for version in sorted(UNDO, reverse=True):
            if start and version > start:
                for sql in UNDO[version] + (UNDO_POSTGRESQL.get(version, []) if conn.dialect.name == "postgresql" else []):
                    conn.execute(sa.text(sql))
        if start:
            conn.execute(sa.text("DELETE FROM schema_version WHERE version > :v"), {"v": start})
    inspector = sa.inspect(eng)
    before = {(t, c["name"]) for t in ("runs", "executions") for c in inspector.get_columns(t)} if start else set()
    eng.dispose()
    assert all((ADDED[v] in before) == (v <= start) for v in ADDED)  # the old schema, as it was
    migrated = Store(db_url)
    assert migrated.schema_version == LATEST
    inspector = sa.inspect(migrated.engine)
    assert all(column in {c["name"] for c in inspector.get_columns(table)} for table, column in ADDED.values())
    if start:
        [back] = migrated.executions(run_id)
        assert back.status is Status.PASSED and back.examples_passed is None
    else:
        assert migrated.list_runs() == []
    check_long_values(migrated)


def check_long_values(store: Store) -> None:
    """Values longer than the VARCHAR lengths before schema 6 (PostgreSQL enforced them)."""
    level = "mixed: " + " | ".join(["linux-root:cgroup-v1+netns+mountns+uid+tmpfs+landlock7+seccomp"] * 3)
    task = "MultiPL-E/" + "a_rather_long_task_name_" * 5
    run_id = store.create_run(**run_fields(fingerprint="9" * 64, isolation=level, benchmark="b" * 80, samples_format="f" * 40))
    store.add_executions(run_id, [passed(0, task)])
    store.save_reference_times("b" * 80, "d", "host-" + "m" * 200, {task: 1.0})
    assert store.executions(run_id)[0].task_id == task and store.get_run(run_id)["isolation"] == level
    assert store.reference_times("b" * 80, "d", "host-" + "m" * 200) == {task: 1.0}


def test_long_task_ids_isolation_levels_and_machine_names_are_stored_whole(db_url):
    check_long_values(Store(db_url))


def _open(db: str, barrier, queue) -> None:
    try:
        barrier.wait(timeout=120)
        Store(db)
        GenerationCache(db)
        queue.put("ok")
    except Exception as exc:  # reported to the test, which shows it
        queue.put(f"{exc.__class__.__name__}: {exc}")


def test_processes_opening_one_empty_database_at_the_same_moment_all_succeed(db_url):
    context = multiprocessing.get_context("spawn")
    queue, barrier = context.Queue(), context.Barrier(4)  # all go once every interpreter has started
    procs = [context.Process(target=_open, args=(db_url, barrier, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert results == ["ok"] * len(procs)
    assert scalar(db_url, "select count(*) from schema_version") == len(MIGRATIONS)


def _write_run(db: str, writer: int, barrier, queue) -> None:
    try:
        store = Store(db)
        run_id = store.create_run(**run_fields(fingerprint=f"{writer:064d}", n_samples=400))
        barrier.wait(timeout=120)
        for first in range(0, 400, 50):  # the runs' batches and their measured reference times interleave
            store.save_reference_times("humaneval", "d" * 64, "m", {f"task{i}": 0.01 * writer for i in range(7)})
            store.add_executions(run_id, [passed(i, f"task{i % 7}") for i in range(first, first + 50)])
        queue.put(run_id)
    except Exception as exc:
        queue.put(f"{exc.__class__.__name__}: {exc}")


def test_several_writers_at_once_lose_and_duplicate_nothing(db_url):
    Store(db_url)
    context = multiprocessing.get_context("spawn")
    queue, barrier = context.Queue(), context.Barrier(3)
    procs = [context.Process(target=_write_run, args=(db_url, w, barrier, queue)) for w in range(3)]
    for p in procs:
        p.start()
    run_ids = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    store = Store(db_url)
    assert sorted(r["id"] for r in store.list_runs()) == sorted(run_ids)
    for run_id in run_ids:
        assert store.done_indices(run_id) == set(range(400))
        assert len(store.executions(run_id)) == 400
    assert scalar(db_url, "select count(*) from test_outcomes") == 3 * 400
    assert len(store.reference_times("humaneval", "d" * 64, "m")) == 7


def test_executions_round_trip_with_their_test_outcomes(db_url):
    store = Store(db_url)
    run_id = store.create_run(**run_fields())
    execution = Execution("HumanEval/0", 0, 0, Status.FAILED, (TestOutcome(True, True), TestOutcome(False, False, "boom")),
                          limits=Limits(cpu_seconds=2.5, wall_seconds=7.0), examples_passed=False)
    store.add_executions(run_id, [(execution, Sample("HumanEval/0", 0, 0, "prog", "raw"))])
    [back] = store.executions(run_id)
    assert back.status is Status.FAILED and back.tests == execution.tests and back.examples_passed is False
    assert back.limits.cpu_seconds == 2.5 and store.done_indices(run_id) == {0}
    assert store.find_run("f" * 64)["id"] == run_id
    assert store.get_run(run_id[:10])["id"] == run_id and store.get_run("latest")["id"] == run_id
    store.update_run(run_id, status="complete", summary={"pass_at_k": {"pass@1": 0.0}})
    assert store.get_run(run_id)["summary"] == {"pass_at_k": {"pass@1": 0.0}}


def test_a_batch_is_all_or_nothing(db_url):
    store = Store(db_url)
    run_id = store.create_run(**run_fields(n_samples=2))
    with pytest.raises(Exception):
        store.add_executions(run_id, [passed(0), passed(0)])  # the same sample twice violates the key
    assert store.done_indices(run_id) == set()


def test_deleting_a_run_removes_its_executions_and_outcomes(db_url):
    store = Store(db_url)
    keep, drop = store.create_run(**run_fields()), store.create_run(**run_fields(fingerprint="e" * 64))
    store.add_executions(keep, [passed(0)])
    store.add_executions(drop, [passed(0), passed(1)])
    store.delete_run(drop)
    assert [r["id"] for r in store.list_runs()] == [keep]
    assert scalar(db_url, "select count(*) from executions") == 1
    assert scalar(db_url, "select count(*) from test_outcomes") == 1


def test_reference_times_saved_again_replace_the_stored_ones(db_url):
    store = Store(db_url)
    store.save_reference_times("b", "d", "m", {"t1": 1.0, "t2": 2.0})
    store.save_reference_times("b", "d", "m", {"t2": 3.0})
    assert store.reference_times("b", "d", "m") == {"t1": 1.0, "t2": 3.0}
    assert store.reference_times("b", "d", "other machine") == {}


def generation(key: str, raw: str) -> Generation:
    return Generation(key=key, benchmark="b", task_id="t", sample_index=0, raw=raw, completion=raw, program=raw,
                      model="m", backend="{}", style="completion", template_sha256="0" * 64, params="{}", created_at="now")


def test_the_generation_cache_keeps_the_first_of_a_sample_written_twice(db_url):
    cache = GenerationCache(db_url)
    cache.put_many([generation("a", "first"), generation("b", "b")])
    cache.put_many([generation("a", "second"), generation("c", "c")])  # a racing run wrote "a" too
    assert cache.count() == 3
    assert cache.get_many(["a", "c", "missing"])["a"]["raw"] == "first"
    assert set(cache.get_many(["a", "c", "missing"])) == {"a", "c"}
    Store(db_url)  # the cache's table and the store's live in one database
    assert GenerationCache(db_url).count() == 3


def test_a_database_in_a_missing_folder_names_the_flag(tmp_path):
    with pytest.raises(StoreError, match=r"--db .*: the folder .* does not exist"):
        Store(str(tmp_path / "nope" / "x.db"))


def test_an_unusable_url_names_the_flag():
    with pytest.raises(StoreError, match=r"--db nosuchdialect://x: nosuchdialect is not supported; nl2code stores runs in SQLite"):
        Store("nosuchdialect://x")
    with pytest.raises(StoreError, match=r"--db ://x: cannot open"):
        Store("://x")


def test_another_database_or_driver_is_refused_by_name_before_anything_is_imported():
    # mysql's driver is not installed here, psycopg2 neither: the message is about the choice, not the import
    with pytest.raises(StoreError, match=r"--db mysql://u@h/x: mysql is not supported; .*SQLite \(pass a file path\) or PostgreSQL"):
        Store("mysql://u@h/x")
    with pytest.raises(StoreError, match=r"--db postgresql\+psycopg2://u:\*\*\*@h/x: the psycopg2 driver is not supported; write it as postgresql://"):
        Store("postgresql+psycopg2://u:secret@h/x")


@pytest.mark.postgres
def test_bad_database_configuration_is_one_line_naming_the_flag_at_the_command_line(tmp_path):
    from helpers import cli
    from pg_server import free_port

    port = free_port()  # nothing listens there
    cases = {f"postgresql://nl2code:secret@127.0.0.1:{port}/x": f"cannot connect to PostgreSQL at 127.0.0.1:{port}",
             "mysql://u@127.0.0.1/x": "mysql is not supported", "postgresql+psycopg2://u@127.0.0.1/x": "the psycopg2 driver is not supported",
             str(tmp_path / "nope" / "r.db"): "does not exist"}
    for db, message in cases.items():
        # `runs list` on a missing file is click's usage error (exit 2, naming --db): not checked here
        for command in (["runs", "list"], ["evaluate", "--demo", "-q"]) if "://" in db else (["evaluate", "--demo", "-q"],):
            result = cli(*command, "--db", db)
            assert result.returncode == 2, (db, command, result.stderr)
            assert result.stderr.startswith("error: --db ") and message in result.stderr and "secret" not in result.stderr, result.stderr
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr  # no traceback


@pytest.mark.postgres
def test_an_unreachable_postgresql_server_is_named_with_its_address_and_no_password():
    from pg_server import free_port

    port = free_port()  # nothing listens there
    started = time.monotonic()
    with pytest.raises(StoreError, match=rf"cannot connect to PostgreSQL at 127.0.0.1:{port} .*check that the server runs") as caught:
        Store(f"postgresql://nl2code:secret@127.0.0.1:{port}/x")
    assert "secret" not in str(caught.value) and time.monotonic() - started < 15


@pytest.mark.postgres
def test_a_postgresql_server_older_than_supported_is_refused(postgres_server, monkeypatch):
    # the only server here is PostgreSQL 15: the test raises the floor instead of finding an old server
    monkeypatch.setattr(_engine, "MIN_POSTGRES", (99, 0))
    with pytest.raises(StoreError, match=r"PostgreSQL 15\.\d+ is not supported; nl2code needs PostgreSQL 99\.0 or newer"):
        Store(postgres_server.new_database())


@pytest.mark.postgres
def test_a_missing_postgresql_driver_names_the_extra(monkeypatch):
    # psycopg is installed here; None in sys.modules makes its import fail as if it were not
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingExtraError, match=r"^--db postgresql\+psycopg://nl2code@127.0.0.1:1/x: .*pip install 'nl2code\[postgres\]'"):
        Store("postgresql://nl2code@127.0.0.1:1/x")


def test_a_plain_postgresql_url_means_the_psycopg_driver_of_the_extra():
    assert database_url("postgresql://u@h:5/d") == "postgresql+psycopg://u@h:5/d"
    assert database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert database_url("postgresql+psycopg2://u@h/d") == "postgresql+psycopg2://u@h/d"
