"""Hostile programs in the compiled languages (and Bash where it is registered): each gets its
expected verdict, and what it tried outside its sample directory did not happen. Compilers are
attacked too: a compile that never ends, a flood of compiler errors, a compile that tries to read
a file the sample may not.

All cases run in one executor with small limits. A case whose containment needs a layer this
machine lacks (see `nl2code doctor`) is skipped rather than run; as root on Linux every layer must
be there. scripts/test-unprivileged.sh runs this file as an unprivileged user too.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import shutil
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field

import pytest
from test_sandbox_hostile import _live_processes_named, features

from nl2code.execution import LocalExecutor, languages
from nl2code.records import Execution, Limits, Problem, Sample, Status

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the hostile suite targets Linux")

LIMITS = Limits(cpu_seconds=2.0, wall_seconds=10.0, memory_bytes=768 * 1024**2, file_size_bytes=16 * 1024**2,
                open_files=128, processes=32, output_bytes=256 * 1024)
TOKEN = secrets.token_hex(3)
NAME = f"h{TOKEN}"  # the process name of every daemon a case leaves (survivors are looked up by it)


@dataclass
class Case:
    name: str
    language: str
    program: str
    test: str
    expected: Status
    needs: frozenset[str] = frozenset()
    error: str = ""  # a substring the verdict's error must contain
    not_in_error: str = ""
    limits: Limits = LIMITS


@dataclass
class World:
    tcp: socket.socket
    outside: str  # a directory outside every sample's
    replacements: dict[str, str] = field(default_factory=dict)


CPP_TEST = "int main() {\n    assert(add(2, 3) == 5);\n}\n"
CPP_HEAD = "#include <bits/stdc++.h>\n#include <cassert>\n#include <cstdio>\n#include <cstdlib>\n#include <unistd.h>\n#include <sys/prctl.h>\n#include <csignal>\n"
JAVA_TEST = "    public static void main(String[] args) throws Exception {\n        assert add(2, 3) == 5;\n    }\n}\n"
GO_TEST = "func TestAdd(t *testing.T) {\n    if add(2, 3) != 5 {\n        t.Errorf(\"add(2, 3) = %d\", add(2, 3))\n    }\n}\n"

CASES = [
    Case("cpp fork bomb", "cpp", CPP_HEAD + f"""int add(int a, int b) {{
    prctl(PR_SET_NAME, "{NAME}", 0, 0, 0);
    for (;;) fork();
}}
""", CPP_TEST, Status.TIMEOUT, frozenset({"process cap", "signal scope"})),
    Case("cpp daemon that outlives its sample", "cpp", CPP_HEAD + f"""int add(int a, int b) {{
    if (fork() == 0) {{
        setsid();
        if (fork() == 0) {{
            prctl(PR_SET_NAME, "{NAME}", 0, 0, 0);
            signal(SIGHUP, SIG_IGN);
            for (;;) pause();
        }}
        _exit(0);
    }}
    return a + b;
}}
""", CPP_TEST, Status.PASSED, frozenset({"signal scope"})),
    Case("cpp compile that never ends: #include of /dev/zero", "cpp", "#include </dev/zero>\nint add(int a, int b) { return a + b; }\n",
         CPP_TEST, Status.COMPILE_ERROR),
    Case("cpp compiler error flood", "cpp", "#define A(x) x x x x x x x x x x\n#define B(x) A(A(A(A(x))))\n"
         "int add(int a, int b) { B(int = ;) return a + b; }\n", CPP_TEST, Status.COMPILE_ERROR, error="wrote more than"),
    Case("cpp compile that reads a file the sample may not", "cpp", '#include "/etc/shadow"\nint add(int a, int b) { return a + b; }\n',
         CPP_TEST, Status.COMPILE_ERROR, frozenset({"file confinement"}), not_in_error="root:"),
    Case("java socket to the host and to the internet", "java", """import java.net.*;
