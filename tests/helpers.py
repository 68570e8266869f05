"""Shared helpers for the core harness tests: real sample files, the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from nl2code.benchmarks import load

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT.parent / "shared" / "datasets"
MBPP = DATASETS / "mbpp.jsonl"
MBPP_SANITIZED = DATASETS / "sanitized-mbpp.json"
MBPP_PLUS = DATASETS / "evalplus" / "MbppPlus_767efcc.jsonl"


def humaneval_completions(path: Path, copies: int = 1, completion=None, limit: int | None = None) -> Path:
    """A human-eval JSONL: each problem's canonical completion (or `completion(problem)`) x copies."""
    bench = load("humaneval")
    with open(path, "w") as f:
        for problem in bench.problems[:limit]:
            text = completion(problem) if completion else problem.reference[len(problem.prompt):]
            for _ in range(copies):
                f.write(json.dumps({"task_id": problem.task_id, "completion": text}) + "\n")
    return path


def cli(*args: str, cwd: Path | None = None, timeout: float = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nl2code", *args],
        capture_output=True, text=True, cwd=cwd, timeout=timeout, env={**os.environ, **(env or {})},
    )


def db_scalar(db: str | Path, sql: str):
    """One value from a results database, a SQLite path or a PostgreSQL URL alike (None while it
    has no such table yet)."""
    import sqlalchemy as sa

    from nl2code.store import database_url

    if "://" not in str(db) and not Path(db).exists():
        return None
    engine = sa.create_engine(database_url(str(db)))
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar()
    except sa.exc.ProgrammingError:  # PostgreSQL: the table does not exist yet
        return None
    except sa.exc.OperationalError as exc:  # SQLite: the same
        if "no such table" in str(exc):
            return None
        raise
    finally:
        engine.dispose()
