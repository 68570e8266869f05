"""The results store: every evaluation is a run in a SQL database (SQLite by default, any
SQLAlchemy URL such as PostgreSQL). The driver is its one writer and commits in batches."""

from __future__ import annotations

import datetime as _dt
import logging
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from nl2code.errors import StoreError
from nl2code.records import Execution, Limits, Sample, Status, TestOutcome
from nl2code.store import _liveness, _schema as schema
from nl2code.store._engine import bulk_insert, create_engine, database_url, schema_lock, shown, upsert
from nl2code.store._schema import MIGRATIONS

__all__ = ["Store", "open_store", "database_url", "DEFAULT_DB"]

log = logging.getLogger(__name__)

DEFAULT_DB = "nl2code.db"


def now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


class Store:
    def __init__(self, db: str = DEFAULT_DB) -> None:
        self.engine = create_engine(db)
        self.url = shown(self.engine.url)
        try:
            self.migrate()
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"--db {self.url}: cannot use the database ({exc.__class__.__name__}: {exc.orig if hasattr(exc, 'orig') else exc})") from exc

    # -- schema ---------------------------------------------------------------------------
    def migrate(self) -> int:
        """Bring the database to the latest schema. Several processes may open one new or old
        database at once: the first to take the schema lock migrates, the others then find it done."""
        latest = MIGRATIONS[-1][0]
        if self.schema_version == latest:  # the usual case, without taking the lock
            return latest
        with schema_lock(self.engine) as conn:
            schema.schema_version.create(conn, checkfirst=True)
            current = _version(conn)
            for version, description, apply in MIGRATIONS:
                if version > current:
                    log.info("migrating %s to schema %d: %s", self.url, version, description)
                    apply(conn)
                    conn.execute(schema.schema_version.insert().values(version=version, description=description, applied_at=now()))
                    current = version
        return current

    @property
    def schema_version(self) -> int:
        """The database's schema version; 0 for a database nl2code has not written yet."""
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table(schema.schema_version.name):
                return 0
            return _version(conn)

    # -- runs -----------------------------------------------------------------------------
    def find_run(self, fingerprint: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(schema.runs).where(schema.runs.c.fingerprint == fingerprint).order_by(schema.runs.c.created_at.desc())
            ).mappings().first()
        return dict(row) if row else None

    def create_run(self, **fields: Any) -> str:
        """A new run, `running` and owned by this process (see `claim_run`)."""
        run_id = fields.pop("id", None) or f"{_dt.datetime.now(_dt.UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
        stamp = now()
        with self.engine.begin() as conn:
            conn.execute(schema.runs.insert().values(
                id=run_id, created_at=stamp, updated_at=stamp, status="running",
                owner=_liveness.this_process(), heartbeat=_liveness.db_epoch(conn), **fields,
            ))
        return run_id

    def update_run(self, run_id: str, **fields: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(schema.runs.update().where(schema.runs.c.id == run_id).values(updated_at=now(), **fields))

    def claim_run(self, run_id: str) -> None:
        """Mark a stored run `running` by this process, to resume it. Refused (StoreError) while
        another process is still running it: two drivers writing one run would judge its samples
        twice. The check and the claim are one transaction that holds the database's write lock,
        so two processes resuming one run at the same moment cannot both win."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            row = conn.execute(sa.select(schema.runs).where(schema.runs.c.id == run_id).with_for_update()).mappings().one()
            owner = row["owner"] or {}
            mine = _liveness.this_process()
            if owner.get("pid") != mine["pid"] or owner.get("started") != mine["started"] or owner.get("boot_id") != mine["boot_id"]:
                verdict = _liveness.judge(dict(row), conn.execute(sa.select(_liveness.db_epoch(conn))).scalar())
                if verdict.status == "running":
                    raise StoreError(
                        f"run {run_id} in {self.url} is being run now: {verdict.detail}. Wait for it to finish, "
                        "or stop that process and rerun this command to resume the run"
                    )
            conn.execute(schema.runs.update().where(schema.runs.c.id == run_id).values(
                status="running", updated_at=now(), owner=mine, heartbeat=_liveness.db_epoch(conn),
            ))

    def heartbeat(self, run_id: str) -> None:
        """Say that this process still works on the run (in the database's clock)."""
        with self.engine.begin() as conn:
            conn.execute(schema.runs.update().where(schema.runs.c.id == run_id).values(heartbeat=_liveness.db_epoch(conn)))

    @contextmanager
    def keep_alive(self, run_id: str, every: float = _liveness.HEARTBEAT_S) -> Iterator[None]:
        """Beat the run's heartbeat from a background thread while the block runs: work that
        writes nothing for minutes (a toolchain's first build, a corpus CodeBLEU) must not look
        dead to a reader on another machine."""
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(every):
                try:
                    self.heartbeat(run_id)
                except sa.exc.SQLAlchemyError as exc:  # a busy or briefly unreachable database
                    log.warning("run %s: heartbeat not written (%s); readers elsewhere may show the run as interrupted", run_id, exc)

        thread = threading.Thread(target=beat, name=f"nl2code-heartbeat-{run_id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def get_run(self, run_ref: str) -> dict:
        """A run by id or unique id prefix; 'latest' is the newest run. A `running` run whose
        process is gone comes back `interrupted` (see `_liveness`), with `status_detail` saying why."""
        with self.engine.connect() as conn:
            query = sa.select(schema.runs)
            if run_ref == "latest":
                rows = conn.execute(query.order_by(schema.runs.c.created_at.desc()).limit(1)).mappings().all()
            else:
                rows = conn.execute(query.where(schema.runs.c.id.startswith(run_ref, autoescape=True))).mappings().all()
            if not rows:
                raise StoreError(f"no run {run_ref!r} in {self.url}; list the runs with `nl2code runs list`")
            if len(rows) > 1:
                exact = [r for r in rows if r["id"] == run_ref]
                if not exact:
                    raise StoreError(f"run id prefix {run_ref!r} matches {len(rows)} runs; give more characters")
                rows = exact
            return _judged(conn, rows)[0]

    def list_runs(self) -> list[dict]:
        """Every run, oldest first, each judged as `get_run` judges it."""
        with self.engine.connect() as conn:
            return _judged(conn, conn.execute(sa.select(schema.runs).order_by(schema.runs.c.created_at)).mappings().all())

    def delete_run(self, run_id: str) -> None:
        with self.engine.begin() as conn:
            for table in (schema.text_scores, schema.test_outcomes, schema.executions):
                conn.execute(table.delete().where(table.c.run_id == run_id))
            conn.execute(schema.runs.delete().where(schema.runs.c.id == run_id))

    # -- executions -----------------------------------------------------------------------
    def done_indices(self, run_id: str) -> set[int]:
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(schema.executions.c.idx).where(schema.executions.c.run_id == run_id)).scalars())

    def add_executions(self, run_id: str, batch: Sequence[tuple[Execution, Sample]]) -> None:
        """Write a batch in one transaction: all of it or nothing."""
        if not batch:
            return
        rows, tests = [], []
        for execution, sample in batch:
            rows.append({
                "run_id": run_id, "idx": execution.index, "task_id": execution.task_id, "sample_id": execution.sample_id,
                "status": execution.status.value, "passed": execution.passed, "tests_passed": execution.tests_passed,
                "tests_total": len(execution.tests), "duration": execution.duration, "cpu_time": execution.cpu_time,
                "cpu_limit": execution.limits.cpu_seconds, "wall_limit": execution.limits.wall_seconds,
                "error": execution.error, "stdout_tail": execution.stdout_tail, "stderr_tail": execution.stderr_tail,
                "program": sample.program, "raw": sample.raw, "examples_passed": execution.examples_passed,
                "copy_of": execution.copy_of,
            })
            tests.extend(
                {"run_id": run_id, "idx": execution.index, "test_index": i, "passed": t.passed, "protected": t.protected, "error": t.error}
                for i, t in enumerate(execution.tests)
            )
        with self.engine.begin() as conn:
            bulk_insert(conn, schema.executions, rows)
            bulk_insert(conn, schema.test_outcomes, tests)

    def executions(self, run_id: str, *, with_tests: bool = True) -> list[Execution]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(schema.executions).where(schema.executions.c.run_id == run_id).order_by(schema.executions.c.idx)).mappings().all()
            outcomes: dict[int, list[TestOutcome]] = {}
            if with_tests:
                query = sa.select(schema.test_outcomes).where(schema.test_outcomes.c.run_id == run_id).order_by(schema.test_outcomes.c.idx, schema.test_outcomes.c.test_index)
                for t in conn.execute(query).mappings():
                    outcomes.setdefault(t["idx"], []).append(TestOutcome(bool(t["passed"]), bool(t["protected"]), t["error"]))
        return [
            Execution(
                task_id=r["task_id"], sample_id=r["sample_id"], index=r["idx"], status=Status(r["status"]),
                tests=tuple(outcomes.get(r["idx"], ())), duration=r["duration"], cpu_time=r["cpu_time"],
                stdout_tail=r["stdout_tail"], stderr_tail=r["stderr_tail"], error=r["error"],
                limits=Limits(cpu_seconds=r["cpu_limit"], wall_seconds=r["wall_limit"]),
                examples_passed=r["examples_passed"], copy_of=r["copy_of"],
            )
            for r in rows
        ]

    def execution_rows(self, run_id: str) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.select(schema.executions).where(schema.executions.c.run_id == run_id).order_by(schema.executions.c.idx)).mappings()]

    # -- text-match scores ----------------------------------------------------------------
    def text_scores(self, run_id: str) -> dict[str, dict[int, float]]:
        """metric -> {sample index: score} of a run."""
        t = schema.text_scores
        scores: dict[str, dict[int, float]] = {}
        with self.engine.connect() as conn:
            for metric, idx, value in conn.execute(sa.select(t.c.metric, t.c.idx, t.c.value).where(t.c.run_id == run_id)):
                scores.setdefault(metric, {})[idx] = value
        return scores

    def add_text_scores(self, run_id: str, metric: str, scores: dict[int, float]) -> None:
        """Write one metric's scores of some samples in one transaction."""
        if scores:
            with self.engine.begin() as conn:
                conn.execute(schema.text_scores.insert(), [{"run_id": run_id, "idx": i, "metric": metric, "value": v} for i, v in scores.items()])

    # -- reference solution runtimes --------------------------------------------------------
    def reference_times(self, benchmark: str, data_sha256: str, machine: str) -> dict[str, float]:
        t = schema.reference_times
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.c.task_id, t.c.cpu_time).where(t.c.benchmark == benchmark, t.c.data_sha256 == data_sha256, t.c.machine == machine))
            return {task: cpu for task, cpu in rows}

    def save_reference_times(self, benchmark: str, data_sha256: str, machine: str, times: dict[str, float]) -> None:
        """Replaces what is stored for these tasks. Two drivers measuring the same benchmark at once
        both write the same keys: an upsert, so that the second neither fails nor duplicates."""
        stamp = now()
        with self.engine.begin() as conn:
            upsert(conn, schema.reference_times, [
                {"benchmark": benchmark, "data_sha256": data_sha256, "machine": machine, "task_id": task, "cpu_time": cpu, "measured_at": stamp}
                for task, cpu in times.items()
            ])


def _judged(conn: sa.Connection, rows: Sequence[Any]) -> list[dict]:
    """Run rows as dicts with the status a reader should see and, for a run that was `running`,
    `status_detail` (which process runs it, or why it is taken as interrupted)."""
    runs = [dict(r) for r in rows]
    if any(r["status"] == "running" for r in runs):
        db_now = conn.execute(sa.select(_liveness.db_epoch(conn))).scalar()
        for run in runs:
            if run["status"] == "running":
                verdict = _liveness.judge(run, db_now)
                run["status"], run["status_detail"] = verdict.status, verdict.detail
    return runs


def _version(conn: sa.Connection) -> int:
    return conn.execute(sa.select(sa.func.max(schema.schema_version.c.version))).scalar() or 0


def open_store(db: str = DEFAULT_DB) -> Store:
    return Store(db)
