"""Hostile programs against the executor: each gets its expected verdict, and what it tried to do
outside its sample directory did not happen.

All cases run in one pool (2 workers, small limits) so the suite stays within a minute. A case
whose containment needs a layer this machine lacks (see `nl2code doctor`) is skipped rather than
run: on a developer's machine with weak isolation nothing here may touch real files, processes or
the network. Processes, memory and time are bounded by the limits below in every mode.

Policies chosen here: a never-ending non-daemon thread does not hold the verdict (the child exits
once every test reported); a program that exits or raises before its tests is never a pass.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import shutil
import socket
import sys
import sysconfig
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from nl2code.execution import ExecutionPool, execute
from nl2code.records import Comparison, Execution, Limits, Problem, Status, StepKind
from nl2code.records import TestStep as Step  # not "Test*": pytest would try to collect it

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the hostile suite targets Linux")

LIMITS = Limits(
    cpu_seconds=2.0, wall_seconds=4.0, memory_bytes=512 * 1024**2, file_size_bytes=16 * 1024**2,
    open_files=128, processes=32, output_bytes=256 * 1024,
)
TOKEN = secrets.token_hex(3)  # marks every trace a case may leave (file names, process names)
CORRECT = "def f(x):\n    return x * x\n"


def _problem(task_id: str, steps: tuple[Step, ...], prelude: str = "") -> Problem:
    return Problem(
        benchmark="hostile", version="1", data_sha256="0" * 64, task_id=task_id, prompt="", entry_point="f",
        test="", reference=CORRECT, test_prelude=prelude, steps=steps,
    )


# P: one protected step (compared in the driver) and one in-child assert, as most HumanEval tests.
P = _problem("P", (Step(StepKind.COMPARE, "f(2)", Comparison.EQUAL, 4), Step(StepKind.ASSERT, "assert f(3) == 9")))
# R: a unittest-style check next to a protected step.
R = _problem(
    "R",
    (Step(StepKind.COMPARE, "f(2)", Comparison.EQUAL, 4), Step(StepKind.ASSERT, "tc.assertEqual(f(3), 9)")),
    prelude="import unittest\ntc = unittest.TestCase()\n",
)
# M: as P, with time enough for a contended machine to fill a memory cgroup.
M = _problem("M", P.steps)
PROBLEMS = {p.task_id: p for p in (P, R, M)}
LIMITS_M = dataclasses.replace(LIMITS, wall_seconds=10.0)


@dataclass
class World:
    """Things outside the sandbox that hostile samples aim at, created by the test itself."""

    canary_dir: str
    canary_file: str
    tmp_target: str
    home_target: str
    site_target: str
    tcp: socket.socket
    udp: socket.socket
    tmp_root: str

    @property
    def replacements(self) -> dict[str, str]:
        return {
            "%CANARY_DIR%": self.canary_dir, "%CANARY_FILE%": self.canary_file, "%TMP_TARGET%": self.tmp_target,
            "%HOME_TARGET%": self.home_target, "%SITE_TARGET%": self.site_target, "%TOKEN%": TOKEN,
            "%TCP_PORT%": str(self.tcp.getsockname()[1]), "%UDP_PORT%": str(self.udp.getsockname()[1]),
            "%TMP_ROOT%": self.tmp_root, "%MODULE%": f"nl2code_hostile_{TOKEN}",
        }


@dataclass
class Case:
    name: str
    program: str
    expected: Status
    needs: frozenset[str] = frozenset()  # containment features this case relies on
    problem: Problem = P
    check: Callable[[World, Execution], None] | None = None
    also: tuple[Callable[[Execution], None], ...] = field(default=())


def _intact(world: World, _e: Execution) -> None:
    assert os.path.isdir(world.canary_dir), "the canary directory was removed"
    with open(os.path.join(world.canary_dir, "keep.txt")) as f:
        assert f.read() == "keep"
    with open(world.canary_file) as f:
        assert f.read() == "canary"


def _absent(attr: str) -> Callable[[World, Execution], None]:
    def check(world: World, _e: Execution) -> None:
        path = getattr(world, attr)
        assert not os.path.exists(path), f"{path} was written by a sample"

    return check


def _no_connection(world: World, _e: Execution) -> None:
    with pytest.raises(BlockingIOError):
        world.tcp.accept()


def _no_datagram(world: World, _e: Execution) -> None:
    with pytest.raises(BlockingIOError):
        world.udp.recv(100)


def _fast(e: Execution) -> None:
    assert e.duration < LIMITS.wall_seconds - 1, f"the verdict waited for a thread ({e.duration:.1f} s)"


def _tail_replaced(e: Execution) -> None:
    assert "\ufffd" in e.stdout_tail


def _prog(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


SET_NAME = "import ctypes\nctypes.CDLL(None).prctl(15, b'h%TOKEN%', 0, 0, 0)\n"  # process name carries the token

CASES: list[Case] = [
    # -- time
    Case("endless_loop", "while True:\n    pass\n", Status.TIMEOUT),
    Case("long_sleep", "import time\ntime.sleep(60)\n" + CORRECT, Status.TIMEOUT),
    Case("ignores_sigterm", "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass\n", Status.TIMEOUT),
    Case(
        "ignores_sigxcpu_and_sigalrm",
        "import signal\nfor s in (signal.SIGXCPU, signal.SIGALRM):\n    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass\n",
        Status.TIMEOUT,
    ),
    Case(
        "swallows_the_timeout",
        _prog("""
            while True:
                try:
                    while True:
                        pass
                except BaseException:
                    pass
        """),
        Status.TIMEOUT,
    ),
    Case("catastrophic_regex", "import re\nre.match(r'(a+)+$', 'a' * 64 + 'b')\n" + CORRECT, Status.TIMEOUT),
    # -- processes
    Case(
        "fork_bomb",
        SET_NAME + _prog("""
            import os
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
        """),
        Status.TIMEOUT,
        needs=frozenset({"process cap"}),
    ),
    Case(
        "setsid_daemon_then_correct_code",
        _prog("""
            import os, time
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    import ctypes
                    ctypes.CDLL(None).prctl(15, b'h%TOKEN%', 0, 0, 0)
                    for fd in range(3):
                        os.close(fd)
                    time.sleep(300)
                os._exit(0)
        """) + CORRECT,
        Status.PASSED,
    ),
    Case(
        "daemon_holding_the_output_pipes_then_correct_code",
        _prog("""
            import os, time
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    import ctypes
                    ctypes.CDLL(None).prctl(15, b'h%TOKEN%', 0, 0, 0)
                    while True:
                        time.sleep(0.05)
                        print('still here', flush=True)
                os._exit(0)
        """) + CORRECT,
        Status.PASSED,
        also=(_fast,),
    ),
    Case(
        "endless_non_daemon_thread_then_correct_code",
        "import threading, time\nthreading.Thread(target=lambda: time.sleep(10**6)).start()\n" + CORRECT,
        Status.PASSED,
        also=(_fast,),
    ),
    # -- memory and output
    Case("memory_bomb", "x = bytearray(6 * 1024**3)\n" + CORRECT, Status.OOM),
    # on M: filling 512 MB takes 0.2-0.5 s of CPU, but under a load of 15-29 on two cores its wall
    # time came past P's 4 s (a timeout, not the OOM this case is about)
    Case("gradual_growth", "chunks = []\nwhile True:\n    chunks.append(b'x' * 10**7)\n", Status.OOM, problem=M),
    Case(
        "processes_that_together_exceed_the_memory_cap",
        _prog("""
            import os, signal, time
            kids = []
            for _ in range(3):
                pid = os.fork()
                if pid == 0:
                    block = b'x' * (400 * 1024**2)  # each child stays under its own address-space cap
                    while True:
                        time.sleep(1)
                kids.append(pid)
            killed = False
            deadline = time.monotonic() + 8
            while not killed and time.monotonic() < deadline:
                for pid in kids:
                    done, status = os.waitpid(pid, os.WNOHANG)
                    killed = killed or (done and os.WIFSIGNALED(status))
                time.sleep(0.02)
            for pid in kids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            def f(x):
                return x * x if killed else -1
        """),
        Status.PASSED,
        needs=frozenset({"memory cap"}),
        problem=M,
    ),
    Case(
        "children_exhaust_the_memory_cap",
        _prog("""
            import os, time
            for _ in range(3):
                if os.fork() == 0:
                    block = b'x' * (400 * 1024**2)
                    while True:
                        time.sleep(1)
            os.wait()  # returns once the OOM killer took a child
            os._exit(0)
        """),
        Status.OOM,
        needs=frozenset({"memory cap"}),
        problem=M,
    ),
    Case("stdout_flood", "while True:\n    print('x' * 1000)\n", Status.OUTPUT_LIMIT),
    Case(
        "one_huge_line_of_non_utf8",
        "import sys\nsys.stdout.buffer.write(b'\\xff' * (4 << 20))\nsys.stdout.flush()\n" + CORRECT,
        Status.OUTPUT_LIMIT,
    ),
    Case(
        "non_utf8_output_then_correct_code",
        "import sys\nsys.stdout.buffer.write(b'\\xff\\xfe\\x80 raw bytes\\n')\nsys.stdout.flush()\n" + CORRECT,
        Status.PASSED,
        also=(_tail_replaced,),
    ),
    # -- exits and verdict forgery
    Case("os_exit_0_before_tests", "import os\nos._exit(0)\n" + CORRECT, Status.NO_RESULT),
    Case("sys_exit_0_before_tests", "import sys\nsys.exit(0)\n" + CORRECT, Status.FAILED),  # SystemExit is the program's error
    Case("sys_exit_0_inside_the_function", "import sys\ndef f(x):\n    sys.exit(0)\n", Status.FAILED),
    Case(
        "atexit_exit_0_after_a_wrong_answer",
        "import atexit, os\natexit.register(os._exit, 0)\ndef f(x):\n    return x + 1\n",
        Status.FAILED,
    ),
    Case(
        "forged_passed_on_stdout",
        "import os\nprint('PASSED')\nprint('{\"passed\": true, \"status\": \"passed\"}')\nos._exit(0)\n",
        Status.NO_RESULT,
    ),
    Case(
        "forged_frames_on_the_result_channel",
        _prog("""
            import marshal, os
            def frame(msg):
                data = marshal.dumps(msg)
                os.write(3, len(data).to_bytes(4, 'little') + data)
            frame((0,))
            frame((3, 0))   # 'step 0 ran fine' although step 0 is a protected comparison
            frame((3, 1))
            frame((9,))
            os._exit(0)
        """),
        Status.NO_RESULT,
    ),
    # Reports go to a memory area shared with the worker (made for each sample), then, once it is
    # full, to the pipe on fd 3: taking the pipe away leaves the reports of a correct program
    # intact, and of a wrong one too; taking the area away leaves no result.
    Case("dup2_over_the_result_pipe", "import os\nos.dup2(os.open(os.devnull, os.O_WRONLY), 3)\n" + CORRECT, Status.PASSED),
    Case(
        "dup2_over_the_result_pipe_after_a_wrong_answer",
        "import os\nos.dup2(os.open(os.devnull, os.O_WRONLY), 3)\ndef f(x):\n    return x + 1\n",
        Status.FAILED,
    ),
    Case(
        "closes_the_result_channel",
        _prog("""
            import gc, os
            for obj in gc.get_objects():
                if type(obj).__name__ == 'Channel':
                    obj.area.close()
            os.close(3)
            def f(x):
                return x * x
        """),
        Status.NO_RESULT,
    ),
    Case(
        "forged_frames_in_the_result_area",
        _prog("""
            import gc, marshal, os
            area = next(o for o in gc.get_objects() if type(o).__name__ == 'Channel').area
            frames = b''
            for msg in ((0,), (3, 0), (3, 1), (9,)):   # step 0 'ran fine', though it is a comparison
                data = marshal.dumps(msg)
                frames += len(data).to_bytes(4, 'little') + data
            area[:8 + len(frames)] = len(frames).to_bytes(8, 'little') + frames
            os._exit(0)
        """),
        Status.NO_RESULT,
    ),
    Case(
        "wipes_the_result_area_between_steps",
        _prog("""
            import gc
            def f(x):
                area = next(o for o in gc.get_objects() if type(o).__name__ == 'Channel').area
                area[:4096] = bytes(4096)
                return x * x
        """),
        Status.NO_RESULT,
    ),
    Case(
        "always_equal_object",
        "class AlwaysEqual:\n    def __eq__(self, other):\n        return True\n    __hash__ = None\ndef f(x):\n    return AlwaysEqual()\n",
        Status.FAILED,
    ),
    Case(
        "int_subclass_equal_to_everything",
        "class Sly(int):\n    def __eq__(self, other):\n        return True\n    __hash__ = int.__hash__\ndef f(x):\n    return Sly(0)\n",
        Status.FAILED,
    ),
    Case(
        "numpy_subclass_equal_to_everything",
        "import numpy as np\nclass Sly(np.ndarray):\n    def __eq__(self, other):\n        return np.True_\ndef f(x):\n    return np.asarray(x * x + 1).view(Sly)\n",
        Status.FAILED,
    ),
    Case(
        "numpy_scalar_of_an_always_equal_object",
        _prog("""
            import numpy as np
            class AlwaysEqual:
                def __eq__(self, other):
                    return True
            def f(x):
                a = np.empty((), dtype=object)
                a[()] = AlwaysEqual()
                return a
        """),
        Status.FAILED,
    ),
    Case(
        "forged_value_description_with_a_void_dtype",
        # the child's describer replaced: the driver rebuilds only dtypes it knows
        "import numpy as np\nimport nl2code.execution._values as v\nv.describe = lambda value: ('np', '|V8', (4).to_bytes(8, 'little'))\ndef f(x):\n    return np.int64(x * x + 1)\n",
        Status.FAILED,
    ),
    Case(
        "patched_unittest_assertions",
        "import unittest\nunittest.TestCase.assertEqual = lambda *a, **k: None\ndef f(x):\n    return 0\n",
        Status.FAILED,
        problem=R,
    ),
    Case(
        "frame_walking_for_the_expected_value",
        _prog("""
            import sys
            def f(x):
                frame = sys._getframe(1)
                while frame is not None:
                    for scope in (frame.f_locals, frame.f_globals):
                        for key in ('expected', 'step', 'steps'):
                            if key in scope:
                                return getattr(scope[key], 'expected', scope[key])
                    frame = frame.f_back
                return -1
        """),
        Status.FAILED,
    ),
    Case("input_reads_nothing", "def f(x):\n    return int(input())\n", Status.FAILED),
    # -- crashes
    Case("ctypes_segfault", "import ctypes\nctypes.string_at(0)\n" + CORRECT, Status.CRASHED),
    Case(
        "deep_c_recursion",
        "import sys\nsys.setrecursionlimit(10**8)\nclass Deep:\n    def __repr__(self):\n        return repr(self)\nrepr(Deep())\n" + CORRECT,
        Status.CRASHED,
    ),
    # -- signals
    Case(
        "kills_its_parent",
        "import os, signal\nppid = os.getppid()\nif ppid > 1:\n    try:\n        os.kill(ppid, signal.SIGKILL)\n    except OSError:\n        pass\n" + CORRECT,
        Status.PASSED,
        needs=frozenset({"signal scope"}),
    ),
    Case("killpg_0", "import os, signal\nos.killpg(0, signal.SIGKILL)\n" + CORRECT, Status.CRASHED),
    Case(
        "kill_minus_1",
        "import os, signal\ntry:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError:\n    pass\n" + CORRECT,
        Status.PASSED,
        needs=frozenset({"signal scope"}),
    ),
    # -- files
    Case(
        "rmtree_outside_its_directory",
        "import shutil\nshutil.rmtree('%CANARY_DIR%', ignore_errors=True)\n" + CORRECT,
        Status.PASSED, needs=frozenset({"file confinement"}), check=_intact,
    ),
    Case(
        "posix_unlink_bypass",
        "import posix\ntry:\n    posix.unlink('%CANARY_FILE%')\nexcept OSError:\n    pass\n" + CORRECT,
        Status.PASSED, needs=frozenset({"file confinement"}), check=_intact,
    ),
    Case(
        "importlib_reload_os_bypass",
        "import importlib, os\nos = importlib.reload(os)\ntry:\n    os.remove('%CANARY_FILE%')\nexcept OSError:\n    pass\n" + CORRECT,
        Status.PASSED, needs=frozenset({"file confinement"}), check=_intact,
    ),
    Case(
        "writes_to_tmp",
        "try:\n    open('%TMP_TARGET%', 'w').write('x')\nexcept OSError:\n    pass\n" + CORRECT,
        Status.PASSED, needs=frozenset({"file confinement"}), check=_absent("tmp_target"),
    ),
    Case(
        "writes_to_home",
        "try:\n    open('%HOME_TARGET%', 'w').write('x')\nexcept OSError:\n    pass\n" + CORRECT,
        Status.PASSED, needs=frozenset({"file confinement"}), check=_absent("home_target"),
    ),
    Case(
        "plants_a_module_in_site_packages",
        "try:\n    open('%SITE_TARGET%', 'w').write('PLANTED = 1')\nexcept OSError:\n    pass\n" + CORRECT,
        Status.PASSED, needs=frozenset({"file confinement"}), check=_absent("site_target"),
    ),
    Case(
        "imports_the_planted_module",
        "try:\n    import %MODULE%\n    def f(x):\n        return -1\nexcept ImportError:\n" + textwrap.indent(CORRECT, "    "),
        Status.PASSED, needs=frozenset({"file confinement"}),
    ),
    Case(
        "one_gigabyte_file",
        _prog("""
            written = 0
            try:
                with open('big', 'wb') as out:
                    for _ in range(1024):
                        written += out.write(b'x' * (1 << 20))
            except OSError:
                pass
            def f(x):
                return x * x if written <= 16 * 1024**2 else -written
        """),
        Status.PASSED,
    ),
    Case(
        "small_files_until_the_cap",
        _prog("""
            n = 0
            try:
                for n in range(20000):
                    open(f'f{n}', 'w').close()
            except OSError:
                pass
            def f(x):
                return x * x if n < 19999 else -n
        """),
        Status.PASSED,
        needs=frozenset({"directory cap"}),
    ),
    Case(
        "raises_its_rlimits",
        _prog("""
            import resource
            raised = []
            for which in (resource.RLIMIT_CPU, resource.RLIMIT_AS, resource.RLIMIT_NPROC):
                try:
                    resource.setrlimit(which, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
                    raised.append(which)
                except (ValueError, OSError):
                    pass
            def f(x):
                return x * x if not raised else -1
        """),
        Status.PASSED,
        needs=frozenset({"unprivileged"}),
    ),
    Case(
        "looks_for_other_samples_files",
        _prog("""
            import glob, os
            found = []
            for pattern in ('%TMP_ROOT%/nl2code-*/*/*/*/*', '%TMP_ROOT%/nl2code-*/*/*/*'):
                try:
                    found += [p for p in glob.glob(pattern) if not p.startswith(os.getcwd())]
                except OSError:
                    pass
            def f(x):
                return x * x if not found else -len(found)
        """),
        Status.PASSED,
        needs=frozenset({"file confinement"}),
    ),
    # -- network
    Case(
        "tcp_connect",
        "import socket\ntry:\n    socket.create_connection(('127.0.0.1', %TCP_PORT%), timeout=1)\nexcept OSError:\n    pass\n" + CORRECT,
        Status.PASSED, needs=frozenset({"no network"}), check=_no_connection,
    ),
    Case(
        "udp_send",
        "import socket\ntry:\n    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', %UDP_PORT%))\nexcept OSError:\n    pass\n" + CORRECT,
        Status.PASSED, needs=frozenset({"no network"}), check=_no_datagram,
    ),
    Case(
        "dns_lookup",
        "import socket\ntry:\n    socket.getaddrinfo('pypi.org', 443)\n    resolved = True\nexcept OSError:\n    resolved = False\ndef f(x):\n    return -1 if resolved else x * x\n",
        Status.PASSED, needs=frozenset({"no network"}),
    ),
    # -- carry-over between samples
    Case(
        "poisons_builtins_and_environment",
        "import builtins, os\nbuiltins.abs = lambda v: 0\nos.environ['NL2CODE_POISON'] = '1'\n" + CORRECT,
        Status.PASSED,
    ),
    Case(
        "runs_after_the_poisoner",
        "import os\ndef f(x):\n    return abs(-x) * x if 'NL2CODE_POISON' not in os.environ else -1\n",
        Status.PASSED,
    ),
]


def features(level: str) -> set[str]:
    """What containment the isolation level in force gives (see StrongSandbox.level)."""
    if level == "weak":
        return set() if os.geteuid() == 0 else {"unprivileged", "process cap"}
    layers = set(level.split(":", 1)[1].split("+"))
    got = {"unprivileged"}
    landlock = max((int(x[len("landlock"):]) for x in layers if x.startswith("landlock")), default=0)
    if "netns" in layers:
        got.add("no network")
    if landlock or "uid" in layers:
        got.add("file confinement")
    if "uid" in layers or "pidns" in layers or landlock >= 6:
        got.add("signal scope")
    if "tmpfs" in layers:
        got.add("directory cap")
    if any(x.startswith("cgroup") for x in layers) or os.geteuid() != 0 or "uid" in layers:
        got.add("process cap")  # a cgroup, or RLIMIT_NPROC on a uid of the sample's own
    if any(x.startswith("cgroup") for x in layers):
        got.add("memory cap")  # all of a sample's processes together
    return got


def _live_processes_named(name: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm, state = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2]
        if comm == name and state not in "ZX":
            found.append(int(pid))
    return found


@pytest.fixture(scope="module")
def world():
    base = tempfile.mkdtemp(prefix=f"nl2code-canary-{TOKEN}-", dir="/tmp")
    os.chmod(base, 0o755)
    canary_dir = os.path.join(base, "dir")
    os.mkdir(canary_dir)
    with open(os.path.join(canary_dir, "keep.txt"), "w") as f:
        f.write("keep")
    canary_file = os.path.join(base, "file.txt")
    with open(canary_file, "w") as f:
        f.write("canary")
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    tcp.setblocking(False)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.setblocking(False)
    home = os.path.expanduser("~")
    w = World(
        canary_dir=canary_dir, canary_file=canary_file,
        tmp_target=f"/tmp/nl2code-hostile-{TOKEN}",
        home_target=os.path.join(home, f".nl2code-hostile-{TOKEN}"),
        site_target=os.path.join(sysconfig.get_paths()["purelib"], f"nl2code_hostile_{TOKEN}.py"),
        tcp=tcp, udp=udp, tmp_root=tempfile.gettempdir(),
    )
    yield w
    tcp.close()
    udp.close()
    shutil.rmtree(base, ignore_errors=True)
    for path in (w.tmp_target, w.home_target, w.site_target):
        if os.path.exists(path):
            os.remove(path)


@pytest.fixture(scope="module")
def outcome(world):
    """Run every case whose containment this machine has, in one pool; returns what was seen."""
    with ExecutionPool(workers=2, isolation="auto") as pool:
        level = pool.level
        have = features(level)
        chosen = [c for c in CASES if c.needs <= have]
        from nl2code.records import Sample

        samples = []
        for i, case in enumerate(chosen):
            program = case.program
            for key, value in world.replacements.items():
                program = program.replace(key, value)
            samples.append(Sample(case.problem.task_id, i, i, program))
        started = time.monotonic()
        results = {e.index: e for e in execute(pool, PROBLEMS, samples, lambda p: LIMITS_M if p is M else LIMITS)}
        elapsed = time.monotonic() - started
        restarts = pool.restarts
    survivors = _live_processes_named(f"h{TOKEN}")
    return {
        "level": level, "have": have, "elapsed": elapsed, "restarts": restarts, "survivors": survivors,
        "by_name": {case.name: results[i] for i, case in enumerate(chosen)},
    }


def test_there_are_at_least_35_hostile_programs():
    assert len(CASES) >= 35
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_program_gets_its_verdict_and_leaves_no_trace(case: Case, outcome, world):
    if case.name not in outcome["by_name"]:
        pytest.skip(f"needs {sorted(case.needs - outcome['have'])}, missing under isolation {outcome['level']!r}")
    execution = outcome["by_name"][case.name]
    assert execution.status is case.expected, (execution.status, execution.error, execution.stdout_tail[-300:], execution.stderr_tail[-500:])
    assert execution.isolation == outcome["level"]
    if case.check is not None:
        case.check(world, execution)
    for extra in case.also:
        extra(execution)


def test_no_process_started_by_a_sample_survives_its_verdict(outcome):
    assert outcome["survivors"] == []


def test_no_sample_took_down_a_worker_and_the_suite_stays_fast(outcome):
    if "signal scope" in outcome["have"]:
        assert outcome["restarts"] == 0
    assert outcome["elapsed"] < 90


def test_strong_isolation_is_in_force_on_linux_as_root(outcome):
    """On the CI machine (root, Linux >= 6.12) every containment feature must be there; elsewhere
    this documents what is missing."""
    if os.geteuid() != 0:
        pytest.skip("root-only expectation")
    assert outcome["have"] >= {"no network", "file confinement", "signal scope", "directory cap", "process cap", "unprivileged"}


HOSTILE_COMPLETIONS = [
    "    while True:\n        pass\n",
    "    import os\n    os._exit(0)\n",
    "    import os, signal\n    os.killpg(0, signal.SIGKILL)\n",
    "    import os\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass\n",
    "    x = bytearray(6 * 1024**3)\n",
    "    import os\n    os.kill(os.getppid(), 9)\n    return False\n",
    "    print('PASSED')\n    import sys\n    sys.exit(0)\n",
    "    class AlwaysEqual:\n        def __eq__(self, other):\n            return True\n    return AlwaysEqual()\n",
]


def test_the_evaluator_exits_0_with_a_complete_summary_on_hostile_samples(tmp_path):
    """`nl2code evaluate` on HumanEval/0 answered only by hostile completions: every sample is
    judged, none passes, the process exits 0 and writes a complete summary."""
    import json
    import subprocess

    from nl2code.execution import ExecutionPool as Pool

    for module in ("rich", "sqlalchemy", "pydantic"):  # absent where the suite runs on Debian's bare python3
        pytest.importorskip(module, reason="the CLI's dependencies are not installed for this interpreter")

    with Pool(workers=1) as pool:
        if "signal scope" not in features(pool.level) or "process cap" not in features(pool.level):
            pytest.skip(f"isolation {pool.level!r} cannot contain these samples")
    samples = tmp_path / "hostile.jsonl"
    with open(samples, "w") as f:
        for completion in HOSTILE_COMPLETIONS:
            f.write(json.dumps({"task_id": "HumanEval/0", "completion": completion}) + "\n")
    summary_path = tmp_path / "summary.json"
    proc = subprocess.run(
        [sys.executable, "-m", "nl2code", "evaluate", str(samples), "--benchmark", "humaneval", "--quiet", "--workers", "2",
         "--timeout", "1", "--memory-mb", "512", "--json", str(summary_path), "--db", str(tmp_path / "runs.db")],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(summary_path.read_text())
    assert summary["samples"] == len(HOSTILE_COMPLETIONS) and summary["problems"] == 1
    assert summary["pass_at_k"]["pass@1"] == 0.0
    assert sum(summary["status_counts"].values()) == len(HOSTILE_COMPLETIONS)
    assert summary["status_counts"].get("passed", 0) == 0, summary["status_counts"]
    assert summary["status_counts"].get("timeout", 0) >= 1 and summary["status_counts"].get("failed", 0) >= 1
