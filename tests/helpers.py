"""Shared helpers for the core harness tests: real sample files, the real CLI in a subprocess."""

from __future__ import annotations

import asyncio
import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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


def run_fields(**overrides) -> dict:
    """The columns of a run row for `Store.create_run`, made-up but well-formed, with overrides."""
    fields = dict(kind="evaluate", fingerprint="f" * 64, benchmark="humaneval", benchmark_version="1.0.3",
                  data_sha256="d" * 64, dataset_path="x", samples_path="s", samples_sha256="s" * 64,
                  samples_format="human-eval-jsonl", model="m", n_samples=1, n_problems=1,
                  nl2code_version="0", isolation="weak", settings={}, machine={}, command="")
    return {**fields, **overrides}


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


def listed_sha256() -> dict[str, str]:
    """The sha256 of each shared dataset file (relative path -> digest), as DATASETS/README.md lists them."""
    lines = (DATASETS / "README.md").read_text().splitlines()
    return {line.split()[1].removeprefix("./"): line.split()[0] for line in lines if line.startswith("    ") and len(line.split()) == 2}


@contextmanager
def data_mirror(served: Path, monkeypatch, cache: Path) -> Iterator[Path]:
    """A real HTTP server on 127.0.0.1 serving the folder `served`, set as nl2code's data mirror
    (NL2CODE_DATA_MIRROR), with the download cache at `cache`."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("NL2CODE_DATA_MIRROR", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("NL2CODE_CACHE", str(cache))
    try:
        yield served
    finally:
        server.shutdown()


def ask(backend, request):
    """One request to a backend, in its own event loop, closing the backend's client after."""
    async def go():
        try:
            return await backend.generate(request)
        finally:
            await backend.aclose()

    return asyncio.run(go())
