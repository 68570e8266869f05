"""A warm worker: a trusted process that pre-imports what tests need and forks one child per sample.

Started by the pool as `python -m nl2code.execution._worker`; speaks length-prefixed pickle over
its stdin/stdout with the driver (both trusted). It enforces the deadline and the output caps
from outside the child, reads the child's reports, and hands them back raw: the verdict is
decided by the driver, which alone knows the expected values.
"""

from __future__ import annotations

import argparse
import errno
import gc
import importlib
import logging
import marshal
import mmap
import os
import pickle
import select
import shutil
import signal
import stat
import sys
import tempfile
import time
from dataclasses import dataclass, field

from nl2code.execution import _child
from nl2code.execution._sandbox import PR_SET_PDEATHSIG, Sandbox, make_sandbox, prctl, rlimit_cpu_seconds
from nl2code.records import Limits

log = logging.getLogger("nl2code.execution.worker")

TAIL_BYTES = 2048
STAGE_TAIL_BYTES = 16384  # a stage's output tails: compiler errors, the tests' report and end marker
MAX_FRAME = 64 * 1024 * 1024
MAX_CHANNEL_BYTES = 256 * 1024 * 1024
READ_CHUNK = 65536
AREA_BYTES = 1 << 20  # a sample's shared report area; reports beyond it go through the pipe

DEFAULT_PREIMPORTS = (
    "array", "bisect", "cmath", "collections", "collections.abc", "copy", "dataclasses",
    "datetime", "decimal", "enum", "fractions", "functools", "hashlib", "heapq", "itertools",
    "json", "math", "operator", "random", "re", "statistics", "string", "sys", "time", "typing",
    "unicodedata", "textwrap", "numbers", "abc", "io", "os", "struct", "regex",
)


def _make_fork():
    """fork() for a sample's child. On CPython 3.11 (the tested version) in a single-threaded
    worker, libc's fork called with the GIL held skips CPython's after-fork work in the child
    (runtime re-initialisation for other threads, and the at-fork hooks of threading, logging
    and random): about 0.4 ms of CPU per sample. With no other thread there is no lock to
    re-initialise; `random` is seeded by the child from its program (`_child.run`). Elsewhere, or with NL2CODE_PYTHON_FORK
    set, plain os.fork."""
    if sys.implementation.name != "cpython" or sys.version_info[:2] != (3, 11) or os.environ.get("NL2CODE_PYTHON_FORK"):
        return os.fork
    try:
        import ctypes

        libc_fork = ctypes.PyDLL(None, use_errno=True).fork
    except (OSError, AttributeError):
        return os.fork
    libc_fork.restype = ctypes.c_int
    libc_fork.argtypes = []

    def fork() -> int:
        threading = sys.modules.get("threading")
        if threading is not None and threading.active_count() > 1:
            return os.fork()
        pid = libc_fork()
        if pid < 0:
            raise OSError(ctypes.get_errno(), "fork failed")
        return pid  # a Python sample's child seeds `random` from its program (_child.run)

    return fork


fork = _make_fork()


@dataclass(slots=True)
class RawResult:
    """What the worker saw of one child; judged by the driver."""

    messages: list = field(default_factory=list)
    exit_code: int | None = None
    signal: int | None = None
    cpu_time: float = 0.0
    wall_time: float = 0.0
    timed_out: bool = False
    output_limited: bool = False
    bad_channel: str = ""
    stdout_tail: bytes = b""
    stderr_tail: bytes = b""
    sandbox_error: str = ""
    channel_bytes: int = 0
    oom_killed: bool = False  # the sandbox's memory cgroup OOM-killed one of the sample's processes
    stages: list = field(default_factory=list)  # staged languages: a StageResult per stage that ran


