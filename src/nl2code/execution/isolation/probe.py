"""Checks that each isolation layer really works on this machine, each in a throw-away child
process that applies the layer and then tries what the layer must stop (`nl2code doctor`)."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from nl2code.execution.isolation import _sys, cgroups, landlock, namespaces, seccomp
from nl2code.execution.isolation.strong import _probe_in_child


@dataclass(frozen=True, slots=True)
class LayerCheck:
    name: str
    ok: bool
    detail: str


class ProbeFailed(Exception):
    """The layer was applied but what it must stop still worked."""


def _expect_errno(fn: Callable[[], object], codes: set[int], what: str) -> None:
    try:
        fn()
    except OSError as exc:
        if exc.errno in codes:
            return
        raise ProbeFailed(f"{what}: unexpected {exc!r}") from exc
    raise ProbeFailed(f"{what} still works")


def in_temp_dirs(n: int, fn: Callable[..., None]) -> None:
    """Run `fn(*dirs)` in a forked child with `n` fresh directories, removed afterwards from
    here (the child may have mounted over them or lost the right to delete them)."""
    dirs = [tempfile.mkdtemp(prefix="nl2code-probe-") for _ in range(n)]
    try:
        error = _probe_in_child(lambda: fn(*dirs))
    finally:
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)
    if error is not None:
        raise ProbeFailed(error)


def check_network_namespace() -> None:
    if os.geteuid() != 0:
        namespaces.enter_user_namespace()  # brings its own network namespace
    else:
        namespaces.enter_network_namespace()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        _expect_errno(lambda: s.connect(("1.1.1.1", 53)), {errno.ENETUNREACH, errno.EHOSTUNREACH}, "connect 1.1.1.1")


def check_user_namespace() -> None:
    namespaces.enter_user_namespace()
    if os.getuid() != 0:
        raise ProbeFailed("not root inside the new user namespace")


def check_sample_tmpfs() -> None:
    if os.geteuid() != 0:
        namespaces.enter_user_namespace()
    in_temp_dirs(1, _tmpfs_caps_size)


def _tmpfs_caps_size(d: str) -> None:
    namespaces.enter_sample_mounts(d, 1 << 20, 64, 0, 0)
    chunk = b"x" * (64 << 10)

    def fill() -> None:
        with open(os.path.join(d, "big"), "wb", buffering=0) as f:
            for _ in range(32):
                f.write(chunk)

    _expect_errno(fill, {errno.ENOSPC}, "writing 2 MiB into a 1 MiB directory")


def check_pid_namespace() -> None:
    if os.geteuid() != 0:
        namespaces.enter_user_namespace()
    _sys.unshare(_sys.CLONE_NEWPID)
    pid = os.fork()
    if pid == 0:
        os._exit(0 if os.getpid() == 1 else 1)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise ProbeFailed("the first process of the new PID namespace is not PID 1")


def check_cgroup() -> None:
    group = cgroups.create_worker_cgroup(f"probe-{os.getpid()}")
    group.adopt_worker()
    group.set_limits(256 << 20, 3)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        group.enter()
        os.setsid()
        if os.fork() == 0:  # a grandchild that leaves the session: a process-group kill misses it
            os.setsid()
        try:
            for _ in range(10):  # the process cap (3 + worker + child) stops this loop
                if os.fork() == 0:
                    break
        except OSError:
            os.write(w, b"capped")
        while True:
            signal.pause()
    os.close(w)
    capped = os.read(r, 6)
    os.close(r)
    if capped != b"capped":
        raise ProbeFailed("the process cap of the cgroup did not stop a fork loop")
    if len(group.pids()) < 2:
        raise ProbeFailed(f"expected the sample's processes in the cgroup, found {group.pids()}")
    if not group.kill_all():
        raise ProbeFailed("processes survived the cgroup kill")


def check_uid_drop() -> None:
    if os.geteuid() != 0:
        raise ProbeFailed("needs root")
    os.setgroups([])
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)
    _expect_errno(lambda: os.setresuid(0, 0, 0), {errno.EPERM}, "regaining root")


def check_landlock() -> None:
    policy = landlock.make_policy()
    if policy.abi < 1:
        raise OSError(errno.ENOSYS, "Landlock is not available on this kernel")

    def confined(own: str, other: str) -> None:
        landlock.restrict(policy, (own,))
        with open(os.path.join(own, "ok"), "w") as f:
            f.write("allowed")
        _expect_errno(lambda: open(os.path.join(other, "x"), "w"), {errno.EACCES}, "writing outside the own directory")
        _expect_errno(lambda: os.listdir(other), {errno.EACCES}, "listing another directory")
        if policy.abi >= 6:
            _expect_errno(lambda: os.kill(os.getppid(), 0), {errno.EPERM}, "signalling a process outside the sandbox")

    in_temp_dirs(2, confined)


def check_seccomp() -> None:
    if not seccomp.supported():
        raise OSError(errno.ENOSYS, f"no seccomp syscall table for {_sys.MACHINE}")
    seccomp.install(seccomp.build_filter())
    _expect_errno(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM), {errno.EPERM}, "socket(AF_INET)")
    _expect_errno(lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW), {errno.EPERM}, "socket(AF_NETLINK)")
    _expect_errno(lambda: _sys.unshare(_sys.CLONE_NEWUSER), {errno.EPERM}, "unshare")
    a, b = socket.socketpair(socket.AF_UNIX)
    a.close()
    b.close()


CHECKS: dict[str, Callable[[], None]] = {
    "cgroup": check_cgroup,
    "network namespace": check_network_namespace,
    "user namespace": check_user_namespace,
    "mount namespace + tmpfs size cap": check_sample_tmpfs,
    "pid namespace": check_pid_namespace,
    "unprivileged uid": check_uid_drop,
    "landlock": check_landlock,
    "seccomp": check_seccomp,
}


def probe_layers() -> list[LayerCheck]:
    """Every layer, checked in its own child process."""
    results = []
    for name, check in CHECKS.items():
        error = _probe_in_child(check)
        results.append(LayerCheck(name, error is None, "works" if error is None else error))
    return results
