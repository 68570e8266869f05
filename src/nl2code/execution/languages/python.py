"""Python: run by the fork-server's own child (the in-process step protocol), not in stages."""

from __future__ import annotations

import sys

from nl2code.execution.languages import Language

LANGUAGE = Language(
    name="python",
    title="Python",
    extension=".py",
    toolchain=(sys.executable,),
    version_argv=(sys.executable, "--version"),
    aliases=("py", "python3"),
    packages={},
    staged=False,
)