@dataclass(slots=True)
class StageResult:
    """What the worker saw of one stage's process (a compiler, a program): judged by the driver."""

    name: str
    exit_code: int | None = None
    signal: int | None = None
    cpu_time: float = 0.0
    wall_time: float = 0.0
    timed_out: bool = False
    output_limited: bool = False
    oom_killed: bool = False
    stdout_tail: bytes = b""
    stderr_tail: bytes = b""
    stdout_bytes: int = 0
    stderr_bytes: int = 0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.signal is None and not (self.timed_out or self.output_limited or self.oom_killed)

    def cpu_limited(self, limits: Limits) -> bool:
        # RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL at the hard one; rusage may read a little under
        return self.signal == signal.SIGXCPU or (self.signal == signal.SIGKILL and self.cpu_time >= limits.cpu_seconds * 0.9)


def read_exact(fd: int, n: int) -> bytes | None:
    chunks = []
    while n:
        data = os.read(fd, n)
        if not data:
            return None
        chunks.append(data)
        n -= len(data)
    return b"".join(chunks)


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 4096):
        chunks.append(chunk)
    return b"".join(chunks)


def read_message(fd: int):
    header = read_exact(fd, 4)
    if header is None:
        return None
    body = read_exact(fd, int.from_bytes(header, "little"))
    if body is None:
        return None
    return pickle.loads(body)


