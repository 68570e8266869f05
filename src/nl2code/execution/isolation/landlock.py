"""Landlock through raw system calls: system paths read-only, the sample's own directory
read-write, TCP bind/connect denied, signals and abstract unix sockets scoped to the sample.

Each `restrict` call stacks one more domain on the calling process; it cannot be undone.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass

from nl2code.execution.isolation import _sys

CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

# Filesystem rights, in the order the kernel added them (ABI version in the comment).
FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1

READ_ONLY = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
# Devices a program may write to: discarding output and reading randomness.
WRITABLE_DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/urandom", "/dev/random", "/dev/tty")
SYSTEM_PATHS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/proc", "/sys", "/dev", "/opt")


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 where Landlock is missing or disabled."""
    try:
        return _sys.syscall(
            _sys.SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION),
            what="landlock_create_ruleset",
        )
    except OSError:
        return 0


def fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= FS_REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


@dataclass(frozen=True, slots=True)
class Policy:
    """What every sample of a worker may touch besides its own directory, resolved once per
    worker: (path, rights) pairs, so that the child only opens and adds them."""

    rules: tuple[tuple[str, int], ...]
    abi: int

    @property
    def handled_fs(self) -> int:
        return fs_rights(self.abi)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(path for path, _ in self.rules)


def _minimal(paths: list[str]) -> list[str]:
    """Drop paths that lie inside another path of the list (a rule covers what is beneath)."""
    return [p for p in paths if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in paths)]


def make_policy(extra_read_only: tuple[str, ...] = (), abi: int | None = None) -> Policy:
    """The base policy of a worker: system paths and the interpreter's own paths read-only,
    a few devices read-write."""
    abi = abi_version() if abi is None else abi
    # realpath: on merged-/usr systems /bin, /lib, ... are links into /usr and need no rule of their own
    read_only = _minimal(sorted({os.path.realpath(p) for p in SYSTEM_PATHS + extra_read_only if p and os.path.isdir(p)}))
    file_rw = FS_READ_FILE | FS_WRITE_FILE | (FS_TRUNCATE if abi >= 3 else 0)
    rules = [(p, READ_ONLY) for p in read_only]
    rules += [(p, file_rw) for p in WRITABLE_DEVICES if os.path.exists(p) and not os.path.isdir(p)]
    return Policy(rules=tuple(rules), abi=abi)


def _add_path_rule(ruleset_fd: int, path: str, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        attr = _PathBeneathAttr(allowed_access=access, parent_fd=fd)
        _sys.syscall(
            _sys.SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset_fd), ctypes.c_int(RULE_PATH_BENEATH), ctypes.byref(attr),
            ctypes.c_uint32(0), what=f"landlock_add_rule {path}",
        )
    finally:
        os.close(fd)


def restrict(policy: Policy, own_dirs: tuple[str, ...]) -> None:
    """Confine this process (and what it starts) to `policy` plus full rights on `own_dirs`.

    Sets no_new_privs, which Landlock requires of an unprivileged caller."""
    ruleset_fd = build_ruleset(policy, own_dirs)
    try:
        enforce(ruleset_fd)
    finally:
        os.close(ruleset_fd)


def enforce(ruleset_fd: int, no_new_privs: bool = True) -> None:
    """Confine this process with a ruleset built beforehand (by `build_ruleset`). Landlock needs
    no_new_privs; `no_new_privs=False` skips setting it where the caller's parent already did."""
    if no_new_privs:
        _sys.prctl(_sys.PR_SET_NO_NEW_PRIVS, 1)
    _sys.syscall(_sys.SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset_fd), ctypes.c_uint32(0), what="landlock_restrict_self")


def build_ruleset(policy: Policy, own_dirs: tuple[str, ...]) -> int:
    """A ruleset fd for `policy` plus full rights on `own_dirs`, not yet enforced. A worker builds
    it once; each sample's child only enforces it (rules are copied into the domain then)."""
    if policy.abi < 1:
        raise OSError(38, "Landlock is not available on this kernel")
    handled = policy.handled_fs
    attr = _RulesetAttr(handled_access_fs=handled)
    size = ctypes.sizeof(ctypes.c_uint64)
    if policy.abi >= 4:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        size = 2 * ctypes.sizeof(ctypes.c_uint64)
    if policy.abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 3 * ctypes.sizeof(ctypes.c_uint64)
    ruleset_fd = _sys.syscall(
        _sys.SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0),
        what="landlock_create_ruleset",
    )
    try:
        for path, access in policy.rules:
            _add_path_rule(ruleset_fd, path, access)
        for path in own_dirs:
            _add_path_rule(ruleset_fd, path, handled)
    except BaseException:
        os.close(ruleset_fd)
        raise
    return ruleset_fd
