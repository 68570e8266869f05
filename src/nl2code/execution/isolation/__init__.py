"""Kernel isolation layers for the executor (Linux): cgroups, namespaces, an unprivileged uid,
a size-capped private sample directory, Landlock and seccomp, all through the standard library.

`make_strong_sandbox` builds the strongest sandbox a worker can have here, or returns None
(then the executor keeps its weak `BasicSandbox`). `probe_layers` checks each layer for
`nl2code doctor`.
"""

from __future__ import annotations

import logging
import sys

from nl2code.execution.isolation.probe import LayerCheck, probe_layers

log = logging.getLogger(__name__)

__all__ = ["LayerCheck", "make_strong_sandbox", "probe_layers"]


def make_strong_sandbox(worker_index: int, n_workers: int):  # noqa: ANN201 - StrongSandbox | None
    if not sys.platform.startswith("linux"):
        return None
    from nl2code.execution.isolation.strong import StrongSandbox

    try:
        return StrongSandbox(worker_index, n_workers)
    except OSError as exc:
        # Typically user namespaces blocked for a non-root evaluator (Docker's default profile).
        log.warning("strong isolation unavailable (%s); using weak isolation", exc)
        return None
