"""The language registry: how a program in each language is laid out, compiled, run and judged.

One small module per language (or family) defines a `Language` named `LANGUAGE`; `get(name)`
finds it by its canonical name or any alias (MultiPL-E's code, mxeval's and HumanEval-X's
names, the file extension). Adding a language is one module here, its entry in `_MODULES`, and
its tests: nothing else in the executor changes.

Python is the exception: its problems run in the fork-server's own child (the in-process step
protocol, with expected values kept in the driver), so `python` has an entry here for the
registry's listings (toolchain, doctor) but no stages.

For every other language a sample becomes an `ExecSpec`: the files to write into the sample's
directory and the stages to run there, each stage one process started with execve() inside the
sandbox (network off, Landlock, seccomp, cgroup caps, the sample's uid), the compile stage
included. The trusted judge (`Language.judge`) turns what the worker saw of the stages (exit
codes, signals, times, output tails) into the verdict. A random end marker, printed by code that
nl2code appends after the benchmark's tests, tells a program that ran every test from one that
exited early with status 0; it is not secret from a hostile program in the same process (see
docs/executor.md, "What a verdict proves").
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import logging
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field

from nl2code.errors import ConfigError
from nl2code.execution._worker import StageResult
from nl2code.records import Execution, Limits, Problem, Status, TestOutcome

log = logging.getLogger(__name__)

# modules of this package, each defining LANGUAGE (or LANGUAGES, a tuple, for a family)
_MODULES: tuple[str, ...] = (
    "python", "cpp", "javascript", "php", "perl", "ruby", "lua", "r", "racket", "bash", "python_program",
    "jvm", "go", "csharp", "d", "rust", "julia", "swift",
)

BASE_ENV: tuple[tuple[str, str], ...] = (
    ("PATH", "/usr/local/bin:/usr/bin:/bin"),
    ("LANG", "C.UTF-8"),
    ("LC_ALL", "C.UTF-8"),
)

STDERR_SHOWN = 600  # characters of a stage's stderr kept in a verdict's error


@dataclass(frozen=True, slots=True)
class Stage:
    """One process of a sample: `argv` started with execve() in the sample directory."""

    name: str  # "compile" or "run" (a language may name more, e.g. "link")
    argv: tuple[str, ...]
    limits: Limits
    env: tuple[tuple[str, str], ...] = ()
    compile: bool = False  # a failure here is the program's compile error


@dataclass(frozen=True, slots=True)
class ExecSpec:
    """What the worker does for one sample of a staged language."""

    files: tuple[tuple[str, bytes], ...]  # (relative name, content), written before the first stage
    stages: tuple[Stage, ...]
    marker: str = ""  # printed on its own line once every test ran; "" where the language has none


@dataclass(frozen=True)
class Language:
    """A language's facts and its default assembly and judging; modules override what differs."""

    name: str  # canonical, lower case: "cpp", "java", "js", ...
    title: str  # for people: "C++"
    extension: str  # of the main source file, with the dot
    toolchain: tuple[str, ...]  # executables that must be found on PATH; the first is the main one
    version_argv: tuple[str, ...] = ()  # prints the toolchain's version
    aliases: tuple[str, ...] = ()
    packages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # "apt"/"npm"/"pip" -> packages
    read_paths: tuple[str, ...] = ()  # extra read-only paths the sandbox must allow (toolchains outside /usr)
    processes: int = 64  # processes and threads of one sample (RLIMIT_NPROC and the cgroup's pids cap)
    address_space: bool = True  # False: no RLIMIT_AS (JVM, Go, Node reserve large virtual memory); memory via the cgroup
    compile_cpu_seconds: float = 30.0
    min_cpu_seconds: float = 0.0  # a floor for the run stage's CPU limit (a JVM's start-up costs CPU in several threads)
    env: tuple[tuple[str, str], ...] = ()
    staged: bool = True  # False for Python: runs in the fork-server's own child
    # where no registry here packages the toolchain (Julia, Swift): where to get it; the language
    # is then used where its executables are on PATH and never installed by nl2code
    install_from: str = ""

    # -- toolchain ------------------------------------------------------------------------
    def executable(self, name: str | None = None) -> str | None:
        return shutil.which(name or self.toolchain[0], path=os.environ.get("PATH", "") + os.pathsep + os.pathsep.join(self.extra_bin_dirs()))

    def extra_bin_dirs(self) -> tuple[str, ...]:
        return ()

    def available(self) -> bool:
        return all(self.executable(t) for t in self.toolchain)

    def missing(self) -> list[str]:
        return [t for t in self.toolchain if not self.executable(t)]

    def how_to_install(self) -> str:
        """What to do about a missing toolchain, for messages."""
        if self.install_from:
            return f"not packaged for Debian 12; install from {self.install_from} and put it on PATH"
        return f"nl2code toolchains install {self.name}"

    def version(self) -> str:
        """The toolchain's version line, or "" when it is missing."""
        return _version(self.version_argv or (self.toolchain[0], "--version"), self.extra_bin_dirs())

    # -- a sample -------------------------------------------------------------------------
    def source(self, problem: Problem, program: str, marker: str) -> str:
        """The whole source file: the program (prompt + completion), then the benchmark's tests,
        then the end marker. Override where a language needs another layout."""
        return f"{program}\n{problem.test}\n"

    def stages(self, problem: Problem, limits: Limits) -> tuple[Stage, ...]:
        raise NotImplementedError(f"{self.name}: no stages defined")

    def spec(self, problem: Problem, program: str, limits: Limits, marker: str) -> ExecSpec:
        main = self.main_file(problem)
        return ExecSpec(files=((main, self.source(problem, program, marker).encode()),), stages=self.stages(problem, limits), marker=marker)

    def main_file(self, problem: Problem) -> str:
        return f"main{self.extension}"

    def run_limits(self, limits: Limits) -> Limits:
        return dataclasses.replace(limits, cpu_seconds=max(limits.cpu_seconds, self.min_cpu_seconds), processes=max(limits.processes, self.processes),
                                   address_space=limits.address_space and self.address_space)

    def compile_limits(self, limits: Limits) -> Limits:
        cpu = max(self.compile_cpu_seconds, limits.cpu_seconds)
        return dataclasses.replace(self.run_limits(limits), cpu_seconds=cpu, wall_seconds=2 * cpu + 5)

    def stage_env(self) -> tuple[tuple[str, str], ...]:
        return BASE_ENV + self.env

    # -- the verdict ------------------------------------------------------------------------
    def run_failed(self, result: StageResult) -> tuple[Status, str]:
        """A run stage that ended without its marker: how this language's test failures look.
        By default any non-zero exit, and SIGABRT (C's assert), is a failed test; other signals
        are crashes."""
        if result.signal is not None and result.signal != signal.SIGABRT:
            return Status.CRASHED, f"killed by {_signal_name(result.signal)}" + _stderr(result)
        if result.signal == signal.SIGABRT:
            return Status.FAILED, "assertion failed (SIGABRT)" + _stderr(result)
        return Status.FAILED, f"exit code {result.exit_code}" + _stderr(result)

    def judge(self, problem: Problem, stages: list[StageResult], sandbox_error: str, spec: ExecSpec, *, task_id: str, sample_id: int, index: int, isolation: str, limits: Limits) -> Execution:
        status, error = self.verdict(stages, sandbox_error, spec)
        run = stages[-1] if stages else None
        return Execution(
            task_id=task_id, sample_id=sample_id, index=index, status=status,
            tests=(TestOutcome(passed=status is Status.PASSED, protected=False, error=error[:200]),) if status is not Status.SANDBOX_ERROR else (),
            # the run's CPU time (what reference timings and limits are about); compiling is in duration
            duration=sum(s.wall_time for s in stages), cpu_time=run.cpu_time if run and len(stages) == len(spec.stages) else 0.0,
            stdout_tail=_text(run.stdout_tail) if run else "", stderr_tail=_text(run.stderr_tail) if run else "",
            error=error[:1000], isolation=isolation, limits=limits,
        )

    def verdict(self, stages: list[StageResult], sandbox_error: str, spec: ExecSpec) -> tuple[Status, str]:
        if sandbox_error:
            return Status.SANDBOX_ERROR, sandbox_error
        for stage, result in zip(spec.stages, stages):
            if result.exit_code == 127 and b"nl2code: cannot execute" in result.stderr_tail:
                return Status.SANDBOX_ERROR, _text(result.stderr_tail).strip()[-STDERR_SHOWN:]
            if stage.compile:
                if result.output_limited:
                    return Status.COMPILE_ERROR, f"the {stage.name} step wrote more than {stage.limits.output_bytes} bytes"
                if result.timed_out or result.cpu_limited(stage.limits):
                    return Status.COMPILE_ERROR, f"the {stage.name} step exceeded its time limit ({stage.limits.cpu_seconds:g} s CPU)"
                if result.oom_killed:
                    return Status.COMPILE_ERROR, f"the {stage.name} step ran out of memory"
                if result.exit_code != 0:
                    how = f"exit code {result.exit_code}" if result.signal is None else f"killed by {_signal_name(result.signal)}"
                    return Status.COMPILE_ERROR, f"{stage.name} failed ({how})" + _stderr(result, head=True)
                continue
            if result.output_limited:
                return Status.OUTPUT_LIMIT, f"more than {stage.limits.output_bytes} bytes of output"
            if result.oom_killed:
                return Status.OOM, "killed by the kernel's OOM killer: the sample's processes together exceeded the memory cap"
            if result.timed_out or result.cpu_limited(stage.limits):
                return Status.TIMEOUT, "CPU time limit" if result.cpu_limited(stage.limits) else f"wall-clock limit of {stage.limits.wall_seconds:g} s"
            marked = bool(spec.marker) and _has_marker(result.stdout_tail, spec.marker)
            if result.exit_code == 0 and result.signal is None:
                if marked or not spec.marker:
                    continue
                return Status.NO_RESULT, "exited with status 0 before every test ran (no end marker)"
            return self.run_failed(result)
        if len(stages) < len(spec.stages):
            return Status.SANDBOX_ERROR, f"the worker ran {len(stages)} of {len(spec.stages)} steps"
        return Status.PASSED, ""


