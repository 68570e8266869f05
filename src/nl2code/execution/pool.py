"""The driver side of the executor: a pool of warm workers fed over pipes.

The pool is trusted and single-threaded: it sends each worker its problems (test code without
expected values) and jobs, keeps a few jobs in flight per worker, restarts a worker that dies,
and yields raw results as they come. Judging happens in `nl2code.execution.judge`.
"""

from __future__ import annotations

import collections
import logging
import os
import pickle
import select
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from nl2code.errors import ExecutionError
from nl2code.execution import _child
from nl2code.execution._worker import DEFAULT_PREIMPORTS, RawResult
from nl2code.records import Limits, Problem, StepKind

log = logging.getLogger(__name__)

_KIND = {StepKind.STATEMENT: _child.KIND_STATEMENT, StepKind.ASSERT: _child.KIND_ASSERT, StepKind.COMPARE: _child.KIND_COMPARE}


@dataclass(frozen=True, slots=True)
class Job:
    job_id: int
    problem: Problem
    program: str
    limits: Limits
    spec: object = None  # a staged language's ExecSpec (files and stages); None: Python's step protocol


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS
        return max(1, os.cpu_count() or 1)


def problem_source(problem: Problem) -> dict:
    """What a worker may know of a problem: code to run, never the expected values."""
    return {
        "entry_point": problem.entry_point,
        "bind_candidate": "candidate" in problem.test_prelude or any("candidate" in s.source for s in problem.steps),
        "setup": problem.setup,
        "prelude": problem.test_prelude,
        "steps": [(_KIND[s.kind], s.source) for s in problem.steps],
    }


def child_program(problem: Problem, program: str) -> str:
    """What the child executes as the sample's program: the program itself, or, where the
    problem's test harness runs the code (`Problem.source_as_text`), the code bound as text."""
    return f"__source__ = {program!r}\n" if problem.source_as_text else program


_keys: dict[int, tuple[Problem, str]] = {}


def problem_key(problem: Problem) -> str:
    """Names a problem's test code in the workers: two problems with the same task id but other
    steps (a rebuilt problem) get different keys. Cached per problem object."""
    cached = _keys.get(id(problem))
    if cached is not None and cached[0] is problem:
        return cached[1]
    import hashlib

    digest = hashlib.sha256(repr(problem_source(problem)).encode()).hexdigest()[:16]
    key = f"{problem.benchmark}/{problem.task_id}/{digest}"
    _keys[id(problem)] = (problem, key)
    return key


def tmp_root() -> str:
    root = os.path.join(tempfile.gettempdir(), f"nl2code-{os.getuid()}")
    os.makedirs(root, mode=0o700, exist_ok=True)
    return root


def sweep_stale_dirs(root: str) -> None:
    """Remove the sample directories of drivers that died (kill -9) so they never pile up."""
    for name in os.listdir(root):
        if not name.startswith("run-"):
            continue
        try:
            pid = int(name.split("-", 1)[1])
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)
        except PermissionError:
            pass


class WorkerStalled(Exception):
    """A worker took no data from the driver for longer than its current job may take."""


START_TIMEOUT = 120.0  # seconds a new worker may take to say it is ready (imports, sandbox set-up, a loaded machine)


