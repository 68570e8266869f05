"""The results store on a real SQLite file: schema versions, migrations, batches, errors."""

from __future__ import annotations

import sqlite3

import pytest

from nl2code.errors import StoreError
from nl2code.records import Execution, Limits, Sample, Status, TestOutcome
from nl2code.store import Store
from nl2code.store._schema import MIGRATIONS


def test_a_new_database_is_at_the_latest_schema_version_in_wal_mode(tmp_path):
    store = Store(str(tmp_path / "a.db"))
    assert store.schema_version == MIGRATIONS[-1][0] >= 2
    with sqlite3.connect(tmp_path / "a.db") as conn:
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
        versions = [row[0] for row in conn.execute("select version from schema_version order by version")]
    assert versions == [m[0] for m in MIGRATIONS]


@pytest.mark.parametrize("version", [1, 2, 3])
def test_an_older_database_is_migrated_in_place(tmp_path, version):
    db = tmp_path / "old.db"
    Store(str(db))
    with sqlite3.connect(db) as conn:  # make it look like a database written by that schema
        conn.execute("delete from schema_version where version > ?", (version,))
        if version < 2:
            conn.execute("alter table executions drop column examples_passed")
        if version < 3:
            conn.execute("alter table runs drop column spec")
        conn.execute("alter table executions drop column copy_of")
    store = Store(str(db))
    assert store.schema_version == MIGRATIONS[-1][0]
    with sqlite3.connect(db) as conn:
        assert "examples_passed" in [row[1] for row in conn.execute("pragma table_info(executions)")]
        assert "spec" in [row[1] for row in conn.execute("pragma table_info(runs)")]
        assert "copy_of" in [row[1] for row in conn.execute("pragma table_info(executions)")]


def test_executions_round_trip_with_their_test_outcomes(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'b.db'}")
    run_id = store.create_run(kind="evaluate", fingerprint="f" * 64, benchmark="humaneval", benchmark_version="1.0.3",
                              data_sha256="d" * 64, dataset_path="x", samples_path="s", samples_sha256="s" * 64,
                              samples_format="human-eval-jsonl", model="m", n_samples=1, n_problems=1,
                              nl2code_version="0", isolation="weak", settings={}, machine={}, command="")
    execution = Execution("HumanEval/0", 0, 0, Status.FAILED, (TestOutcome(True, True), TestOutcome(False, False, "boom")),
                          limits=Limits(cpu_seconds=2.5, wall_seconds=7.0), examples_passed=False)
    store.add_executions(run_id, [(execution, Sample("HumanEval/0", 0, 0, "prog", "raw"))])
    [back] = store.executions(run_id)
    assert back.status is Status.FAILED and back.tests == execution.tests and back.examples_passed is False
    assert back.limits.cpu_seconds == 2.5 and store.done_indices(run_id) == {0}
    assert store.find_run("f" * 64)["id"] == run_id


def test_a_batch_is_all_or_nothing(tmp_path):
    store = Store(str(tmp_path / "c.db"))
    run_id = store.create_run(kind="evaluate", fingerprint="f" * 64, benchmark="b", benchmark_version="1", data_sha256="d",
                              dataset_path="x", samples_path="s", samples_sha256="s", samples_format="f", model="",
                              n_samples=2, n_problems=1, nl2code_version="0", isolation="", settings={}, machine={}, command="")
    one = (Execution("t", 0, 0, Status.PASSED), Sample("t", 0, 0, "p"))
    with pytest.raises(Exception):
        store.add_executions(run_id, [one, one])  # the same sample twice violates the key
    assert store.done_indices(run_id) == set()


def test_a_database_in_a_missing_folder_names_the_flag(tmp_path):
    with pytest.raises(StoreError, match=r"--db .*: the folder .* does not exist"):
        Store(str(tmp_path / "nope" / "x.db"))


def test_an_unusable_url_names_the_flag():
    with pytest.raises(StoreError, match=r"--db nosuchdialect://x: cannot open"):
        Store("nosuchdialect://x")
