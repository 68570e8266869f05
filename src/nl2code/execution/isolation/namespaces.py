"""Linux namespaces for the sandbox: no network and a private mount namespace per worker,
size-capped tmpfs mounts for sample directories, a PID namespace per sample, and the user
namespace that gives an unprivileged evaluator the same powers inside its own sandbox.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

from nl2code.execution.isolation import _sys


def enter_network_namespace() -> None:
    """A new, empty network namespace for this process and its children: not even loopback is up."""
    _sys.unshare(_sys.CLONE_NEWNET)


def enter_user_namespace(keep_network: bool = False) -> None:
    """Become root of a new user namespace (mapped to the caller's own ids), by default with a
    network namespace of its own: no network.

    Raises OSError where user namespaces are blocked (Docker's default seccomp profile, a sysctl)."""
    uid, gid = os.getuid(), os.getgid()
    _sys.unshare(_sys.CLONE_NEWUSER | (0 if keep_network else _sys.CLONE_NEWNET))
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"0 {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"0 {gid} 1")


@dataclass(frozen=True, slots=True)
class Reveal:
    """Directories the sample must read (the interpreter, its libraries, nl2code) that sit below
    a directory the sample's uid cannot enter (e.g. /root, mode 700). In the worker's mount
    namespace `hidden` is covered by an empty tmpfs and only `keep` are bound back (the samples'
    uid and Landlock keep them read-only), so nothing else below it can be seen; the machine's
    own permissions stay untouched."""

    hidden: str
    keep: tuple[str, ...]


def _others_can_enter(path: str) -> bool:
    try:
        return bool(os.stat(path).st_mode & 0o001)
    except OSError:
        return False


def blocking_ancestor(path: str) -> str | None:
    """The topmost ancestor of `path` that other users cannot enter, if any."""
    parts = os.path.abspath(path).strip("/").split("/")
    for i in range(1, len(parts)):
        ancestor = "/" + "/".join(parts[:i])
        if not _others_can_enter(ancestor):
            return ancestor
    return None


def plan_reveals(paths: list[str]) -> tuple[Reveal, ...]:
    """Group `paths` by their topmost ancestor that others cannot enter."""
    groups: dict[str, list[str]] = {}
    for raw in paths:
        path = os.path.realpath(raw)
        if not os.path.isdir(path):
            continue
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            ancestor = "/" + "/".join(parts[:i])
            if not _others_can_enter(ancestor):
                groups.setdefault(ancestor, []).append(path)
                break
    reveals = []
    for hidden, keep in sorted(groups.items()):
        unique = sorted(set(keep))
        # a path inside another kept path comes with it
        minimal = [p for p in unique if not any(p != q and p.startswith(q + "/") for q in unique)]
        reveals.append(Reveal(hidden, tuple(minimal)))
    return tuple(reveals)


def interpreter_paths() -> list[str]:
    import sys

    import nl2code

    paths = [p for p in sys.path if p]
    paths += [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))]
    paths.append(os.path.dirname(os.path.dirname(os.path.abspath(nl2code.__file__))))
    return paths


def worker_paths() -> list[str]:
    """What a worker itself needs beyond the interpreter: the temporary directory it works in."""
    import tempfile

    return [*interpreter_paths(), tempfile.gettempdir()]


def apply_reveals(reveals: tuple[Reveal, ...]) -> None:
    """In the caller's own (already private) mount namespace, cover each `hidden` directory with
    an empty tmpfs and bind back only the paths to `keep`."""
    for reveal in reveals:
        fds = [os.open(p, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC) for p in reveal.keep]
        try:
            _sys.mount("tmpfs", reveal.hidden, "tmpfs", _sys.MS_NOSUID | _sys.MS_NODEV, "size=64k,nr_inodes=4096,mode=755")
            for path, fd in zip(reveal.keep, fds):
                os.makedirs(path, mode=0o755, exist_ok=True)
                _sys.mount(f"/proc/self/fd/{fd}", path, None, _sys.MS_BIND | _sys.MS_REC)
        finally:
            for fd in fds:
                os.close(fd)


def enter_private_mounts(reveals: tuple[Reveal, ...] = ()) -> None:
    """A private mount namespace for this process (a worker), with `reveals` applied."""
    _sys.unshare(_sys.CLONE_NEWNS)
    _sys.mount(None, "/", None, _sys.MS_REC | _sys.MS_PRIVATE)
    apply_reveals(reveals)


def enter_sample_mounts(
    sample_dir: str, size_bytes: int, inodes: int, uid: int, gid: int, reveals: tuple[Reveal, ...] = (),
    extra_flags: int = 0, make_private: bool = True, cover: str | None = None,
) -> None:
    """In a new mount namespace (plus `extra_flags` namespaces): apply `reveals`, then mount a
    fresh tmpfs of at most `size_bytes` and `inodes` over `sample_dir`, owned by uid:gid.

    Everything the sample writes vanishes with its last process; no other sample sees it.
    `make_private=False` skips re-marking the mounts private (the worker already did).
    `cover`: an ancestor of `sample_dir` the sample's uid cannot enter; it is covered with an
    empty tmpfs in which only the path down to `sample_dir` exists, so the sample reaches its
    own directory by its absolute path and sees nothing else there."""
    _sys.unshare(_sys.CLONE_NEWNS | extra_flags)
    if make_private:
        _sys.mount(None, "/", None, _sys.MS_REC | _sys.MS_PRIVATE)
    apply_reveals(reveals)
    if cover is not None:
        _sys.mount("tmpfs", cover, "tmpfs", _sys.MS_NOSUID | _sys.MS_NODEV, "size=64k,nr_inodes=256,mode=755")
        os.makedirs(sample_dir, mode=0o755, exist_ok=True)
    opts = f"size={max(size_bytes, 4096)},nr_inodes={inodes},mode=700,uid={uid},gid={gid}"
    _sys.mount("tmpfs", sample_dir, "tmpfs", _sys.MS_NOSUID | _sys.MS_NODEV, opts)


def start_pid_namespace() -> int:
    """Put every process this one starts from now on into a new PID namespace, whose PID 1 is
    a minimal init forked here (returned). The init dies with the caller; when it dies, the
    kernel kills every process left in the namespace."""
    _sys.unshare(_sys.CLONE_NEWPID)
    pid = os.fork()
    if pid == 0:
        _pid1()
    return pid


def children_of(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", "rb") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def _pid1() -> None:
    """PID 1 of a worker's namespace: holds none of its files, reaps orphans, never returns."""
    try:
        _sys.prctl(_sys.PR_SET_PDEATHSIG, signal.SIGKILL)
        os.closerange(0, 1 << 16)
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # orphans are reaped by the kernel
        while True:
            signal.pause()
    finally:
        os._exit(0)