class Problem {
    public static int add(int a, int b) {
        int reached = 0;
        String[][] targets = {{"127.0.0.1", "@PORT@"}, {"1.1.1.1", "53"}, {"10.0.2.2", "80"}};
        for (String[] t : targets) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(t[0], Integer.parseInt(t[1])), 1000);
                reached++;
            } catch (Exception e) { }
        }
        try { InetAddress.getByName("pypi.org"); reached++; } catch (Exception e) { }
        return reached == 0 ? a + b : -1;
    }
""", JAVA_TEST, Status.PASSED, frozenset({"no network"})),
    Case("java process it starts and leaves running", "java", f"""class Problem {{
    public static int add(int a, int b) {{
        try {{ new ProcessBuilder("/bin/sh", "-c", "exec -a {NAME} sleep 1000").start(); }} catch (Exception e) {{ return -1; }}
        return a + b;
    }}
""", JAVA_TEST, Status.PASSED, frozenset({"signal scope"})),
    Case("java heap exhaustion", "java", """import java.util.*;
class Problem {
    public static int add(int a, int b) {
        List<long[]> hog = new ArrayList<>();
        for (;;) hog.add(new long[1 << 20]);
    }
""", JAVA_TEST, Status.FAILED, error="OutOfMemoryError"),
    Case("go file writes outside its directory", "go", """package add_test

import (
    "os"
    "testing"
)

func add(a int, b int) int {
    written := 0
    for _, path := range []string{"@OUTSIDE@/go-escape", "/tmp/nl2code-go-escape-@TOKEN@", "/etc/nl2code-go-escape-@TOKEN@", "/root/nl2code-go-escape-@TOKEN@"} {
        if os.WriteFile(path, []byte("escaped"), 0o644) == nil {
            written++
        }
    }
    if written > 0 {
        return -1
    }
    return a + b
}
""", GO_TEST, Status.PASSED, frozenset({"file confinement"})),
    Case("go memory beyond the cgroup cap without an address-space limit", "go", """package add_test

import (
    "testing"
)

var hog [][]byte

func add(a int, b int) int {
    for i := 0; i < 64; i++ {
        chunk := make([]byte, 64<<20)
        for j := range chunk {
            chunk[j] = byte(j)
        }
        hog = append(hog, chunk)
    }
    return a + b
}
""", GO_TEST, Status.OOM, frozenset({"memory cap"}),
         # filling a memory cgroup takes a contended machine a while (reclaim before the OOM kill)
         limits=dataclasses.replace(LIMITS, cpu_seconds=10.0, wall_seconds=45.0)),
    Case("rust thread bomb", "rust", """fn add(a: i32, b: i32) -> i32 {
    let mut n = 0;
    loop {
        if std::thread::Builder::new().spawn(|| loop { std::thread::park(); }).is_ok() { n += 1; }
        if n < 0 { return a + b; }
    }
}
""", "fn main() {\n    assert_eq!(add(2, 3), 5);\n}\n", Status.TIMEOUT, frozenset({"process cap"})),
    Case("csharp file write into another sample's place and /tmp", "csharp", """using System;
using System.IO;
using System.Diagnostics;
class Problem {
    public static int Add(int a, int b) {
        int written = 0;
        foreach (var path in new[] { "@OUTSIDE@/cs-escape", "/tmp/nl2code-cs-escape-@TOKEN@" }) {
            try { File.WriteAllText(path, "escaped"); written++; } catch (Exception) { }
        }
        return written == 0 ? a + b : -1;
    }
""", "    public static void Main(string[] args) {\n    Debug.Assert(Add(2, 3) == 5);\n    }\n}\n", Status.PASSED, frozenset({"file confinement"})),
]
if "bash" in languages.names():
    CASES.append(Case("bash daemon left by the script", "bash", f"""add() {{
    (exec -a {NAME} sleep 1000 </dev/null >/dev/null 2>&1 &)
    setsid bash -c "exec -a {NAME} sleep 1000" </dev/null >/dev/null 2>&1 &
    echo $(( $1 + $2 ))
}}
""", '[[ $(add 2 3) == 5 ]] || exit 1\n', Status.PASSED, frozenset({"signal scope"})))


def _problem(case: Case) -> Problem:
    return Problem(benchmark="hostile", version="1", data_sha256="0" * 64, task_id=case.name, prompt="", entry_point="add",
                   test=case.test, reference="", language=case.language)


@pytest.fixture(scope="module")
def world():
    outside = tempfile.mkdtemp(prefix=f"nl2code-outside-{TOKEN}-", dir="/tmp")
    os.chmod(outside, 0o777)  # even a directory everyone may write to stays out of reach
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    tcp.setblocking(False)
    w = World(tcp=tcp, outside=outside, replacements={"@PORT@": str(tcp.getsockname()[1]), "@OUTSIDE@": outside, "@TOKEN@": TOKEN})
    yield w
    tcp.close()
    shutil.rmtree(outside, ignore_errors=True)
    for leftover in (f"/tmp/nl2code-go-escape-{TOKEN}", f"/tmp/nl2code-cs-escape-{TOKEN}"):
        if os.path.exists(leftover):
            os.remove(leftover)


@pytest.fixture(scope="module")
def outcome(world):
    available = {c.language for c in CASES if languages.get(c.language).available()}
    with LocalExecutor(workers=2) as executor:
        level = executor.level
        have = features(level)
        chosen = [c for c in CASES if c.needs <= have and c.language in available]
        samples = []
        for i, case in enumerate(chosen):
            program = case.program
            for key, value in world.replacements.items():
                program = program.replace(key, value)
            samples.append(Sample(case.name, i, i, program))
        started = time.monotonic()
        results = {e.index: e for e in executor.execute(samples, {c.name: _problem(c) for c in chosen}, {c.name: c.limits for c in chosen})}
        elapsed = time.monotonic() - started
    time.sleep(0.2)
    return {"level": level, "have": have, "elapsed": elapsed, "survivors": _live_processes_named(NAME), "available": available,
            "by_name": {c.name: results[i] for i, c in enumerate(chosen)}}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_program_in_a_compiled_language_gets_its_verdict(case: Case, outcome, world):
    if case.language not in outcome["available"]:
        if os.geteuid() == 0:
            pytest.fail(f"{case.language}'s toolchain is missing after scripts/test-setup.sh")
        pytest.skip(f"{case.language}'s toolchain is not installed here")
    if case.name not in outcome["by_name"]:
        pytest.skip(f"needs {sorted(case.needs - outcome['have'])}, missing under isolation {outcome['level']!r}")
    execution: Execution = outcome["by_name"][case.name]
    assert execution.status is case.expected, (execution.status, execution.error, execution.stderr_tail[-500:])
    assert case.error in execution.error, execution.error
    if case.not_in_error:
        assert case.not_in_error not in execution.error + execution.stderr_tail + execution.stdout_tail


def test_nothing_a_hostile_program_wrote_outside_its_directory_exists(outcome, world):
    assert os.listdir(world.outside) == []
    assert not any(os.path.exists(p) for p in (f"/tmp/nl2code-go-escape-{TOKEN}", f"/tmp/nl2code-cs-escape-{TOKEN}",
                                                 f"/etc/nl2code-go-escape-{TOKEN}", f"/root/nl2code-go-escape-{TOKEN}"))
    with pytest.raises(BlockingIOError):  # the Java program never reached the host's listening socket
        world.tcp.accept()


def test_no_process_a_hostile_program_started_survives(outcome):
    assert outcome["survivors"] == []


def test_the_hostile_languages_suite_stays_bounded(outcome):
    assert outcome["elapsed"] < 240


def test_every_containment_layer_is_in_force_as_root(outcome):
    if os.geteuid() != 0:
        pytest.skip("root-only expectation")
    assert outcome["have"] >= {"no network", "file confinement", "signal scope", "process cap", "memory cap"}
