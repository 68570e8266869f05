"""Reproduced results: published numbers re-measured by nl2code on the generations their authors
released. `reproductions/*.yaml` names the files (repository, commit, path, sha256), the command and
the published figures; `nl2code reproduce` re-runs them and writes `reproductions/results/`.

    from nl2code.reproduce import load_manifests, run, load_records
"""

from __future__ import annotations

from nl2code.reproduce._manifest import Generations, Published, ReleasedFile, Reproduction, default_dir, load_manifests
from nl2code.reproduce._run import ReproductionError, default_roots, load_records, locate, run, samples_file

__all__ = [
    "Generations",
    "Published",
    "ReleasedFile",
    "Reproduction",
    "ReproductionError",
    "default_dir",
    "default_roots",
    "load_manifests",
    "load_records",
    "locate",
    "run",
    "samples_file",
]
