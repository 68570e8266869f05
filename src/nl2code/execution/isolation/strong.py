"""The strong sandboxes: every Linux layer that works on this machine, stacked on the weak one.

Per worker (once, cheap to reuse): a cgroup, an empty network namespace, an unprivileged uid,
the Landlock policy and the seccomp program. Per sample (in the forked child, before untrusted
code): join the cgroup, a private mount namespace with a size-capped tmpfs as the sample's
directory, a PID namespace, the uid drop (root) or the capability drop (user namespace),
Landlock, seccomp. Layers that fail at worker start are left out and the level says so.
"""

from __future__ import annotations

import logging
import os
import resource
import tempfile

from nl2code.execution._sandbox import BasicSandbox
from nl2code.execution.isolation import _sys, cgroups, landlock, namespaces, seccomp
from nl2code.records import Limits

log = logging.getLogger(__name__)

UID_BASE = 100_000  # sample uid = UID_BASE + worker pid: unique among live workers
SAMPLE_INODES = 4096


def _probe_in_child(fn) -> str | None:  # noqa: ANN001 - a zero-argument callable
    """Run `fn` in a forked child; None when it returned, else the error it raised."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            fn()
            os.write(w, b"ok")
            code = 0
        except BaseException as exc:  # noqa: BLE001 - the message is the result
            os.write(w, f"{type(exc).__name__}: {exc}".encode()[:1000])
            code = 1
        os._exit(code)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 4096):
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    message = b"".join(chunks).decode(errors="replace")
    return None if message == "ok" else (message or "the probe died without a word")


def _sample_mounts_probe(flags: int, uid: int, gid: int, reveals: tuple[namespaces.Reveal, ...]) -> None:
    with tempfile.TemporaryDirectory(prefix="nl2code-probe-") as d:
        namespaces.enter_sample_mounts(d, 1 << 20, 64, uid, gid, reveals, extra_flags=flags)


class StrongSandbox:
    """Linux isolation with every layer that works here; `level` names them."""

    def __init__(self, worker_index: int, n_workers: int) -> None:
        self.basic = BasicSandbox(worker_index, n_workers)
        self.n_workers = n_workers
        self.as_root = os.geteuid() == 0
        self.layers: list[str] = []
        self.missing: dict[str, str] = {}
        self.cgroup: cgroups.WorkerCgroup | None = None
        self.reveals: tuple[namespaces.Reveal, ...] = ()
        self.uid = self.gid = 0
        self.pid_namespace = False
        self.private_mounts = False
        self.base_processes = 0
        if self.as_root:
            self._setup_root()
        else:
            self._setup_user_namespace()
        self._setup_common()
        kind = "linux-root" if self.as_root else "linux-userns"
        self.level = f"{kind}:{'+'.join(self.layers)}"
        if self.missing:
            log.info("sandbox layers missing: %s", "; ".join(f"{k} ({v})" for k, v in self.missing.items()))

    # -- per-worker setup -------------------------------------------------------------
    def _try(self, name: str, fn) -> bool:  # noqa: ANN001
        try:
            fn()
        except OSError as exc:
            self.missing[name] = str(exc)
            return False
        self.layers.append(name)
        return True

    def _setup_root(self) -> None:
        def make_cgroup() -> None:
            self.cgroup = cgroups.create_worker_cgroup()

        if self._try("cgroup", make_cgroup):
            self.layers[-1] = self.cgroup.label
        self._try("netns", namespaces.enter_network_namespace)
        self.uid = self.gid = UID_BASE + os.getpid()
        self.reveals = namespaces.plan_reveals(namespaces.interpreter_paths())

    def _setup_user_namespace(self) -> None:
        # Raises OSError where user namespaces are blocked: make_sandbox falls back to weak.
        namespaces.enter_user_namespace()
        self.layers += ["userns", "netns"]
        self.base_processes = _count_processes(os.getuid())

    def _setup_common(self) -> None:
        for name, flags in (("pidns", _sys.CLONE_NEWPID), ("mountns", 0)):
            error = _probe_in_child(lambda f=flags: _sample_mounts_probe(f, self.uid, self.gid, self.reveals))
            if error is None:
                self.private_mounts = True
                self.pid_namespace = name == "pidns"
                self.layers.append("mountns")
                if self.pid_namespace:
                    self.layers.append("pidns")
                break
            self.missing[name] = error
        if self.as_root:
            self.layers.append("uid")
        self.policy = landlock.make_policy(tuple(namespaces.interpreter_paths()))
        if self.policy.abi >= 1:
            self.layers.append(f"landlock{self.policy.abi}")
        else:
            self.missing["landlock"] = "not available on this kernel"
        self.seccomp_program = seccomp.build_filter() if seccomp.supported() else None
        if self.seccomp_program:
            self.layers.append("seccomp")
        else:
            self.missing["seccomp"] = f"no syscall table for {_sys.MACHINE}"

    # -- per sample ---------------------------------------------------------------------
    def child_enter(self, sample_dir: str, limits: Limits) -> None:
        if self.cgroup is not None:
            self.cgroup.set_limits(limits.memory_bytes, limits.processes)
            self.cgroup.enter()
        if self.private_mounts:
            flags = _sys.CLONE_NEWPID if self.pid_namespace else 0
            size = max(limits.file_size_bytes, 1 << 20)
            namespaces.enter_sample_mounts(sample_dir, size, SAMPLE_INODES, self.uid, self.gid, self.reveals, flags)
        self.basic.child_enter(sample_dir, limits)  # setsid, chdir into the tmpfs, rlimits
        if not self.as_root:
            # RLIMIT_NPROC counts every process of the real uid, all workers' samples included.
            n = self.base_processes + self.n_workers * (limits.processes + 2)
            resource.setrlimit(resource.RLIMIT_NPROC, (n, n))
        if self.pid_namespace:
            namespaces.fork_into_pid_namespace()
        if self.as_root:
            os.setgroups([])
            os.setresgid(self.gid, self.gid, self.gid)
            os.setresuid(self.uid, self.uid, self.uid)
            _sys.prctl(_sys.PR_SET_PDEATHSIG, 9)  # a credential change clears it
        else:
            _sys.drop_all_capabilities()
        os.environ["HOME"] = os.environ["TMPDIR"] = sample_dir
        tempfile.tempdir = None
        if self.policy.abi >= 1:
            landlock.restrict(self.policy, (sample_dir,))
        if self.seccomp_program:
            seccomp.install(self.seccomp_program)

    def cleanup(self, pid: int) -> None:
        if self.cgroup is not None:
            try:
                if not self.cgroup.kill_all():
                    log.warning("processes survive in %s: %s", self.cgroup.dirs, self.cgroup.pids())
            except OSError as exc:
                log.warning("cgroup kill failed: %s", exc)
        self.basic.cleanup(pid)

    def oom_kills(self) -> int:
        """Kernel OOM kills in this worker's cgroup so far (compare before and after a sample)."""
        return self.cgroup.oom_kills() if self.cgroup is not None else 0

    def close(self) -> None:
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None


def _count_processes(uid: int) -> int:
    n = 0
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.stat(f"/proc/{name}").st_uid == uid:
                    n += 1
            except OSError:
                pass
    return n