def _has_marker(stdout_tail: bytes, marker: str) -> bool:
    return marker.encode() in stdout_tail.splitlines()


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _stderr(result: StageResult, head: bool = False) -> str:
    text = _text(result.stderr_tail).strip() or _text(result.stdout_tail).strip()
    if not text:
        return ""
    return ": " + (text[:STDERR_SHOWN] if head else text[-STDERR_SHOWN:])


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


@functools.cache
def _version(argv: tuple[str, ...], extra_dirs: tuple[str, ...] = ()) -> str:
    exe = shutil.which(argv[0], path=os.environ.get("PATH", "") + os.pathsep + os.pathsep.join(extra_dirs))
    if exe is None:
        return ""
    try:
        out = subprocess.run([exe, *argv[1:]], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0][:120] if text else ""


@functools.cache
def all_languages() -> tuple[Language, ...]:
    found: list[Language] = []
    for module_name in _MODULES:
        module = importlib.import_module(f"{__name__}.{module_name}")
        found += list(getattr(module, "LANGUAGES", None) or (module.LANGUAGE,))
    return tuple(found)


@functools.cache
def _index() -> dict[str, Language]:
    index: dict[str, Language] = {}
    for language in all_languages():
        for key in (language.name, *language.aliases, language.extension.lstrip(".")):
            index.setdefault(key.lower(), language)
    return index


