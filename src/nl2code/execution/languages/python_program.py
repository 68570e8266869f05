"""Python run as a whole program (`python main.py`), as MultiPL-E's and mxeval's evaluators run
it: for MultiPL-E's Python problems and MathQA-X's, whose tests assert at module level. The
HumanEval-style benchmarks keep the fork-server's step protocol (`python`)."""

from __future__ import annotations

import sys

from nl2code.execution.languages._interpreted import Interpreted

LANGUAGE = Interpreted(
    name="python-program", title="Python (whole program)", extension=".py", toolchain=(sys.executable,),
    version_argv=(sys.executable, "--version"), aliases=("py-program",), packages={}, run_argv=(sys.executable,),
    marker_template='print("\\n{marker}", flush=True)',
)
