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
