"""Julia, where `julia` is on PATH: no registry here packages it (Debian 12 has none), so nl2code
never installs it and `doctor` says where to get it.

MultiPL-E's Julia tests are a top-level `@testset`: when one of its `@test`s fails or throws,
the test set throws at its end and julia exits with status 1, the status MultiPL-E's evaluator
reads. The program runs as a script in one stage; the marker is printed after the test set.
Julia reserves large virtual memory for its heap and code: its memory is capped by the cgroup,
not by RLIMIT_AS. Its depot (compile caches, logs) is the sample's own HOME, thrown away with it.
"""

from __future__ import annotations

from nl2code.execution.languages import toolchain_prefix
from nl2code.execution.languages._interpreted import Interpreted

LANGUAGE = Interpreted(
    name="julia", title="Julia", extension=".jl", toolchain=("julia",), version_argv=("julia", "--version"),
    aliases=("jl", "humaneval_to_julia.py"), install_from="https://julialang.org/downloads/",
    run_argv=("julia", "--startup-file=no", "--history-file=no", "--color=no"),
    marker_template='print("\\n{marker}\\n")', address_space=False, processes=128, min_cpu_seconds=5.0,
    read_paths=toolchain_prefix("julia"),
)
