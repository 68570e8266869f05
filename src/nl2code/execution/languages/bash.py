"""Bash. MultiPL-E's tests `set -e` and run `[[ ... ]]` checks: the first failed one exits non-zero."""

from __future__ import annotations

from nl2code.execution.languages._interpreted import Interpreted

LANGUAGE = Interpreted(
    name="bash", title="Bash", extension=".sh", toolchain=("bash",), version_argv=("bash", "--version"),
    aliases=("sh", "shell"), packages={"apt": ("bash",)}, run_argv=("bash",),
    marker_template='printf "\\n%s\\n" "{marker}"',
)