class _Worker:
    def __init__(self, index: int, n_workers: int, isolation: str, tmp: str, preimports: Sequence[str], grace: float = 30.0) -> None:
        self.index = index
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nl2code.execution._worker_main", "--index", str(index),
             "--workers", str(n_workers), "--isolation", isolation, "--tmp", tmp],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True,
            # one string-hash seed for every worker: set iteration order is then the same in
            # every sample and in the reference outputs (`tuple(set(...))` answers)
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        self.out_fd = self.proc.stdin.fileno()
        self.in_fd = self.proc.stdout.fileno()
        self.buffer = bytearray()
        self.known: set[str] = set()
        self.in_flight: collections.deque[Job] = collections.deque()
        self.head_since = 0.0  # when the job at the head of in_flight started (the watchdog's clock)
        self.preimports = preimports
        self.grace = grace  # seconds past a job's own limits (plus half of them) before the watchdog acts
        self.level = ""

    def wait_ready(self, timeout: float = START_TIMEOUT) -> _Worker:
        """Wait for the worker's hello (workers start side by side), then have it pre-import.
        Bounded: a worker that never says it is ready (stopped, wedged) is an error, not a hang."""
        os.set_blocking(self.in_fd, False)
        os.set_blocking(self.out_fd, False)
        deadline = time.monotonic() + timeout
        while not self.has_message():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.proc.kill()
                raise ExecutionError(f"worker {self.index} did not start within {timeout:.0f} s; run with -vv for its log")
            select.select([self.in_fd], [], [], remaining)
            if not self._read_available():
                raise ExecutionError(f"worker {self.index} failed to start (exit code {self.proc.wait()}); run with -vv for its log")
        ready = self.receive()[0]
        if ready[0] != "ready":
            raise ExecutionError(f"worker {self.index} failed to start: it sent {ready[0]!r} first")
        self.level = ready[1]
        self._write(("preimport", list(self.preimports)))
        return self

    def overdue(self) -> float:
        """Seconds until the job at the head of in_flight is overdue (negative: it is): its own
        wall-clock limits x 1.5 plus the grace period, counted from when it started."""
        return self.head_since + job_budget(self.in_flight[0]) * 1.5 + self.grace - time.monotonic()

    def _write(self, message) -> None:
        """Send one message. A job or problem larger than the pipe can block while the worker
        is itself blocked writing a large result to us: take in what it sends while we wait,
        so neither side waits for the other (parsed later by `receive`). A worker that takes
        nothing until its current job is overdue raises `WorkerStalled`: the driver never
        waits on a worker without a bound."""
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(len(data).to_bytes(4, "little") + data)
        while view:
            try:
                view = view[os.write(self.out_fd, view):]
            except BlockingIOError:
                wait = max(0.0, self.overdue()) if self.in_flight else START_TIMEOUT
                readable, writable, _ = select.select([self.in_fd], [self.out_fd], [], wait)
                if readable and not self._read_available():
                    raise BrokenPipeError(f"worker {self.index} closed its result pipe") from None
                if not readable and not writable:
                    raise WorkerStalled(f"worker {self.index} took no data for {wait:.0f} s") from None

    def _read_available(self) -> bool:
        """Read what the worker has sent into the buffer; False at end of file."""
        try:
            while True:
                chunk = os.read(self.in_fd, 1 << 20)
                if not chunk:
                    return False
                self.buffer += chunk
        except BlockingIOError:
            return True

    def has_message(self) -> bool:
        """A complete message is already buffered (taken in while sending)."""
        return len(self.buffer) >= 4 and len(self.buffer) >= 4 + int.from_bytes(self.buffer[:4], "little")

    def send(self, job: Job) -> None:
        """Send a job; it counts as in flight from the start, so that a worker that stalls
        while taking it in is retried with it (`WorkerStalled`)."""
        if not self.in_flight:
            self.head_since = time.monotonic()
        self.in_flight.append(job)
        if job.spec is not None:
            stages = [(s.name, s.argv, s.limits, s.env) for s in job.spec.stages]
            self._write(("exec", job.job_id, list(job.spec.files), stages))
            return
        key = problem_key(job.problem)
        if key not in self.known:
            self._write(("problem", key, problem_source(job.problem)))
            self.known.add(key)
        self._write(("run", job.job_id, key, job.program, job.limits))

    def receive(self) -> list | None:
        """Messages now readable; None when the worker died."""
        if not self._read_available():
            return None
        messages = []
        while len(self.buffer) >= 4:
            size = int.from_bytes(self.buffer[:4], "little")
            if len(self.buffer) < 4 + size:
                break
            with memoryview(self.buffer) as view, view[4 : 4 + size] as body:
                messages.append(pickle.loads(body))  # in place: a result can be hundreds of MB (Mbpp/255)
            del self.buffer[: 4 + size]
        return messages

    def stop(self) -> None:
        try:  # never blocks: a worker whose pipe is full (stopped, wedged) is killed below
            os.write(self.out_fd, _QUIT)
            self.proc.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            self.proc.kill()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


_QUIT = (lambda data: len(data).to_bytes(4, "little") + data)(pickle.dumps(("quit",), protocol=pickle.HIGHEST_PROTOCOL))


def job_budget(job: Job) -> float:
    """Wall seconds a worker may take to answer a job: the limits it enforces itself (every stage
    of a staged language), which it never exceeds unless it stopped working."""
    if job.spec is not None:
        return sum(stage.limits.wall_seconds for stage in job.spec.stages)
    return job.limits.wall_seconds


