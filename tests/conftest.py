from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DATASETS = SHARED / "datasets"


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    if not DATASETS.is_dir():
        pytest.fail(f"expected the shared datasets at {DATASETS}")
    return DATASETS
