"""Kernel isolation layers for the executor (Linux): cgroups, namespaces, an unprivileged uid,
a size-capped private sample directory, Landlock and seccomp, all through the standard library.

`make_strong_sandbox` builds the strongest sandbox a worker can have here, or returns None
(then the executor keeps its weak `BasicSandbox`). `probe_layers` checks each layer for
`nl2code doctor`.
"""

from __future__ import annotations

import logging
import os
import sys

from nl2code.execution.isolation.probe import LayerCheck, probe_layers

log = logging.getLogger(__name__)

__all__ = ["LayerCheck", "make_strong_sandbox", "probe_layers"]


def make_strong_sandbox(worker_index: int, n_workers: int):  # noqa: ANN201 - StrongSandbox | None
    if not sys.platform.startswith("linux"):
        return None
    from nl2code.execution.isolation.strong import StrongSandbox

    # NL2CODE_ISOLATION_SKIP=seccomp,landlock leaves layers out, for measuring what each costs.
    skip = frozenset(x.strip() for x in os.environ.get("NL2CODE_ISOLATION_SKIP", "").split(",") if x.strip())
    try:
        return StrongSandbox(worker_index, n_workers, skip)
    except OSError as exc:
        # Typically user namespaces blocked for a non-root evaluator (Docker's default profile).
        log.warning("strong isolation unavailable (%s); using weak isolation", exc)
        return None
