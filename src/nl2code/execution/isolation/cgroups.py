"""One cgroup per worker, reused by each of its samples in turn: memory and process caps, and a
kill that no fork race escapes (cgroup v2 `cgroup.kill`; v1: pids.max clamped, then SIGKILL).

The cgroups are made below the cgroups the worker already lives in, so whatever limits the
machine puts on the evaluator keep holding for its samples.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from dataclasses import dataclass, field

from nl2code.execution._sandbox import reap_all

log = logging.getLogger(__name__)

ROOT = "/sys/fs/cgroup"
V1_CONTROLLERS = ("memory", "pids")


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


def _fast_write(path: str, value: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, value)
    finally:
        os.close(fd)


def _pread_all(fd: int) -> bytes:
    """The whole content of an open cgroup file, read from its start (a kept descriptor of a
    counter file such as memory.oom_control shows the current values on every read)."""
    chunks = []
    offset = 0
    while chunk := os.pread(fd, 65536, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


WORKER_MEMORY_MARGIN = 512 * 1024**2  # the worker's own memory, charged to the same cgroup (v1)


@dataclass
class WorkerCgroup:
    """The cgroup (one directory per controller) that holds one worker's current sample.

    cgroup v1: the worker itself moves in once, so each child is born inside and no sample pays
    for a cgroup migration (a costly, RCU-synchronised operation); the worker is exempt from the
    OOM killer (or, without CAP_SYS_RESOURCE, its samples are the OOM killer's first choice) and the
    kill spares it. cgroup v2: the child moves into a leaf the worker is not in
    (no internal processes), killed with `cgroup.kill`.

    The worker writes the limits (`set_limits`) only when they change and keeps the OOM counter
    open: per sample that leaves one write in the child and two reads in the worker."""

    dirs: dict[str, str]  # controller -> directory ("" for v2)
    version: int
    owner: int | None = None  # the worker's pid, when it lives inside (v1)
    _procs: str = field(default="", init=False)
    _oom_fd: int = field(default=-1, init=False)
    _pids_max: bytes = field(default=b"max", init=False)  # the process cap in force, restored after a kill
    _limits: tuple[int, int] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._procs = os.path.join(self.dirs["pids" if self.version == 1 else ""], "cgroup.procs")

    @property
    def label(self) -> str:
        return f"cgroup-v{self.version}"

    def adopt_worker(self) -> None:
        """v1: move the calling worker in, shielded from the OOM killer (its children reset that)."""
        if self.version != 1:
            return
        try:
            _write("/proc/self/oom_score_adj", "-1000")
        except OSError:  # no CAP_SYS_RESOURCE: the children's +1000 still makes them the victims
            log.debug("worker not exempted from the OOM killer")
        for d in self.dirs.values():
            _write(os.path.join(d, "cgroup.procs"), str(os.getpid()))
        self.owner = os.getpid()

    def set_limits(self, memory_bytes: int, processes: int) -> None:
        """In the worker, before a sample's fork: the caps of the next sample, written only when
        they differ from the last sample's. v1 counts the worker in the same cgroup, so its own
        memory and the worker and child processes are added to the caps."""
        if self._limits == (memory_bytes, processes):
            return
        self._limits = None  # unknown until both writes succeeded
        if self.version == 2:
            memory, self._pids_max = str(memory_bytes).encode(), str(processes).encode()
            _fast_write(os.path.join(self.dirs[""], "memory.max"), memory)
            _fast_write(os.path.join(self.dirs[""], "pids.max"), self._pids_max)
        else:
            memory, self._pids_max = str(memory_bytes + WORKER_MEMORY_MARGIN).encode(), str(processes + 2).encode()
            _fast_write(os.path.join(self.dirs["memory"], "memory.limit_in_bytes"), memory)
            _fast_write(os.path.join(self.dirs["pids"], "pids.max"), self._pids_max)
        self._limits = (memory_bytes, processes)

    def enter(self) -> None:
        """In the sample's child, as root, after `set_limits` in the worker: v1 makes this process
        the OOM killer's first choice; v2 moves it into the cgroup."""
        if self.version == 2:
            _fast_write(self._procs, b"0")
        else:
            _fast_write("/proc/self/oom_score_adj", b"1000")

    def pids(self) -> list[int]:
        # Opened anew each time: cgroup v1 keeps the list of an open cgroup.procs and serves it
        # again to a reread (a kept descriptor would see processes long gone, and miss new ones).
        try:
            fd = os.open(self._procs, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return []
        try:
            found = [int(x) for x in _pread_all(fd).split()]
        except OSError:
            return []
        finally:
            os.close(fd)
        return [p for p in found if p != self.owner]

    def oom_kills(self) -> int:
        """How many processes the kernel's OOM killer took from this cgroup so far."""
        if self._oom_fd < 0:
            path = (
                os.path.join(self.dirs[""], "memory.events") if self.version == 2
                else os.path.join(self.dirs["memory"], "memory.oom_control")
            )
            try:
                self._oom_fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            except OSError:
                return 0
        try:
            for line in _pread_all(self._oom_fd).splitlines():
                key, _, value = line.partition(b" ")
                if key == b"oom_kill":
                    return int(value)
        except OSError:
            pass
        return 0

    def kill_all(self, timeout: float = 5.0) -> bool:
        """SIGKILL every process in the cgroup but the worker; True once none is left."""
        if not self.pids():
            return True
        if self.version == 2:
            _write(os.path.join(self.dirs[""], "cgroup.kill"), "1")
            return self._wait_empty(timeout)
        # No fork succeeds once pids.max is at the worker alone: the kill loop cannot be outrun.
        pids_max = os.path.join(self.dirs["pids"], "pids.max")
        _fast_write(pids_max, b"1")
        deadline = time.monotonic() + timeout
        while (left := self.pids()) and time.monotonic() < deadline:
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self._wait_empty(0.05)
        _fast_write(pids_max, self._pids_max)
        return not self.pids()

    def _wait_empty(self, timeout: float) -> bool:
        # Killed processes leave the cgroup only once they are reaped; the worker, a child
        # subreaper, inherits them, so reap here.
        end = time.monotonic() + timeout
        while self.pids():
            if time.monotonic() > end:
                return False
            reap_all()
            time.sleep(0.0002)
        return True

    def close(self) -> None:
        if self._oom_fd >= 0:
            os.close(self._oom_fd)
            self._oom_fd = -1

    def remove(self) -> None:
        self.kill_all(timeout=1.0)
        self.close()
        if self.owner == os.getpid():
            return  # still inside: the directories go once this worker has exited (stale sweep)
        for d in self.dirs.values():
            try:
                os.rmdir(d)
            except OSError as exc:
                log.debug("cgroup %s not removed: %s", d, exc)


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
        raise OSError(38, "no cgroup hierarchy with memory and pids controllers")
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