class ExecutionPool:
    """Warm workers, one per core by default. Use as a context manager.

    A watchdog guards against a worker that stops answering (stopped, wedged in the kernel, or
    starved): a worker whose current job has run past its own wall-clock limits plus a grace
    period is killed and replaced, and the job is retried once on the new worker, then reported
    as crashed."""

    def __init__(
        self,
        workers: int | None = None,
        isolation: str = "auto",
        preimports: Sequence[str] = DEFAULT_PREIMPORTS,
        depth: int = 2,
        watchdog_grace: float = 30.0,
    ) -> None:
        cores = default_workers()
        if workers and workers > cores:
            # more workers than cores only makes samples wait for CPU and stretches wall clocks
            log.warning("--workers %d exceeds the %d available cores; using %d", workers, cores, cores)
            workers = cores
        self.n_workers = workers or cores
        self.isolation = isolation
        self.preimports = tuple(preimports)
        self.depth = depth
        self.watchdog_grace = watchdog_grace  # seconds past a job's own limits (plus half of them)
        self.hangs = 0
        root = tmp_root()
        sweep_stale_dirs(root)
        self.tmp = os.path.join(root, f"run-{os.getpid()}")
        os.makedirs(self.tmp, exist_ok=True)
        self.workers: list[_Worker] = []
        self.restarts = 0

    @property
    def level(self) -> str:
        return self.workers[0].level if self.workers else "not started"

    def __enter__(self) -> ExecutionPool:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        if not self.workers:
            started = [_Worker(i, self.n_workers, self.isolation, self.tmp, self.preimports, self.watchdog_grace) for i in range(self.n_workers)]
            try:
                self.workers = [w.wait_ready() for w in started]
            except BaseException:
                for worker in started:
                    worker.proc.kill()
                    worker.proc.wait()
                raise

    def _spawn(self, index: int) -> _Worker:
        return _Worker(index, self.n_workers, self.isolation, self.tmp, self.preimports, self.watchdog_grace).wait_ready()

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers = []
        shutil.rmtree(self.tmp, ignore_errors=True)

    def imap(self, jobs: Iterable[Job]) -> Iterator[tuple[Job, RawResult]]:
        """Run jobs; yield (job, raw result) as each finishes, in completion order."""
        self.start()
        pending = iter(jobs)
        retry: collections.deque[Job] = collections.deque()
        retried: set[int] = set()
        exhausted = False
        selector = selectors.DefaultSelector()
        for worker in self.workers:
            selector.register(worker.in_fd, selectors.EVENT_READ, worker)
        try:
            while True:
                for worker in list(self.workers):
                    while len(worker.in_flight) < self.depth:
                        job = retry.popleft() if retry else (None if exhausted else next(pending, None))
                        if job is None:
                            exhausted = True
                            break
                        try:
                            worker.send(job)
                        except WorkerStalled as exc:
                            yield from self._kill_stalled(worker, selector, retry, retried, f"{exc} while being sent job {job.job_id}")
                            break
                        except BrokenPipeError:  # it died (a sample killed it): as when its results end
                            worker.proc.kill()
                            yield from self._replace_dead(worker, selector, retry, retried)
                            break
                if not any(w.in_flight for w in self.workers):
                    if retry:  # a worker was replaced while being sent jobs: they go to the new one
                        continue
                    return
                buffered = [w for w in self.workers if w.has_message()]
                events = [] if buffered else selector.select(timeout=self._watchdog_wait())
                for worker in buffered or [key.data for key, _ in events]:
                    messages = worker.receive()
                    for message in messages or ():
                        if message[0] != "result":
                            continue
                        job = worker.in_flight.popleft()
                        if job.job_id != message[1]:
                            raise ExecutionError(f"worker {worker.index} answered job {message[1]}, expected {job.job_id}")
                        worker.head_since = time.monotonic()
                        yield job, message[2]
                    if messages is None:
                        yield from self._replace_dead(worker, selector, retry, retried)
                if not events and not buffered:
                    for worker in list(self.workers):
                        if worker.in_flight and worker.overdue() <= 0:
                            yield from self._kill_stalled(worker, selector, retry, retried,
                                                          f"worker {worker.index} has not answered for {time.monotonic() - worker.head_since:.0f} s")
        finally:
            selector.close()

    def _kill_stalled(self, worker: _Worker, selector, retry, retried, why: str) -> Iterator[tuple[Job, RawResult]]:
        """The watchdog: a worker whose current job ran past its limits (stopped, wedged in the
        kernel, starved, or stuck in the middle of a message) is killed and replaced."""
        log.warning("%s, past the limits of job %d: killing and replacing it", why, worker.in_flight[0].job_id)
        self.hangs += 1
        worker.proc.kill()
        yield from self._replace_dead(worker, selector, retry, retried, reason="the worker stopped answering while running this sample, twice")

    def _watchdog_wait(self) -> float | None:
        waits = [w.overdue() for w in self.workers if w.in_flight]
        return max(0.0, min(waits)) if waits else None

    def _replace_dead(self, worker: _Worker, selector, retry, retried, reason: str = "the sample killed its worker process twice") -> Iterator[tuple[Job, RawResult]]:
        """A worker died (a sample killed it, or the executor broke): restart it. The job it was
        running gets one more try on a fresh worker; killing that one too is the sample's fault."""
        selector.unregister(worker.in_fd)
        code = worker.proc.wait()
        log.warning("worker %d died (exit %s); restarting it", worker.index, code)
        self.restarts += 1
        jobs = list(worker.in_flight)
        worker.proc.stdout.close()
        try:
            worker.proc.stdin.close()
        except OSError:
            pass
        new = self._spawn(worker.index)
        self.workers[worker.index] = new
        selector.register(new.in_fd, selectors.EVENT_READ, new)
        if jobs:
            running, queued = jobs[0], jobs[1:]
            if running.job_id in retried:
                yield running, RawResult(signal=signal.SIGKILL, sandbox_error="", bad_channel=reason)
            else:
                retried.add(running.job_id)
                retry.append(running)
            retry.extend(queued)
