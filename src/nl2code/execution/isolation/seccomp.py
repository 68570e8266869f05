"""A seccomp filter, assembled by hand as classic BPF: sockets other than AF_UNIX, ptrace,
mounts, new namespaces, bpf, keyrings, io_uring, module and kexec loading are denied with
EPERM; a foreign system-call ABI kills the process.

There are syscall tables for x86_64 and aarch64 (the kernel's generic numbering), both checked
against the kernel's headers by the tests; elsewhere `supported()` is False and the layer is
reported as missing rather than guessed.
"""

from __future__ import annotations

import ctypes
import errno
import struct

from nl2code.execution.isolation import _sys

AUDIT_ARCH_X86_64 = 0xC000003E
AUDIT_ARCH_AARCH64 = 0xC00000B7
X32_SYSCALL_BIT = 0x40000000

RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
RET_ALLOW = 0x7FFF0000

# Classic BPF opcodes.
LD_W_ABS = 0x20
JEQ_K = 0x15
JGE_K = 0x35
JSET_K = 0x45
RET_K = 0x06

# struct seccomp_data: int nr; u32 arch; u64 ip; u64 args[6] (little-endian low words).
OFF_NR = 0
OFF_ARCH = 4
OFF_ARG0_LO = 16

AF_UNIX = 1
NAMESPACE_FLAGS = (
    _sys.CLONE_NEWNS | _sys.CLONE_NEWCGROUP | _sys.CLONE_NEWUTS | _sys.CLONE_NEWIPC
    | _sys.CLONE_NEWUSER | _sys.CLONE_NEWPID | _sys.CLONE_NEWNET | _sys.CLONE_NEWTIME
)

X86_64 = {
    "socket": 41, "socketpair": 53, "clone": 56, "ptrace": 101, "chroot": 161, "pivot_root": 155,
    "mount": 165, "umount2": 166, "swapon": 167, "swapoff": 168, "reboot": 169, "init_module": 175,
    "delete_module": 176, "kexec_load": 246, "add_key": 248, "request_key": 249, "keyctl": 250,
    "unshare": 272, "perf_event_open": 298, "fanotify_init": 300, "name_to_handle_at": 303,
    "open_by_handle_at": 304, "setns": 308, "process_vm_readv": 310, "process_vm_writev": 311,
    "finit_module": 313, "kexec_file_load": 320, "bpf": 321, "userfaultfd": 323,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428,
    "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "clone3": 435,
    "mount_setattr": 442,
}
# asm-generic/unistd.h, the numbering of aarch64 (and of riscv64 and loongarch64, not listed:
# untried here)
GENERIC = {
    "socket": 198, "socketpair": 199, "clone": 220, "ptrace": 117, "chroot": 51, "pivot_root": 41,
    "mount": 40, "umount2": 39, "swapon": 224, "swapoff": 225, "reboot": 142, "init_module": 105,
    "delete_module": 106, "kexec_load": 104, "add_key": 217, "request_key": 218, "keyctl": 219,
    "unshare": 97, "perf_event_open": 241, "fanotify_init": 262, "name_to_handle_at": 264,
    "open_by_handle_at": 265, "setns": 268, "process_vm_readv": 270, "process_vm_writev": 271,
    "finit_module": 273, "kexec_file_load": 294, "bpf": 280, "userfaultfd": 282,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428,
    "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "clone3": 435,
    "mount_setattr": 442,
}
TABLES = {"x86_64": (AUDIT_ARCH_X86_64, X86_64), "aarch64": (AUDIT_ARCH_AARCH64, GENERIC)}

DENIED = (
    "ptrace", "chroot", "pivot_root", "mount", "umount2", "swapon", "swapoff", "reboot", "init_module",
    "delete_module", "kexec_load", "add_key", "request_key", "keyctl", "unshare", "perf_event_open",
    "fanotify_init", "name_to_handle_at", "open_by_handle_at", "setns", "process_vm_readv",
    "process_vm_writev", "finit_module", "kexec_file_load", "bpf", "userfaultfd", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount",
    "fspick", "mount_setattr",
)


def supported() -> bool:
    return _sys.IS_LINUX and _sys.MACHINE in TABLES


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def build_filter(machine: str | None = None) -> bytes:
    """The filter program as packed `struct sock_filter` records."""
    arch, table = TABLES[machine or _sys.MACHINE]
    eperm = RET_ERRNO | errno.EPERM
    prog = [
        _insn(LD_W_ABS, OFF_ARCH),
        _insn(JEQ_K, arch, jt=1),
        _insn(RET_K, RET_KILL_PROCESS),
        _insn(LD_W_ABS, OFF_NR),
        _insn(JGE_K, X32_SYSCALL_BIT, jf=1),
        _insn(RET_K, RET_KILL_PROCESS),
    ]
    for name in DENIED:
        prog += [_insn(JEQ_K, table[name], jf=1), _insn(RET_K, eperm)]
    # clone3 passes its flags in memory, out of a filter's reach: ENOSYS makes libc fall back
    # to clone, whose flags we can check.
    prog += [_insn(JEQ_K, table["clone3"], jf=1), _insn(RET_K, RET_ERRNO | errno.ENOSYS)]
    # clone with any namespace flag -> EPERM (the argument is reloaded, then nr restored).
    prog += [
        _insn(JEQ_K, table["clone"], jf=4),
        _insn(LD_W_ABS, OFF_ARG0_LO),
        _insn(JSET_K, NAMESPACE_FLAGS, jf=1),
        _insn(RET_K, eperm),
        _insn(RET_K, RET_ALLOW),
    ]
    # socket / socketpair: AF_UNIX only.
    for name in ("socket", "socketpair"):
        prog += [
            _insn(JEQ_K, table[name], jf=4),
            _insn(LD_W_ABS, OFF_ARG0_LO),
            _insn(JEQ_K, AF_UNIX, jf=1),
            _insn(RET_K, RET_ALLOW),
            _insn(RET_K, eperm),
        ]
    prog.append(_insn(RET_K, RET_ALLOW))
    return b"".join(prog)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class Loaded:
    """A filter program held in memory, ready to install in a forked child with two prctl calls."""

    def __init__(self, program: bytes) -> None:
        self._buffer = ctypes.create_string_buffer(program, len(program))
        self._fprog = _SockFprog(len(program) // 8, ctypes.cast(self._buffer, ctypes.c_void_p))
        self.address = ctypes.addressof(self._fprog)

    def install(self) -> None:
        """Load the filter on this process; every process it starts inherits it."""
        _sys.prctl(_sys.PR_SET_NO_NEW_PRIVS, 1)
        _sys.prctl(_sys.PR_SET_SECCOMP, _sys.SECCOMP_MODE_FILTER, self.address)


def install(program: bytes) -> None:
    Loaded(program).install()
