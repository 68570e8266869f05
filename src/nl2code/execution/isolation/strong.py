"""The strong sandboxes: every Linux layer that works on this machine, stacked on the weak one.

Per worker, once: a cgroup the worker lives in (root) or else a PID namespace with its own init,
an empty network namespace, a private mount namespace, a size-capped tmpfs for its sample
directories (`prepare_dir`), the Landlock policy and the seccomp filter. Per sample, in the
forked child before untrusted code: the cgroup limits, the uid drop (root) or the capability
drop (user namespace), Landlock, and seccomp where the worker could not carry it. Layers that
fail at worker start are left out and `level` says which are in force.
"""

from __future__ import annotations

import dataclasses
import logging
import fcntl
import os
import signal
import tempfile
import time

from nl2code.execution._sandbox import BasicSandbox, kill_leftovers, reap_all
from nl2code.execution.isolation import _sys, cgroups, landlock, namespaces, seccomp
from nl2code.records import Limits

log = logging.getLogger(__name__)

UID_BASE = 100_000  # sample uid = UID_BASE + worker pid: unique among live workers
SAMPLE_INODES = 4096
DEFAULT_DIR_BYTES = Limits().file_size_bytes  # the cap of a worker's sample area (one sample at a time)


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


def _sample_mounts_probe(flags: int, uid: int, gid: int, make_private: bool) -> None:
    d = tempfile.mkdtemp(prefix="nl2code-probe-")
    try:
        error = _probe_in_child(
            lambda: namespaces.enter_sample_mounts(d, 1 << 20, 64, uid, gid, extra_flags=flags, make_private=make_private)
        )
    finally:
        os.rmdir(d)
    if error is not None:
        raise OSError(error)


