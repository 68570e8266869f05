"""Opening a results database: a SQLite file or a PostgreSQL server, with the checks and the
lock that several processes opening one database at once need.

Every table nl2code keeps (the store's and the generation cache's) is created or migrated inside
`schema_lock`: two drivers started at the same moment against an empty PostgreSQL database would
otherwise both run CREATE TABLE and one would fail on PostgreSQL's catalog
(``pg_type_typname_nsp_index``)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from nl2code.errors import MissingExtraError, StoreError

log = logging.getLogger(__name__)

# What the store uses is older (ON CONFLICT is 9.5), but releases before 12 are long out of
# support and neither psycopg 3 nor nl2code's tests cover them.
MIN_POSTGRES = (12, 0)
CONNECT_TIMEOUT_S = 10
# pg_advisory_xact_lock key of nl2code's schema changes: any fixed 64-bit number unlikely to be
# used by another application sharing the database ("nl2c" "ode1" in ASCII).
SCHEMA_LOCK_KEY = 0x6E6C3263_6F646531
SQLITE_BUSY_MS = 30000


def database_url(db: str) -> str:
    """A file path becomes a SQLite URL; anything with '://' is taken as an SQLAlchemy URL.
    A plain ``postgresql://`` (or ``postgres://``) URL means psycopg 3, the driver of the
    ``postgres`` extra (SQLAlchemy would otherwise pick psycopg2)."""
    if "://" not in db:
        path = Path(db).expanduser()
        if path.parent and not path.parent.exists():
            raise StoreError(f"--db {db}: the folder {path.parent} does not exist; create it or pick another path")
        return f"sqlite:///{path.resolve()}"
    scheme, rest = db.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return db


def shown(url: str | sa.URL) -> str:
    """The URL as it may appear in a message or a log: without its password."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return str(url)


def create_engine(db: str) -> sa.Engine:
    """An engine for --db, checked: the driver is installed, the server answers and is recent enough.
    Raises StoreError (MissingExtraError for a missing driver) naming the flag and the fix."""
    url = database_url(db)
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"--db {db}: cannot open ({exc}); pass a file path or an SQLAlchemy URL") from exc
    _check_supported(db, parsed)
    try:
        engine = sa.create_engine(parsed, **_engine_options(parsed))
    except ModuleNotFoundError as exc:
        if parsed.get_backend_name() == "postgresql":
            raise MissingExtraError("psycopg", "postgres", f"--db {shown(parsed)}") from exc
        raise StoreError(f"--db {shown(parsed)}: the database driver is not installed ({exc})") from exc
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"--db {shown(parsed)}: cannot open ({exc}); pass a file path or an SQLAlchemy URL") from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    if engine.dialect.name == "postgresql":
        _check_postgres(engine)
    return engine


SUPPORTED = {"sqlite": ("", "pysqlite"), "postgresql": ("psycopg",)}  # backend -> the drivers the store is tested with ("": the default)


def _check_supported(db: str, url: sa.URL) -> None:
    """SQLite, and PostgreSQL through psycopg 3 (the postgres extra), are what the store is built
    and tested on: another database or driver is refused here, by name, rather than failing later
    on a driver that is missing or behaves otherwise."""
    backend, _, driver = url.drivername.partition("+")  # by name: loading an unknown dialect fails with an import error
    if backend not in SUPPORTED:
        raise StoreError(f"--db {shown(url)}: {backend} is not supported; nl2code stores runs in SQLite (pass a file path) "
                         "or PostgreSQL (postgresql://USER@HOST:PORT/DB)")
    if driver not in SUPPORTED[backend]:
        fix = "write it as postgresql://USER@HOST:PORT/DB (psycopg 3, the postgres extra)" if backend == "postgresql" else "pass a file path"
        raise StoreError(f"--db {shown(url)}: the {driver} driver is not supported; {fix}")


def _engine_options(url: sa.URL) -> dict[str, Any]:
    if url.get_backend_name() != "postgresql":
        return {}
    # an unreachable host fails in seconds, not after the operating system's TCP timeout
    return {"connect_args": {"connect_timeout": CONNECT_TIMEOUT_S}, "pool_pre_ping": True}


def _check_postgres(engine: sa.Engine) -> None:
    try:
        with engine.connect() as conn:
            version = conn.dialect.server_version_info or (0,)
    except sa.exc.OperationalError as exc:
        where = f"{engine.url.host or 'localhost'}:{engine.url.port or 5432}"
        raise StoreError(
            f"--db {shown(engine.url)}: cannot connect to PostgreSQL at {where} ({_first_line(exc.orig or exc)}); "
            "check that the server runs and accepts TCP connections there, and the user, password and database name"
        ) from exc
    if tuple(version[:2]) < MIN_POSTGRES:
        engine.dispose()
        have = ".".join(str(v) for v in version)
        need = ".".join(str(v) for v in MIN_POSTGRES)
        raise StoreError(f"--db {shown(engine.url)}: PostgreSQL {have} is not supported; nl2code needs PostgreSQL {need} or newer")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


@contextmanager
def schema_lock(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that holds nl2code's schema lock until it commits: one process at a time
    creates or migrates tables, the others wait and then find the work done.

    PostgreSQL: a transaction-level advisory lock (DDL is transactional there, so a failed
    migration leaves nothing behind). SQLite: BEGIN IMMEDIATE takes the database's write lock at
    once; pysqlite would otherwise run CREATE TABLE outside any transaction."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        elif conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn


def bulk_insert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows in the connection's transaction. PostgreSQL: one COPY, since an
    executemany through psycopg sends a statement a row, and a multi-row VALUES statement is
    slower still to prepare (psycopg parses its placeholders in Python)."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    columns = [c.name for c in table.columns]
    defaults = {c.name: c.default.arg for c in table.columns if c.default is not None and not callable(c.default.arg)}
    cursor = conn.connection.driver_connection.cursor()
    with cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] if c in row else defaults.get(c) for c in columns])


def insert_ignoring_duplicates(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """INSERT rows, keeping the stored row where one with the same key exists (ON CONFLICT DO NOTHING)."""
    if rows:
        conn.execute(_dialect_insert(conn, table).on_conflict_do_nothing(), rows)


def upsert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """INSERT rows, replacing the non-key columns of a stored row with the same key."""
    if not rows:
        return
    statement = _dialect_insert(conn, table)
    keys = [c.name for c in table.primary_key.columns]
    replace = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
    conn.execute(statement.on_conflict_do_update(index_elements=keys, set_=replace), rows)


def _dialect_insert(conn: sa.Connection, table: sa.Table):
    name = conn.dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise StoreError(f"{name} databases are not supported by the results store; use SQLite or PostgreSQL")
    return insert(table)
