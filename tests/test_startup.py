"""Start-up cost of the CLI: what a command imports, and how."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def python(code: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env={**environ, **env})
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


def test_the_metrics_and_the_commands_that_only_show_runs_do_not_import_numpy():
    code = "import sys, nl2code.metrics, nl2code.pipeline, nl2code.cli.runs, nl2code.cli.evaluate; print('numpy' in sys.modules)"
    assert python(code) == "False"


def test_metrics_import_numpy_when_they_compute_an_interval():
    code = "import sys; from nl2code.metrics import bootstrap_ci; print(bootstrap_ci([0.0, 1.0, 1.0], resamples=10) and 'numpy' in sys.modules)"
    assert python(code) == "True"


THREADS = "int(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('Threads:')))"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="counts threads through /proc")
def test_the_cli_imports_numpy_without_blas_threads_and_leaves_the_environment_as_it_was():
    code = f"import os; from nl2code.cli._common import import_numpy; import_numpy(); import numpy; print({THREADS}, os.environ.get('OPENBLAS_NUM_THREADS'))"
    assert python(code) == "1 None"
    # a value the user set is theirs
    assert python(code, OPENBLAS_NUM_THREADS="2").endswith(" 2")
