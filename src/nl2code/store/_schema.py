"""The results database schema (SQLAlchemy Core) and its ordered migrations."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version", metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("applied_at", sa.Text, nullable=False),
)

runs = sa.Table(
    "runs", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # running | complete | interrupted
    sa.Column("kind", sa.String(20), nullable=False),  # evaluate | run | selfcheck
    sa.Column("fingerprint", sa.String(64), nullable=False, index=True),
    sa.Column("benchmark", sa.Text, nullable=False),
    sa.Column("benchmark_version", sa.Text, nullable=False),
    sa.Column("data_sha256", sa.String(64), nullable=False),
    sa.Column("dataset_path", sa.Text, nullable=False),
    sa.Column("samples_path", sa.Text, nullable=False),
    sa.Column("samples_sha256", sa.String(64), nullable=False),
    sa.Column("samples_format", sa.Text, nullable=False),
    sa.Column("model", sa.Text, nullable=False, default=""),
    sa.Column("n_samples", sa.Integer, nullable=False),
    sa.Column("n_problems", sa.Integer, nullable=False),
    sa.Column("nl2code_version", sa.Text, nullable=False),
    sa.Column("isolation", sa.Text, nullable=False, default=""),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("machine", sa.JSON, nullable=False),
    sa.Column("command", sa.Text, nullable=False, default=""),
    sa.Column("summary", sa.JSON),
    sa.Column("spec", sa.JSON, nullable=True),  # since schema 3: everything that defines the run
    # since schema 7: the process that runs (or last ran) the run, and its last heartbeat in the
    # database's clock (seconds since the epoch); see store/_liveness.py
    sa.Column("owner", sa.JSON, nullable=True),
    sa.Column("heartbeat", sa.Float, nullable=True),
)

executions = sa.Table(
    "executions", metadata,
    sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("idx", sa.Integer, primary_key=True),  # position in the samples file
    sa.Column("task_id", sa.Text, nullable=False),
    sa.Column("sample_id", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("tests_passed", sa.Integer, nullable=False),
    sa.Column("tests_total", sa.Integer, nullable=False),
    sa.Column("duration", sa.Float, nullable=False),
    sa.Column("cpu_time", sa.Float, nullable=False),
    sa.Column("cpu_limit", sa.Float, nullable=False),
    sa.Column("wall_limit", sa.Float, nullable=False),
    sa.Column("error", sa.Text, nullable=False, default=""),
    sa.Column("stdout_tail", sa.Text, nullable=False, default=""),
    sa.Column("stderr_tail", sa.Text, nullable=False, default=""),
    sa.Column("program", sa.Text, nullable=False, default=""),
    sa.Column("raw", sa.Text, nullable=False, default=""),
    sa.Column("examples_passed", sa.Boolean, nullable=True),  # since schema 2
    sa.Column("copy_of", sa.Integer, nullable=True),  # since schema 4: the verdict is that identical sample's
)

test_outcomes = sa.Table(
    "test_outcomes", metadata,
    sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("idx", sa.Integer, primary_key=True),
    sa.Column("test_index", sa.Integer, primary_key=True),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("protected", sa.Boolean, nullable=False),
    sa.Column("error", sa.Text, nullable=False, default=""),
)

reference_times = sa.Table(
    "reference_times", metadata,
    sa.Column("benchmark", sa.Text, primary_key=True),
    sa.Column("data_sha256", sa.String(64), primary_key=True),
    sa.Column("task_id", sa.Text, primary_key=True),
    sa.Column("machine", sa.Text, primary_key=True),
    sa.Column("cpu_time", sa.Float, nullable=False),
    sa.Column("measured_at", sa.Text, nullable=False),
)

# since schema 5: one text-match score per sample and metric (nl2code.metrics.text); `metric` is the
# metric's name, with its variant where it has one ("codebleu:python", "codebleu-fixed:java")
text_scores = sa.Table(
    "text_scores", metadata,
    sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("idx", sa.Integer, primary_key=True),
    sa.Column("metric", sa.String(64), primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
)

V1_TABLES = [runs, executions, test_outcomes, reference_times]


def _v1(conn: sa.Connection) -> None:
    for table in V1_TABLES:
        table.create(conn, checkfirst=True)


def _v2(conn: sa.Connection) -> None:
    columns = {c["name"] for c in sa.inspect(conn).get_columns("executions")}
    if "examples_passed" not in columns:
        conn.execute(sa.text("ALTER TABLE executions ADD COLUMN examples_passed BOOLEAN"))


def _v3(conn: sa.Connection) -> None:
    columns = {c["name"] for c in sa.inspect(conn).get_columns("runs")}
    if "spec" not in columns:
        conn.execute(sa.text("ALTER TABLE runs ADD COLUMN spec JSON"))


def _v4(conn: sa.Connection) -> None:
    columns = {c["name"] for c in sa.inspect(conn).get_columns("executions")}
    if "copy_of" not in columns:
        conn.execute(sa.text("ALTER TABLE executions ADD COLUMN copy_of INTEGER"))


def _v5(conn: sa.Connection) -> None:
    text_scores.create(conn, checkfirst=True)


# Columns whose values have no natural bound (task ids of other benchmarks, the isolation levels
# of a cluster's nodes, machine names): TEXT since schema 6. SQLite never enforced the old VARCHAR
# lengths, PostgreSQL does, so a value SQLite stored would have failed a run on PostgreSQL.
UNBOUNDED = {
    "runs": ("benchmark", "benchmark_version", "samples_format", "nl2code_version", "isolation"),
    "executions": ("task_id",),
    "reference_times": ("benchmark", "task_id", "machine"),
}


def _v6(conn: sa.Connection) -> None:
    if conn.dialect.name != "postgresql":  # SQLite: TEXT and VARCHAR(n) are the same type
        return
    for table, columns in UNBOUNDED.items():
        conn.execute(sa.text(f"ALTER TABLE {table} " + ", ".join(f"ALTER COLUMN {c} TYPE TEXT" for c in columns)))


def _v7(conn: sa.Connection) -> None:
    columns = {c["name"] for c in sa.inspect(conn).get_columns("runs")}
    if "owner" not in columns:
        conn.execute(sa.text("ALTER TABLE runs ADD COLUMN owner JSON"))
    if "heartbeat" not in columns:
        conn.execute(sa.text("ALTER TABLE runs ADD COLUMN heartbeat FLOAT"))


# Ordered migrations: (version, description, function). Append; never edit a released one.
MIGRATIONS: list[tuple[int, str, Callable[[sa.Connection], None]]] = [
    (1, "runs, executions, test outcomes, reference times", _v1),
    (2, "executions.examples_passed: the prompt's examples, n@k's filter", _v2),
    (3, "runs.spec: the run spec (benchmark, samples, evaluation, executor and generation settings)", _v3),
    (4, "executions.copy_of: a verdict given to an identical sample's copy (duplicate execution)", _v4),
    (5, "text_scores: per-sample text-match metrics", _v5),
    (6, "task ids, benchmark names, isolation levels and machine names as TEXT (PostgreSQL enforced lengths)", _v6),
    (7, "runs.owner and runs.heartbeat: a run whose process died shows as interrupted, not running", _v7),
]
