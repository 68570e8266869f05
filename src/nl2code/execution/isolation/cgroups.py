"""One cgroup per worker, reused by each of its samples in turn: memory and process caps, and a
kill that no fork race escapes (cgroup v2 `cgroup.kill`, or v1 freezer: freeze, kill, thaw).

The cgroups are made below the cgroups the worker already lives in, so whatever limits the
machine puts on the evaluator keep holding for its samples.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

ROOT = "/sys/fs/cgroup"
V1_CONTROLLERS = ("memory", "pids", "freezer")


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


def _write(path: str, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def _own_cgroups() -> dict[str, str]:
    """controller name ("" for the v2 hierarchy) -> this process's cgroup path."""
    found: dict[str, str] = {}
    for line in _read("/proc/self/cgroup").splitlines():
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            found[name] = path
    return found


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class WorkerCgroup:
    """The cgroup (one directory per controller) that holds one worker's current sample."""

    dirs: dict[str, str]  # controller -> directory ("" for v2)
    version: int
    _procs_files: tuple[str, ...] = field(default=(), init=False)

    def __post_init__(self) -> None:
        self._procs_files = tuple(os.path.join(d, "cgroup.procs") for d in self.dirs.values())

    @property
    def label(self) -> str:
        return f"cgroup-v{self.version}"

    def set_limits(self, memory_bytes: int, processes: int) -> None:
        if self.version == 2:
            _write(os.path.join(self.dirs[""], "memory.max"), str(memory_bytes))
            _write(os.path.join(self.dirs[""], "pids.max"), str(processes))
            return
        _write(os.path.join(self.dirs["memory"], "memory.limit_in_bytes"), str(memory_bytes))
        _write(os.path.join(self.dirs["pids"], "pids.max"), str(processes))

    def enter(self) -> None:
        """Move the calling process into the cgroup (called in the sample's child, as root)."""
        for procs in self._procs_files:
            _write(procs, "0")

    def pids(self) -> list[int]:
        found: set[int] = set()
        for procs in self._procs_files:
            try:
                found.update(int(x) for x in _read(procs).split())
            except OSError:
                pass
        return sorted(found)

    def oom_kills(self) -> int:
        """How many processes the kernel's OOM killer took from this cgroup so far."""
        path = (
            os.path.join(self.dirs[""], "memory.events") if self.version == 2
            else os.path.join(self.dirs["memory"], "memory.oom_control")
        )
        try:
            for line in _read(path).splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except OSError:
            pass
        return 0

    def kill_all(self, timeout: float = 5.0) -> bool:
        """SIGKILL every process in the cgroup; True once it is empty."""
        if self.version == 2:
            _write(os.path.join(self.dirs[""], "cgroup.kill"), "1")
            return self._wait_empty(timeout)
        freezer = self.dirs.get("freezer")
        deadline = time.monotonic() + timeout
        while self.pids():
            if freezer:
                self._freeze(freezer, deadline)
            for pid in self.pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if freezer:
                _write(os.path.join(freezer, "freezer.state"), "THAWED")
            if self._wait_empty(0.05) or time.monotonic() > deadline:
                break
        return not self.pids()

    def _freeze(self, freezer: str, deadline: float) -> None:
        state = os.path.join(freezer, "freezer.state")
        _write(state, "FROZEN")
        while _read(state).strip() != "FROZEN" and time.monotonic() < deadline:
            time.sleep(0.0005)

    def _wait_empty(self, timeout: float) -> bool:
        # Killed processes leave the cgroup only once they are reaped; the caller reaps.
        end = time.monotonic() + timeout
        while self.pids():
            if time.monotonic() > end:
                return False
            _reap_some()
            time.sleep(0.0005)
        return True

    def remove(self) -> None:
        self.kill_all(timeout=1.0)
        for d in self.dirs.values():
            try:
                os.rmdir(d)
            except OSError as exc:
                log.debug("cgroup %s not removed: %s", d, exc)


def _reap_some() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _remove_stale(parent: str) -> None:
    """Remove empty cgroups of workers that died without cleaning up (kill -9)."""
    try:
        names = os.listdir(parent)
    except OSError:
        return
    for name in names:
        if not name.startswith("nl2code-"):
            continue
        try:
            owner = int(name.rsplit("-", 1)[1])
        except ValueError:
            continue
        if not _pid_alive(owner):
            try:
                os.rmdir(os.path.join(parent, name))
            except OSError:
                pass


def create_worker_cgroup(tag: str | None = None) -> WorkerCgroup:
    """Create this worker's cgroup; raises OSError where no writable hierarchy has what we need."""
    name = f"nl2code-{tag or os.getpid()}"
    own = _own_cgroups()
    v1_dirs = {c: os.path.join(ROOT, c) for c in V1_CONTROLLERS}
    if all(os.path.exists(os.path.join(d, "cgroup.procs")) for d in v1_dirs.values()) and all(c in own for c in V1_CONTROLLERS):
        dirs = {}
        try:
            for c in V1_CONTROLLERS:
                parent = os.path.join(v1_dirs[c], own[c].lstrip("/"))
                _remove_stale(parent)
                path = os.path.join(parent, name)
                os.makedirs(path, exist_ok=True)
                dirs[c] = path
        except OSError:
            for d in dirs.values():
                try:
                    os.rmdir(d)
                except OSError:
                    pass
            raise
        return WorkerCgroup(dirs, 1)
    return _create_v2(name, own)


def _v2_root() -> str | None:
    for candidate in (ROOT, os.path.join(ROOT, "unified")):
        if os.path.exists(os.path.join(candidate, "cgroup.controllers")):
            return candidate
    return None


def _create_v2(name: str, own: dict[str, str]) -> WorkerCgroup:
    root = _v2_root()
    if root is None or "" not in own:
        raise OSError(38, "no cgroup hierarchy with memory, pids and freezer controllers")
    parent = os.path.join(root, own[""].lstrip("/"))
    available = _read(os.path.join(parent, "cgroup.subtree_control")).split()
    if not {"memory", "pids"} <= set(available):
        # Enabling controllers for our children needs a parent without processes of its own
        # (cgroup v2's no-internal-process rule); a delegated, empty parent is required.
        raise OSError(95, f"cgroup v2 {parent}: memory and pids are not enabled for child cgroups")
    _remove_stale(parent)
    path = os.path.join(parent, name)
    os.makedirs(path, exist_ok=True)
    if not os.path.exists(os.path.join(path, "cgroup.kill")):
        os.rmdir(path)
        raise OSError(95, "cgroup v2 without cgroup.kill (kernel < 5.14)")
    return WorkerCgroup({"": path}, 2)
