"""Thin ctypes wrappers for the Linux system calls the isolation layers need.

Only the standard library: each wrapper raises OSError with the kernel's errno, so callers
can tell "not supported here" (ENOSYS, EINVAL, EPERM) from a bug.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
import sys

_libc: ctypes.CDLL | None = None

# Namespace flags (linux/sched.h).
CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NEWTIME = 0x00000080

# mount(2) flags.
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18

# prctl options.
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_SECCOMP = 22
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_MODE_FILTER = 2

MACHINE = platform.machine()
IS_LINUX = sys.platform.startswith("linux")

# Syscalls without a libc wrapper in every glibc we meet; the Landlock numbers are shared by
# every architecture, capset is not.
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
SYS_CAPSET = {"x86_64": 126, "aarch64": 91}.get(MACHINE)


def libc() -> ctypes.CDLL:
    global _libc
    if _libc is None:
        if not IS_LINUX:
            raise OSError(38, "not Linux")
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        _libc.syscall.restype = ctypes.c_long
    return _libc


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def syscall(number: int, *args: object, what: str = "syscall") -> int:
    return _check(libc().syscall(ctypes.c_long(number), *args), what)


def unshare(flags: int) -> None:
    _check(libc().unshare(ctypes.c_int(flags)), "unshare")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = [None if x is None else x.encode() for x in (source, target, fstype, data)]
    _check(libc().mount(enc[0], enc[1], enc[2], ctypes.c_ulong(flags), enc[3]), f"mount {target}")


def prctl(option: int, a2: int = 0, a3: int = 0, a4: int = 0, a5: int = 0) -> int:
    args = [ctypes.c_ulong(x) for x in (a2, a3, a4, a5)]
    return _check(libc().prctl(ctypes.c_int(option), *args), f"prctl {option}")


def drop_bounding_set() -> None:
    """Empty the bounding set (inherited by children): nothing gained by execve any more. The
    process keeps the capabilities it has."""
    cap = 0
    while True:
        try:
            prctl(PR_CAPBSET_DROP, cap)
        except OSError:
            break  # EINVAL past the last capability the kernel knows
        cap += 1


def clear_capabilities() -> None:
    """Empty the effective, permitted and inheritable sets of this process."""
    if SYS_CAPSET is None:
        raise OSError(38, "capset: unknown syscall number on this architecture")
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()  # two {effective, permitted, inheritable}, all zero
    syscall(SYS_CAPSET, ctypes.byref(header), ctypes.byref(data), what="capset")
