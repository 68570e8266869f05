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
