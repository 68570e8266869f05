"""The isolation hook of the executor: what a worker does around each sample's child process.

A `Sandbox` is built once per worker (`make_sandbox`); `before_fork` runs in the worker before
each sample's fork, `child_enter` in the forked child before any untrusted code, `cleanup` in
the worker after the child is reaped. The weak `BasicSandbox` works on any POSIX system: own
session, rlimits, the sample directory, and a sweep that kills every process a sample left
behind (the worker is a child subreaper on Linux).
Stronger layers (namespaces, cgroups, Landlock, seccomp) live in `nl2code.execution.isolation`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import resource
import signal
import sys
import time
from typing import Protocol

from nl2code.records import Limits

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36

_libc = None


def libc() -> ctypes.CDLL | None:
    global _libc
    if _libc is None and sys.platform.startswith("linux"):
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return _libc


def prctl(option: int, arg: int) -> bool:
    lib = libc()
    return lib is not None and lib.prctl(option, arg, 0, 0, 0) == 0


class Sandbox(Protocol):
    level: str

    def before_fork(self, limits: Limits) -> None: ...

    def child_enter(self, sample_dir: str, limits: Limits) -> None: ...

    def cleanup(self, pid: int) -> None: ...


def rlimit_cpu_seconds(cpu_seconds: float) -> int:
    """RLIMIT_CPU's soft limit for a CPU limit: whole seconds, at least one. A limit below it
    is enforced by the worker (`_worker.CpuWatch`)."""
    return max(1, int(cpu_seconds + 0.999))


def set_rlimits(limits: Limits) -> None:
    cpu = rlimit_cpu_seconds(limits.cpu_seconds)
    # soft limit raises SIGXCPU, the hard limit one second later is SIGKILL.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    for which, value in (
        *(((resource.RLIMIT_AS, limits.memory_bytes),) if limits.address_space else ()),
        (resource.RLIMIT_FSIZE, limits.file_size_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_NPROC, limits.processes),
        (resource.RLIMIT_CORE, 0),
    ):
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError) as exc:  # a hard limit already lower: keep it
            log.debug("rlimit %s not set: %s", which, exc)


def children_of_self() -> list[int]:
    """Direct children of this process (Linux: one read of /proc, no scan)."""
    pid = os.getpid()
    try:
        with open(f"/proc/{pid}/task/{pid}/children", "rb") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def reap_all() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_leftovers(pid: int, keep: frozenset[int] = frozenset()) -> None:
    """Kill the sample's process group, then every process reparented to this subreaper."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for _ in range(1000):
        reap_all()
        left = [c for c in children_of_self() if c not in keep]
        if not left:
            return
        for child in left:
            for kill in (os.killpg, os.kill):
                try:
                    kill(child, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        time.sleep(0.001)
    log.warning("processes left by a sample survive repeated SIGKILL: %s", children_of_self())


class BasicSandbox:
    """Weak isolation: a session, rlimits and a kill sweep. Hostile code can still read and
    write what the worker's user can, and reach the network."""

    level = "weak"

    def __init__(self, worker_index: int = 0, n_workers: int = 1) -> None:
        self.worker_index = worker_index
        self.n_workers = n_workers
        self.subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1)

    def before_fork(self, limits: Limits) -> None:
        """In the worker, before each sample's fork: nothing to prepare here."""

    def child_enter(self, sample_dir: str, limits: Limits) -> None:
        os.setsid()
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        os.chdir(sample_dir)
        set_rlimits(limits)

    def cleanup(self, pid: int) -> None:
        kill_leftovers(pid)


def make_sandbox(mode: str, worker_index: int, n_workers: int) -> Sandbox:
    """Build the sandbox for one worker. `mode`: "auto" (the strongest available here), "strong"
    (kernel isolation or an error) or "weak"."""
    from nl2code.errors import ConfigError

    if mode not in {"weak", "auto", "strong"}:
        raise ConfigError(f"unknown isolation mode {mode!r} (--isolation): use 'auto', 'strong' or 'weak'")
    if mode != "weak":
        from nl2code.execution.isolation import make_strong_sandbox

        strong = make_strong_sandbox(worker_index, n_workers)
        if strong is not None:
            return strong
        if mode == "strong":
            raise ConfigError("strong isolation is not available here (see `nl2code doctor`); use --isolation auto or weak")
    return BasicSandbox(worker_index, n_workers)