def get(name: str) -> Language:
    """The language called `name` (canonical or an alias, any case)."""
    language = _index().get(name.lower())
    if language is None:
        raise ConfigError(f"unknown language {name!r}; known: {', '.join(sorted(l.name for l in all_languages()))}")
    return language


def names() -> list[str]:
    return [language.name for language in all_languages()]


def toolchain_prefix(executable: str) -> tuple[str, ...]:
    """The installation directory of a toolchain found on PATH outside the system's directories
    (e.g. /home/me/julia-1.10 for /home/me/julia-1.10/bin/julia), for `read_paths`; () when it is
    missing or lives under the system paths the sandbox already allows read-only."""
    from nl2code.execution.isolation.landlock import SYSTEM_PATHS

    found = shutil.which(executable)
    if found is None:
        return ()
    prefix = os.path.dirname(os.path.dirname(os.path.realpath(found)))
    inside = any(prefix == p or prefix.startswith(p + "/") for p in SYSTEM_PATHS)
    return () if inside or prefix == "/" else (prefix,)


def extra_read_paths() -> tuple[str, ...]:
    """Read-only paths every registered toolchain needs beyond the system's (for the sandbox's
    Landlock policy and, as root, the worker's mount namespace)."""
    paths: list[str] = []
    for language in all_languages():
        paths += [p for p in language.read_paths if os.path.isdir(p)]
    return tuple(dict.fromkeys(paths))


_NAME_RE = re.compile(r"^[A-Za-z0-9_.\-/]+$")


def check_file_name(name: str) -> str:
    """Names of files a spec writes: relative, plain, no way out of the sample directory."""
    if not _NAME_RE.match(name) or name.startswith("/") or ".." in name.split("/"):
        raise ValueError(f"bad file name in an execution spec: {name!r}")
    return name