class StrongSandbox:
    """Linux isolation with every layer that works here; `level` names them."""

    def __init__(self, worker_index: int, n_workers: int, skip: frozenset[str] = frozenset()) -> None:
        self.skip = skip  # layer names left out on purpose (measurements, debugging)
        self.basic = BasicSandbox(worker_index, n_workers)
        self.n_workers = n_workers
        self.as_root = os.geteuid() == 0
        self.layers: list[str] = []
        self.missing: dict[str, str] = {}
        self.cgroup: cgroups.WorkerCgroup | None = None
        self.uid = self.gid = 0
        self.pid_init: int | None = None  # init of the worker's PID namespace, when there is one
        self.sample_mounts = False
        self.worker_mounts = False
        self.base_processes = 0
        self.prepared: str | None = None  # the worker's sample area, once prepare_dir mounted it
        self.ruleset_fd: int | None = None  # Landlock ruleset for that area, enforced by each sample
        self.seccomp_in_worker = False
        self.last_oom_killed = False  # set by cleanup: did the cgroup's OOM killer act on the last sample?
        self._oom_kills_seen = 0
        if self.as_root:
            self._setup_root()
        else:
            self._setup_user_namespace()
        self._setup_sample_namespaces()
        abi = 0 if "landlock" in skip else None
        self.policy = landlock.make_policy((*namespaces.interpreter_paths(), *_toolchain_paths()), abi=abi)
        if self.policy.abi >= 1:
            self.layers.append(f"landlock{self.policy.abi}")
        else:
            self.missing["landlock"] = "not available on this kernel"
        wanted = seccomp.supported() and "seccomp" not in skip
        self.seccomp = seccomp.Loaded(seccomp.build_filter()) if wanted else None
        if self.seccomp is not None:
            self.layers.append("seccomp")
        else:
            self.missing["seccomp"] = f"no syscall table for {_sys.MACHINE}"
        # Landlock and seccomp need no_new_privs: set once here, inherited by every child. The
        # worker never calls execve, the only thing the flag changes.
        if self.policy.abi >= 1 or self.seccomp is not None:
            _sys.prctl(_sys.PR_SET_NO_NEW_PRIVS, 1)
        if not self.as_root:
            # inherited by every sample: each child then only clears its own capability sets
            _sys.drop_bounding_set()
        kind = "linux-root" if self.as_root else "linux-userns"
        self.level = f"{kind}:{'+'.join(self.layers)}"
        if self.missing:
            log.info("sandbox layers missing: %s", "; ".join(f"{k} ({v})" for k, v in self.missing.items()))

    # -- per-worker setup -------------------------------------------------------------
    def _try(self, name: str, fn) -> bool:  # noqa: ANN001
        if name in self.skip:
            self.missing[name] = "skipped"
            return False
        try:
            fn()
        except OSError as exc:
            self.missing[name] = str(exc)
            return False
        self.layers.append(name)
        return True

    def _setup_root(self) -> None:
        def make_cgroup() -> None:
            group = cgroups.create_worker_cgroup()
            try:
                group.adopt_worker()
            except OSError:
                group.remove()
                raise
            self.cgroup = group
            self._oom_kills_seen = group.oom_kills()

        if self._try("cgroup", make_cgroup):
            self.layers[-1] = self.cgroup.label
        self._try("netns", namespaces.enter_network_namespace)
        # Once the uid is dropped, directories such as /root (mode 700) block the interpreter's
        # own files: the worker's mount namespace shows only those, read from their real place.
        reveals = namespaces.plan_reveals([*namespaces.worker_paths(), *_toolchain_paths()])
        self.worker_mounts = self._try("mountns", lambda: namespaces.enter_private_mounts(reveals))
        self.uid = self.gid = UID_BASE + os.getpid()
        os.setgroups([])  # once for the worker, so no sample inherits root's supplementary groups
        self.layers.append("uid")

    def _setup_user_namespace(self) -> None:
        # Raises OSError where user namespaces are blocked: make_sandbox falls back to weak.
        namespaces.enter_user_namespace(keep_network="netns" in self.skip)
        self.layers += ["userns"] if "netns" in self.skip else ["userns", "netns"]
        self.base_processes = _count_processes(os.getuid())

    def _setup_sample_namespaces(self) -> None:
        # Without a cgroup (no root, or none writable) the worker's samples live in a PID
        # namespace of the worker's: they see and signal nothing outside it, and their orphans
        # go to its init, where the sweep finds them. With a cgroup it would add nothing.
        if self.cgroup is None and "pidns" not in self.skip:
            try:
                self.pid_init = namespaces.start_pid_namespace()
                self.layers.append("pidns")
            except OSError as exc:
                self.missing["pidns"] = str(exc)
        if "tmpfs" in self.skip:
            return
        try:
            _sample_mounts_probe(0, self.uid, self.gid, not self.worker_mounts)
        except OSError as exc:
            self.missing["tmpfs"] = str(exc)
            return
        self.sample_mounts = True
        self.layers.append("tmpfs")

    @property
    def inherit_fds(self) -> tuple[int, ...]:
        """Descriptors a sample's child must keep until `child_enter`."""
        return () if self.ruleset_fd is None else (self.ruleset_fd,)

    def prepare_dir(self, path: str, size_bytes: int = DEFAULT_DIR_BYTES) -> None:
        """Called once by the worker with the directory its sample directories go in: mount a
        size-capped tmpfs there, in the worker's own mount namespace, so that no sample pays for
        a mount namespace of its own. As root, an ancestor the samples' uid cannot enter is
        covered so the path stays reachable, and the seccomp filter moves into the worker
        (its children inherit it; nothing per sample needs the calls it denies)."""
        if not self.sample_mounts or self.prepared is not None:
            return
        try:
            self._mount_sample_area(path, size_bytes)
        except OSError as exc:  # samples then get a mount namespace each, as without this call
            log.warning("sample area not mounted at %s: %s", path, exc)
            return
        self.prepared = path
        if self.policy.abi >= 1:
            # one ruleset for the worker's whole sample area, built once: each sample only
            # enforces it. The area holds one sample's directory at a time (the worker removes it
            # before the next), so this grants no more than a ruleset naming that directory.
            try:
                fd = landlock.build_ruleset(self.policy, (path,))
                # above the descriptors a child rewires (0-3: stdin, stdout, stderr, results)
                self.ruleset_fd = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
                os.close(fd)
            except OSError as exc:
                log.warning("Landlock ruleset not prepared for %s (%s); built per sample instead", path, exc)
        if self.seccomp is not None:
            self.seccomp.install()
            self.seccomp_in_worker = True

    def _mount_sample_area(self, path: str, size_bytes: int) -> None:
        if not self.as_root:
            _sys.unshare(_sys.CLONE_NEWNS)  # the worker is root of its user namespace
            _sys.mount(None, "/", None, _sys.MS_REC | _sys.MS_PRIVATE)
        cover = namespaces.blocking_ancestor(path) if self.as_root else None
        if cover is not None:
            _sys.mount("tmpfs", cover, "tmpfs", _sys.MS_NOSUID | _sys.MS_NODEV, "size=64k,nr_inodes=256,mode=755")
            os.makedirs(path, mode=0o755, exist_ok=True)
        opts = f"size={size_bytes},nr_inodes={SAMPLE_INODES},mode=755"
        _sys.mount("tmpfs", path, "tmpfs", _sys.MS_NOSUID | _sys.MS_NODEV, opts)

    # -- per sample ---------------------------------------------------------------------
    def before_fork(self, limits: Limits) -> None:
        """In the worker, before the sample's fork: the cgroup caps (written only when changed)."""
        if self.cgroup is not None:
            self.cgroup.set_limits(limits.memory_bytes, limits.processes)

    def child_enter(self, sample_dir: str, limits: Limits) -> None:
        if self.cgroup is not None:
            self.cgroup.enter()
        if self.sample_mounts and self.prepared is None:
            size = max(limits.file_size_bytes, 1 << 20)
            cover = namespaces.blocking_ancestor(sample_dir) if self.as_root else None
            namespaces.enter_sample_mounts(
                sample_dir, size, SAMPLE_INODES, self.uid, self.gid,
                make_private=not self.worker_mounts, cover=cover,
            )
        if not self.as_root:
            # RLIMIT_NPROC counts every process of the real uid, all workers' samples included.
            limits = dataclasses.replace(limits, processes=self.base_processes + self.n_workers * (limits.processes + 2))
        self.basic.child_enter(sample_dir, limits)  # setsid, chdir into the tmpfs, rlimits
        if self.as_root:
            if self.prepared is not None or not self.sample_mounts:
                os.chown(sample_dir, self.uid, self.gid)
            os.setresgid(self.gid, self.gid, self.gid)
            os.setresuid(self.uid, self.uid, self.uid)
            _sys.prctl(_sys.PR_SET_PDEATHSIG, 9)  # a credential change clears it
        else:
            # the user-namespace root a sample starts as keeps no power over its namespaces; the
            # bounding set is already empty (dropped by the worker)
            _sys.clear_capabilities()
        if self.ruleset_fd is not None:
            landlock.enforce(self.ruleset_fd, no_new_privs=False)  # set in the worker
            os.close(self.ruleset_fd)
        elif self.policy.abi >= 1:
            landlock.restrict(self.policy, (sample_dir,))
        if self.seccomp is not None and not self.seccomp_in_worker:
            self.seccomp.install()

    def cleanup(self, pid: int) -> None:
        self.last_oom_killed = False
        if self.cgroup is not None:
            kills = self.cgroup.oom_kills()
            self.last_oom_killed, self._oom_kills_seen = kills > self._oom_kills_seen, kills
            try:
                if self.cgroup.kill_all():
                    # Every process a sample starts is born in the cgroup and cannot leave it:
                    # with the cgroup empty, what is left of the sample are zombies to reap.
                    reap_all()
                    return
                log.warning("processes survive in %s: %s", self.cgroup.dirs, self.cgroup.pids())
            except OSError as exc:
                log.warning("cgroup kill failed: %s", exc)
        if self.pid_init is None:
            self.basic.cleanup(pid)
            return
        # Orphans of the sample belong to the namespace's init, not to this subreaper.
        keep = frozenset({self.pid_init})
        for _ in range(1000):
            kill_leftovers(pid, keep)
            orphans = namespaces.children_of(self.pid_init)
            if not orphans:
                return
            for orphan in orphans:
                try:
                    os.kill(orphan, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.001)
        log.warning("processes left by a sample survive in the PID namespace: %s", namespaces.children_of(self.pid_init))


def _toolchain_paths() -> tuple[str, ...]:
    """Read-only directories the registered languages' toolchains need beyond the system paths
    (`Language.read_paths`: e.g. nl2code's per-toolchain artifacts)."""
    from nl2code.execution.languages import extra_read_paths

    return extra_read_paths()


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
