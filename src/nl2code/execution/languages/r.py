"""R (Rscript). A failed `stopifnot` stops the script with exit status 1."""

from __future__ import annotations

from nl2code.execution.languages._interpreted import Interpreted

LANGUAGE = Interpreted(
    name="r", title="R", extension=".r", toolchain=("Rscript",), version_argv=("Rscript", "--version"),
    aliases=("rscript",), packages={"apt": ("r-base-core",)}, run_argv=("Rscript",),
    marker_template='cat("\\n{marker}\\n")',
)
