from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DATASETS = SHARED / "datasets"


def pytest_configure(config):
    """Parsed benchmark problems are cached in a directory of this session (the tests and the CLI
    they start inherit it), never in the user's ~/.cache."""
    directory = tempfile.mkdtemp(prefix="nl2code-problems-")
    os.environ["NL2CODE_PROBLEM_CACHE"] = directory
    config.add_cleanup(lambda: shutil.rmtree(directory, ignore_errors=True))


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    if not DATASETS.is_dir():
        pytest.fail(f"expected the shared datasets at {DATASETS}")
    return DATASETS


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL server for the whole session (tests/pg_server.py); each test that
    needs one takes its own empty database from it."""
    from pg_server import PostgresServer

    try:
        server = PostgresServer().start()
    except RuntimeError as exc:
        pytest.fail(f"could not start a PostgreSQL server: {exc}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """A fresh, empty results database: a SQLite file, then a database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "nl2code.db")
    return request.getfixturevalue("postgres_server").new_database()


@pytest.fixture(scope="session")
def ray_address() -> str:
    """One local Ray head for the whole session (2 CPUs; tests/ray_cluster.py): starting one takes
    10-30 s here, so tests join it rather than start their own."""
    try:
        import ray  # noqa: F401
    except ImportError:
        pytest.fail("the ray extra is not installed (the test extra includes it): pip install -e '.[test]'")
    from ray_cluster import RayNode

    try:
        head = RayNode(num_cpus=2).start()
    except RuntimeError as exc:
        pytest.fail(f"could not start a Ray head: {exc}")
    yield head.address
    head.stop()