def write_message(fd: int, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    data = len(data).to_bytes(4, "little") + data
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def compile_problem(source: dict) -> _child.CompiledProblem:
    def comp(src: str, mode: str = "exec"):
        return compile(src, "<test>", mode) if src else None

    steps = tuple(
        (kind, compile(src, "<test>", "eval" if kind == _child.KIND_COMPARE else "exec"))
        for kind, src in source["steps"]
    )
    return _child.CompiledProblem(
        entry_point=source["entry_point"],
        bind_candidate=source["bind_candidate"],
        setup=comp(source["setup"]),
        prelude=comp(source["prelude"]),
        steps=steps,
    )


def _move_aside(path: str, job_id: int) -> None:
    """Remove what a sample left in `path`, even where it took its own permissions away (weak
    isolation, where the worker has no power over them); what still cannot go is renamed out of
    the way, and logged, so that the next sample starts empty."""

    def unlock(function, failed: str, exc_info) -> None:  # noqa: ANN001 - shutil's onerror
        for candidate in (os.path.dirname(failed), failed):
            try:  # directories only, never through a symbolic link the sample planted
                if stat.S_ISDIR(os.lstat(candidate).st_mode):
                    os.chmod(candidate, 0o700)
            except OSError:
                pass

    shutil.rmtree(path, onerror=unlock)  # opens what blocked the removal...
    shutil.rmtree(path, ignore_errors=True)  # ...and removes it
    if os.path.lexists(path):
        aside = f"{path}.left-by-job-{job_id}"
        try:
            os.rename(path, aside)
            log.warning("could not empty %s; moved to %s", path, aside)
        except OSError as exc:  # the next sample's mkdir then fails, as a sandbox error
            log.error("could neither empty nor move %s: %s", path, exc)


class CpuWatch:
    """A CPU limit the kernel's RLIMIT_CPU cannot express (it counts whole seconds: 0.2 s would
    become 1 s): the worker reads the child's CPU clock when the child could have spent its limit
    (never sooner: a process spends CPU no faster than wall time per thread) and again after
    what is left, at least 5 ms apart. RLIMIT_CPU stays as the backstop. Whole-second limits are
    left to RLIMIT_CPU alone, without a single extra wake-up."""

    __slots__ = ("clock", "limit", "next_check")

    def __init__(self, pid: int, cpu_seconds: float, started: float) -> None:
        exact = cpu_seconds == rlimit_cpu_seconds(cpu_seconds)
        self.clock = None if exact or not hasattr(time, "clock_gettime") else ((~pid) << 3) | 2  # the process's CPU clock (Linux)
        self.limit = cpu_seconds
        self.next_check = started + cpu_seconds if self.clock is not None else float("inf")

    def spent(self, now: float) -> bool:
        """True once the child has used its CPU limit (checked only when due)."""
        if now < self.next_check:
            return False
        try:
            used = time.clock_gettime(self.clock)
        except OSError:  # the child is gone (exited, not yet reaped): its exit is on the way
            self.next_check = float("inf")
            return False
        if used >= self.limit:
            return True
        self.next_check = now + max(0.005, self.limit - used)
        return False


class Tail:
    __slots__ = ("data", "total", "size")

    def __init__(self, size: int = TAIL_BYTES) -> None:
        self.data = b""
        self.total = 0
        self.size = size

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        self.data = (self.data + chunk)[-self.size:]


class Worker:
    def __init__(self, index: int, n_workers: int, isolation: str, tmp: str) -> None:
        self.sandbox: Sandbox = make_sandbox(isolation, index, n_workers)
        self.problems: dict[str, _child.CompiledProblem] = {}
        self.tmp = os.path.join(tmp, f"w{index}-{os.getpid()}")
        os.makedirs(self.tmp, exist_ok=True)
        prepare_dir = getattr(self.sandbox, "prepare_dir", None)
        if prepare_dir is not None:  # strong sandboxes mount a size-capped area for the samples here
            prepare_dir(self.tmp)
        # One sample at a time, always in the same (emptied) directory: its home and temporary
        # directory are set here once and inherited, instead of in every child.
        self.sample_dir = os.path.join(self.tmp, "sample")
        os.environ["HOME"] = os.environ["TMPDIR"] = self.sample_dir
        tempfile.tempdir = None
        self.devnull = os.open(os.devnull, os.O_RDWR)

    def run(self, key: str, program: str, limits: Limits, job_id: int) -> RawResult:
        result = RawResult()
        problem = self.problems[key]
        sample_dir = self.sample_dir
        os.mkdir(sample_dir, 0o700)  # emptied by the last sample's run (or moved aside)
        self.sandbox.before_fork(limits)
        area = mmap.mmap(-1, AREA_BYTES)  # shared with the child: its reports, made for this sample alone
        res_r, res_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        started = time.monotonic()
        pid = fork()
        if pid == 0:  # the child: never returns
            self._child(problem, program, limits, sample_dir, area, res_w, out_w, err_w, (res_r, out_r, err_r))
        for fd in (res_w, out_w, err_w):
            os.close(fd)
        try:
            self._watch(pid, limits, started, area, res_r, out_r, err_r, result)
        finally:
            self._finish(pid, result, started)
            for fd in (res_r, out_r, err_r):
                os.close(fd)
            area.close()
            try:
                os.rmdir(sample_dir)  # most samples leave nothing behind
            except OSError:
                _move_aside(sample_dir, job_id)
        return result

    def run_stages(self, files: list, stages: list, job_id: int) -> RawResult:
        """A sample of a staged language: write its files, then run each stage (compiler,
        program) as its own sandboxed process that execve()s the stage's command; stop at the
        first stage that fails. The driver judges what was seen."""
        result = RawResult()
        sample_dir = self.sample_dir
        os.mkdir(sample_dir, 0o700)
        try:
            if getattr(self.sandbox, "sample_mounts", False) and getattr(self.sandbox, "prepared", "") is None:
                # each child would get a fresh tmpfs there, losing the files between stages
                result.sandbox_error = "staged languages need the worker's sample area, which is not mounted here"
                return result
            for name, content in files:
                path = os.path.join(sample_dir, name)
                if os.path.dirname(name):
                    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
                try:
                    os.write(fd, content)
                finally:
                    os.close(fd)
            for name, argv, limits, env in stages:
                stage = self._run_stage(name, argv, limits, env, sample_dir)
                result.stages.append(stage)
                result.cpu_time += stage.cpu_time
                result.wall_time += stage.wall_time
                if not stage.ok:
                    break
        finally:
            try:
                os.rmdir(sample_dir)
            except OSError:
                _move_aside(sample_dir, job_id)
        return result

    def _run_stage(self, name: str, argv: tuple, limits: Limits, env: tuple, sample_dir: str) -> StageResult:
        stage = StageResult(name)
        self.sandbox.before_fork(limits)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        # close-on-exec: empty at EOF when execve succeeded, else the reason it failed; the
        # program never holds it, so it cannot fake an executor failure
        status_r, status_w = os.pipe2(os.O_CLOEXEC)
        started = time.monotonic()
        pid = fork()
        if pid == 0:  # never returns
            self._stage_child(argv, limits, env, sample_dir, out_w, err_w, status_w, (out_r, err_r, status_r))
        for fd in (out_w, err_w, status_w):
            os.close(fd)
        try:
            self._watch_stage(pid, limits, started, out_r, err_r, stage)
        finally:
            self._finish(pid, stage, started)
            failure = _read_all(status_r)
            for fd in (out_r, err_r, status_r):
                os.close(fd)
        if failure:
            raise OSError(f"cannot start the {name} step ({argv[0]}): {failure.decode(errors='replace')}")
        return stage

    def _stage_child(self, argv, limits, env, sample_dir, out_w, err_w, status_w, parent_fds) -> None:
        try:
            self._rewire(parent_fds, out_w, err_w, status_w)
            os.set_inheritable(3, False)
            self.sandbox.child_enter(sample_dir, limits)
            os.execve(argv[0], list(argv), {**dict(env), "HOME": sample_dir, "TMPDIR": sample_dir})
        except BaseException as exc:  # noqa: BLE001 - reported to the worker through fd 3
            try:
                os.write(3, f"{type(exc).__name__}: {exc}"[:500].encode())
            finally:
                os._exit(127)
        os._exit(127)

    def _watch_stage(self, pid: int, limits: Limits, started: float, out_r: int, err_r: int, stage: StageResult) -> None:
        """Wait for the stage's process to exit, its wall-clock deadline or too much output."""
        for fd in (out_r, err_r):
            os.set_blocking(fd, False)
        pidfd = os.pidfd_open(pid)
        deadline = started + limits.wall_seconds
        out, err = Tail(STAGE_TAIL_BYTES), Tail(STAGE_TAIL_BYTES)
        streams = {out_r: out, err_r: err}
        open_fds = {out_r, err_r}
        unused = bytearray()
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    stage.timed_out = True
                    return
                ready, _, _ = select.select([*open_fds, pidfd], [], [], remaining)
                for fd in ready:
                    if fd != pidfd:
                        self._drain(fd, streams[fd], unused, open_fds)
                if out.total + err.total > limits.output_bytes:
                    stage.output_limited = True
                    return
                if pidfd in ready:
                    for fd in list(open_fds):  # what is still buffered (a daemon may hold the pipes open)
                        self._drain(fd, streams[fd], unused, open_fds)
                    stage.output_limited = out.total + err.total > limits.output_bytes
                    return
        finally:
            os.close(pidfd)
            stage.stdout_tail, stage.stderr_tail = out.data, err.data
            stage.stdout_bytes, stage.stderr_bytes = out.total, err.total

    def _rewire(self, parent_fds, out_w: int, err_w: int, fd3: int) -> None:
        """In a forked child: stdin from /dev/null, stdout/stderr to the worker's pipes, `fd3` as
        descriptor 3, every other descriptor closed but what the sandbox still needs in
        child_enter, default signal handling."""
        for fd in parent_fds:
            os.close(fd)
        os.dup2(self.devnull, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.dup2(fd3, 3)
        start = 4
        for keep in sorted(fd for fd in getattr(self.sandbox, "inherit_fds", ()) if fd >= start):
            os.closerange(start, keep)
            start = keep + 1
        os.closerange(start, 65536)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(signum, signal.SIG_DFL)

    def _child(self, problem, program, limits, sample_dir, area, res_w, out_w, err_w, parent_fds) -> None:
        channel = _child.Channel(area, 3)
        try:
            self._rewire(parent_fds, out_w, err_w, res_w)
            self.sandbox.child_enter(sample_dir, limits)
        except BaseException as exc:  # noqa: BLE001
            try:
                channel.send((_child.MSG_SANDBOX_ERROR, f"{type(exc).__name__}: {exc}"[:500]))
            finally:
                os._exit(70)
        try:
            _child.run(problem, program, channel)
        finally:
            os._exit(0)

    def _watch(self, pid, limits, started, area, res_r, out_r, err_r, result: RawResult) -> None:
        """Wait for the child's exit, its deadline, too much output or a broken channel. Reports
        in the shared area wake nobody; they are read once the child is gone, or as soon as
        reports come through the pipe (the child writes there only once the area is full).
        A CPU limit below RLIMIT_CPU's whole seconds is enforced here, from the child's CPU clock."""
        for fd in (res_r, out_r, err_r):
            os.set_blocking(fd, False)
        pidfd = os.pidfd_open(pid)
        deadline = started + limits.wall_seconds
        cpu = CpuWatch(pid, limits.cpu_seconds, started)
        out, err = Tail(), Tail()
        buffer = bytearray()
        streams = {out_r: out, err_r: err}
        open_fds = {res_r, out_r, err_r}
        area_read = False
        try:
            while True:
                now = time.monotonic()
                remaining = deadline - now
                if remaining <= 0 or cpu.spent(now):
                    # a child that reported everything in the area but did not exit in time is
                    # not late (one that finished through the pipe has returned already)
                    done = not area_read and self._take_area(area, result)
                    area_read = True
                    result.timed_out = not done
                    return
                ready, _, _ = select.select([*open_fds, pidfd], [], [], min(remaining, cpu.next_check - now))
                exited = pidfd in ready
                for fd in ready:
                    if fd != pidfd:
                        self._drain(fd, streams.get(fd), buffer, open_fds)
                if exited:
                    for fd in list(open_fds):  # what is still buffered in the pipes
                        self._drain(fd, streams.get(fd), buffer, open_fds)
                if (buffer or exited) and not area_read:
                    area_read = True
                    if self._take_area(area, result):
                        return
                if self._parse(buffer, result) or exited:
                    for fd in (out_r, err_r):  # output written before "done" may not be read yet
                        if fd in open_fds:
                            self._drain(fd, streams[fd], buffer, open_fds)
                    return
                if out.total + err.total > limits.output_bytes:
                    result.output_limited = True
                    return
                if result.bad_channel:
                    return
        finally:
            os.close(pidfd)
            if not area_read:
                self._take_area(area, result)
            result.stdout_tail = out.data
            result.stderr_tail = err.data

    def _take_area(self, area: mmap.mmap, result: RawResult) -> bool:
        """Move the reports of the shared area into result.messages; True once they end with
        "done". The child wrote them; nothing in them is trusted, its byte count included."""
        used = min(int.from_bytes(area[:_child.AREA_HEADER], "little"), len(area) - _child.AREA_HEADER)
        frames = bytearray(area[_child.AREA_HEADER : _child.AREA_HEADER + used])
        done = self._parse(frames, result)
        if frames and not done and not result.bad_channel:
            result.bad_channel = "a truncated report in the shared result area"
        return done

    def _drain(self, fd, tail: Tail | None, buffer: bytearray, open_fds: set) -> bool:
        for _ in range(64):  # bounded: a fast writer must not keep the watcher from its deadline
            try:
                chunk = os.read(fd, READ_CHUNK)
            except BlockingIOError:
                return True
            except OSError as exc:
                if exc.errno == errno.EINTR:
                    continue
                raise
            if not chunk:
                open_fds.discard(fd)
                return True
            if tail is None:
                buffer += chunk
                if len(buffer) > MAX_FRAME + 4:
                    return True
            else:
                tail.add(chunk)
        return True

    def _parse(self, buffer: bytearray, result: RawResult) -> bool:
        """Move complete frames into result.messages; True once the child said it is done."""
        while len(buffer) >= 4:
            size = int.from_bytes(buffer[:4], "little")
            if size > MAX_FRAME:
                result.bad_channel = f"a result frame of {size} bytes exceeds the {MAX_FRAME} byte cap"
                return False
            if len(buffer) < 4 + size:
                return False
            # read in place: a copy of a large frame (MBPP+'s Mbpp/255 ships 119 MB) costs the
            # sample's wall clock while its child waits on the pipe
            with memoryview(buffer) as view, view[4 : 4 + size] as frame:
                try:
                    message = marshal.loads(frame)
                except (ValueError, EOFError, TypeError) as exc:
                    result.bad_channel = f"unreadable result frame: {exc}"
                    return False
            del buffer[: 4 + size]
            if not isinstance(message, tuple) or not message or not isinstance(message[0], int):
                result.bad_channel = "malformed result message"
                return False
            if message[0] in (_child.MSG_STEP_VALUE, _child.MSG_STEP_DESCRIBED) and len(message) == 3:
                # re-serialise: the driver only ever loads marshal data CPython itself wrote
                try:
                    message = (message[0], message[1], marshal.dumps(message[2]))
                except ValueError:
                    message = (_child.MSG_STEP_UNMARSHALLABLE, message[1], "code object")
            result.messages.append(message)
            result.channel_bytes += size
            if result.channel_bytes > MAX_CHANNEL_BYTES:
                result.bad_channel = f"the sample sent more than {MAX_CHANNEL_BYTES} bytes of results"
                return False
            if message[0] == _child.MSG_DONE:
                return True
        return False

    def _finish(self, pid: int, result: RawResult, started: float) -> None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, status, usage = os.wait4(pid, 0)
        result.wall_time = time.monotonic() - started
        result.cpu_time = usage.ru_utime + usage.ru_stime
        if os.WIFSIGNALED(status):
            result.signal = os.WTERMSIG(status)
        elif os.WIFEXITED(status):
            result.exit_code = os.WEXITSTATUS(status)
        self.sandbox.cleanup(pid)
        result.oom_killed = bool(getattr(self.sandbox, "last_oom_killed", False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--isolation", default="auto")
    parser.add_argument("--tmp", required=True)
    args = parser.parse_args()
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver handles Ctrl-C and stops us
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    worker = Worker(args.index, args.workers, args.isolation, args.tmp)
    write_message(proto_out, ("ready", worker.sandbox.level, os.getpid()))
    try:
        while True:
            message = read_message(proto_in)
            if message is None or message[0] == "quit":
                return
            kind = message[0]
            if kind == "preimport":
                for name in message[1]:
                    try:
                        importlib.import_module(name)
                    except Exception:  # noqa: BLE001 - optional modules
                        log.debug("pre-import of %s failed", name)
                gc.collect()
                gc.freeze()
            elif kind == "problem":
                _, key, source = message
                worker.problems[key] = compile_problem(source)
                gc.freeze()  # keep the collector off these objects in every forked child
            elif kind == "run":
                _, job_id, key, program, limits = message
                try:
                    raw = worker.run(key, program, limits, job_id)
                except Exception as exc:  # noqa: BLE001 - the executor's fault, reported as such
                    log.exception("worker failed on job %s", job_id)
                    raw = RawResult(sandbox_error=f"{type(exc).__name__}: {exc}")
                write_message(proto_out, ("result", job_id, raw))
            elif kind == "exec":
                _, job_id, files, stages = message
                try:
                    raw = worker.run_stages(files, stages, job_id)
                except Exception as exc:  # noqa: BLE001 - the executor's fault, reported as such
                    log.exception("worker failed on job %s", job_id)
                    raw = RawResult(sandbox_error=f"{type(exc).__name__}: {exc}")
                write_message(proto_out, ("result", job_id, raw))
    finally:
        shutil.rmtree(worker.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
