"""PHP (php-cli). A test fails by throwing (exit status 255), as MultiPL-E's and mxeval's
evaluators read it."""

from __future__ import annotations

from nl2code.execution.languages._interpreted import Interpreted

LANGUAGE = Interpreted(
    name="php", title="PHP", extension=".php", toolchain=("php",), version_argv=("php", "--version"),
    packages={"apt": ("php-cli",)}, run_argv=("php",), marker_template='echo "\\n{marker}\\n";',
)
