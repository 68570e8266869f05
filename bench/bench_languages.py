"""Compiled languages: nl2code's sandboxed executor against a plain per-program pipeline on the same
programs in the same run.

The plain pipeline is what MultiPL-E's and mxeval's executors do for each program: make a
temporary directory, write the file, run the compiler, run the program, one subprocess each with
the toolchain's default settings and no sandbox, as many programs at once as nl2code has workers.
nl2code runs the same programs through `LocalExecutor` with every sandbox layer in force. The
programs are the benchmarks' reference solutions with their tests (MBXP C++, Java, C#, Kotlin;
HumanEval-X Go, Rust), one per problem (no two alike, so nothing is deduplicated). D and Scala
have no reference solutions in any benchmark here: their programs are MultiPL-E's prompts and
tests completed with a body that returns the return type's default value (D
`typeof(return).init`, Scala `null.asInstanceOf[T]`): real compiles and runs, some passing (a
problem whose tests expect 0, "" or false somewhere fails the rest), most failing.

`--mixed` (the fidelity check) adds, for every reference program, a copy whose body is replaced
the same way, so that half the programs should fail; each program's verdict is compared between
the two sides (plain: compiled and exited 0; nl2code: `passed`), and the disagreements are
listed.

    .venv/bin/python bench/bench_languages.py [--languages cpp,java] [--n 60] [--rounds 3] [--workers 2] [--mixed]

Run `nl2code toolchains install` first: it builds the shared artifacts (precompiled headers,
class-data archives, the Go cache) that nl2code uses, once per toolchain version.
"""

from __future__ import annotations

import argparse
import gzip
import re
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nl2code.execution import LocalExecutor, toolchains
from nl2code.execution.languages import jvm
from nl2code.records import Limits, Problem, Sample, Status

DATASETS = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
LIMITS = Limits(cpu_seconds=10, wall_seconds=60)
TIMEOUT_S = 120
JAVATUPLES = "/usr/share/java/javatuples.jar"


def _jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as f:
        return [json.loads(line) for line in f if line.strip()]


def mbxp(file: str, language: str, n: int) -> list[tuple[Problem, str]]:
    rows = [r for r in _jsonl(DATASETS / "mbxp" / file) if r.get("canonical_solution")][:n]
    return [(Problem(benchmark="mbxp", version="1", data_sha256="0" * 64, task_id=r["task_id"], prompt=r["prompt"], entry_point="",
                     test=r["test"], reference="", language=language), r["prompt"] + r["canonical_solution"]) for r in rows]


def humaneval_x_go(n: int) -> list[tuple[Problem, str]]:
    out = []
    for r in _jsonl(DATASETS / "humaneval-x" / "humaneval_go.jsonl.gz")[:n]:
        prompt = r["test_setup"] + r["prompt"]  # the prompt's own import block follows the test's
        out.append((Problem(benchmark="humaneval-x", version="1", data_sha256="0" * 64, task_id=r["task_id"], prompt=prompt,
                            entry_point="", test=r["test"], reference="", language="go"), prompt + r["canonical_solution"]))
    return out


def humaneval_x_rust(n: int) -> list[tuple[Problem, str]]:
    out = []
    for r in _jsonl(DATASETS / "humaneval-x" / "humaneval_rust.jsonl.gz")[:n]:
        prompt = "\nfn main(){ \n } \n" + r["prompt"] + r["declaration"]
        out.append((Problem(benchmark="humaneval-x", version="1", data_sha256="0" * 64, task_id=r["task_id"], prompt=prompt,
                            entry_point="", test=r["test"], reference="", language="rust"), prompt + r["canonical_solution"]))
    return out


def _return_type_default(language: str, prompt: str) -> str:
    """A completion that returns the declared return type's default value (closing what the
    prompt leaves open as MultiPL-E's stop tokens would)."""
    if language == "d":
        return "{\n    return typeof(return).init;\n}\n"
    if language == "scala":
        found = re.search(r"\)\s*:\s*(.+?)\s*=\s*\{\s*$", prompt.rstrip("\n").splitlines()[-1])
        return f"        null.asInstanceOf[{found.group(1) if found else 'Nothing'}]\n"
    raise ValueError(language)


def multipl_e_default(code: str, language: str, n: int) -> list[tuple[Problem, str]]:
    rows = _jsonl(DATASETS / "multipl-e" / f"humaneval-{code}.jsonl")[:n]
    return [(Problem(benchmark="multipl-e", version="1", data_sha256="0" * 64, task_id=r["name"], prompt=r["prompt"], entry_point="",
                     test=r["tests"], reference="", language=language), r["prompt"] + _return_type_default(language, r["prompt"]) + "\n")
            for r in rows]




def wrong(language: str, problem: Problem, program: str) -> tuple[Problem, str] | None:
    """`program` with the last function body's statements replaced by a default return, or None
    where that cannot be done simply. Used by --mixed."""
    bodies = {
        "java": ("if (true) throw new RuntimeException(\"wrong\");", r"(public\s+static\s+[^{;=]+\([^)]*\)\s*(?:throws [\w., ]+)?\s*\{)"),
        "cpp": ("throw 1;", r"(\n[\w:<>, ]+\s+\w+\s*\([^;{]*\)\s*\{)"),
        "csharp": ("throw new System.Exception(\"wrong\");", r"(public\s+static\s+[^{;=]+\([^)]*\)\s*\{)"),
        "kotlin": ("throw Exception(\"wrong\")", r"(\bfun\s+\w+\s*\([^)]*\)\s*:\s*[^{=]+\{)"),
        "go": ("panic(\"wrong\")", r"(\nfunc\s+\w+\s*\([^)]*\)[^{\n]*\{)"),
        "rust": ("panic!(\"wrong\");", r"(\nfn\s+\w+[^{;]*\{)"),
    }
    statement, header = bodies[language]
    found = list(re.finditer(header, program))
    if not found:
        return None
    start = found[-1].end()
    return problem, program[:start] + f"\n    {statement}\n" + program[start:]


SOURCES = {
    "cpp": lambda n: mbxp("mbcpp_release_v1.2.jsonl", "cpp", n),
    "java": lambda n: mbxp("mbjp_release_v1.2.jsonl", "java", n),
    "csharp": lambda n: mbxp("mbcsp_release_v1.2.jsonl", "csharp", n),
    "kotlin": lambda n: mbxp("mbkp_release_v1.2.jsonl", "kotlin", n),
    "go": humaneval_x_go,
    "rust": humaneval_x_rust,
    "d": lambda n: multipl_e_default("d", "d", n),
    "scala": lambda n: multipl_e_default("scala", "scala", n),
}


# -- the plain pipeline: one temporary directory, compiler and program per sample ------------------

def _run(argv: list[str], cwd: str, env: dict | None = None) -> int:
    try:
        return subprocess.run(argv, cwd=cwd, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=TIMEOUT_S).returncode
    except subprocess.TimeoutExpired:
        return -1


def plain(language: str, problem: Problem, program: str) -> bool:
    """Compile and run one program the plain way; True when it passed."""
    with tempfile.TemporaryDirectory(prefix="plain-") as d:
        source = f"{program}\n{problem.test}\n"
        if language == "cpp":
            Path(d, "main.cpp").write_text(source)
            return _run(["g++", "-std=c++17", "-o", "main", "main.cpp"], d) == 0 and _run(["./main"], d) == 0
        if language == "java":
            Path(d, "Main.java").write_text(source)
            return (_run(["javac", "-encoding", "UTF8", "-cp", JAVATUPLES, "-d", ".", "Main.java"], d) == 0
                    and _run(["java", "-ea", "-cp", f".:{JAVATUPLES}", "Main"], d) == 0)
        if language == "csharp":
            compare = _compare_dll()
            Path(d, "main.cs").write_text(source)
            return (_run(["mcs", "-d:DEBUG", "-r:System.Numerics.dll", f"-r:{compare}", "-out:main.exe", "main.cs"], d) == 0
                    and _run(["mono", "main.exe"], d, {"MONO_PATH": os.path.dirname(compare)}) == 0)
        if language == "kotlin":
            Path(d, "main.kt").write_text(source)
            return (_run(["kotlinc", "main.kt", "-include-runtime", "-d", "main.jar"], d) == 0
                    and _run(["java", "-jar", "main.jar"], d) == 0)
        if language == "d":
            Path(d, "main.d").write_text(source)
            return _run(["ldc2", "-unittest", "-of=main", "main.d"], d) == 0 and _run(["./main"], d) == 0
        if language == "scala":
            Path(d, "main.scala").write_text(source)
            main = jvm.main_type(source, jvm._SCALA_MAIN) or "Problem"
            return _run(["scalac", "-d", ".", "main.scala"], d) == 0 and _run(["scala", "-cp", ".", main], d) == 0
        if language == "go":
            Path(d, "main_test.go").write_text(source)
            return _run(["go", "test", "main_test.go"], d, {"GOPATH": "/usr/share/gocode", "GO111MODULE": "off"}) == 0
        if language == "rust":
            return _plain_rust(d, source)
    raise ValueError(language)


def _compare_dll() -> str:
    from nl2code.execution.languages import csharp

    return os.path.join(csharp.compare_dll(csharp.LANGUAGE.executable("mcs")), csharp.COMPARE_DLL)


def _plain_rust(d: str, source: str) -> bool:
    # CodeGeeX's way: a cargo project with the crates, `cargo test` (offline, Debian's sources)
    from nl2code.execution.languages import rust

    Path(d, "src").mkdir()
    Path(d, ".cargo").mkdir()
    # a package name of its own: programs built at once into the shared target directory must not
    # overwrite each other's test binary
    Path(d, "Cargo.toml").write_text(rust._CARGO_TOML.replace("nl2code_deps", "sample_" + os.path.basename(d).replace("-", "_").lower()))
    Path(d, ".cargo", "config.toml").write_text(rust._CARGO_CONFIG)
    Path(d, "src", "main.rs").write_text(source)
    target = os.path.join(tempfile.gettempdir(), "nl2code-bench-cargo-target")  # shared, as a warm CI cache would be
    return _run([rust.CARGO, "test", "--offline", "--quiet"], d, {"RUSTC": rust.RUSTC, "CARGO_TARGET_DIR": target}) == 0


def run_plain(language: str, items: list[tuple[Problem, str]], workers: int) -> tuple[float, list[bool]]:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        verdicts = list(pool.map(lambda item: plain(language, *item), items))
    return time.perf_counter() - started, verdicts


def run_nl2code(items: list[tuple[Problem, str]], workers: int) -> tuple[float, list[Status], str]:
    problems = {p.task_id: p for p, _ in items}
    samples = [Sample(p.task_id, i, i, program) for i, (p, program) in enumerate(items)]
    started = time.perf_counter()
    with LocalExecutor(workers=workers) as executor:
        results = list(executor.execute(samples, problems, {t: LIMITS for t in problems}))
        level = executor.level
    statuses = [Status.SANDBOX_ERROR] * len(items)
    for r in results:
        statuses[r.sample_id] = r.status
    return time.perf_counter() - started, statuses, level


def with_wrong_copies(language: str, items: list[tuple[Problem, str]]) -> list[tuple[Problem, str]]:
    """Each program, then (where its body can be found) a copy that throws in its place."""
    out = []
    for problem, program in items:
        out.append((problem, program))
        broken = wrong(language, problem, program)
        if broken is not None:
            out.append(broken)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--languages", default="cpp,java")
    parser.add_argument("--n", type=int, default=60, help="programs per language (one per problem)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mixed", action="store_true", help="add a failing copy of every reference program (fidelity)")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    rows = []
    load_before = os.getloadavg()[0]
    for language in args.languages.split(","):
        items = SOURCES[language](args.n)
        if args.mixed and language not in ("d", "scala"):
            items = with_wrong_copies(language, items)
        toolchains.prepare([language])  # shared artifacts are built by `toolchains install`, never timed
        plain_rates, ours_rates, level, disagree = [], [], "", set()
        for _ in range(args.rounds):  # interleaved, so that load on the machine hits both alike
            seconds, verdicts = run_plain(language, items, args.workers)
            plain_rates.append(len(items) / seconds)
            print(f"{language}: plain   {seconds:7.1f} s  {sum(verdicts)}/{len(items)} passed", file=sys.stderr)
            seconds, statuses, level = run_nl2code(items, args.workers)
            ours_rates.append(len(items) / seconds)
            print(f"{language}: nl2code {seconds:7.1f} s  {statuses.count(Status.PASSED)}/{len(items)} passed", file=sys.stderr)
            for i, (ok, status) in enumerate(zip(verdicts, statuses)):
                if ok != (status is Status.PASSED):
                    disagree.add(f"{items[i][0].task_id}#{i}: plain {'pass' if ok else 'fail'}, nl2code {status}")
        ratios = [o / p for o, p in zip(ours_rates, plain_rates)]
        rows.append({"language": language, "programs": len(items), "plain_passed": sum(verdicts),
                     "nl2code_passed": statuses.count(Status.PASSED), "disagreements": sorted(disagree),
                     "plain_per_s": statistics.median(plain_rates), "nl2code_per_s": statistics.median(ours_rates),
                     "ratio": statistics.median(ratios), "ratios": [round(r, 2) for r in ratios], "isolation": level})
    print(f"{platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, load {load_before:.1f} -> {os.getloadavg()[0]:.1f}, "
          f"{args.workers} workers, {args.rounds} interleaved rounds, medians")
    print(f"{'language':<9} {'programs':>8} {'plain/s':>8} {'nl2code/s':>9} {'ratio':>6}  per round  passed (plain / nl2code)  disagreements")
    for r in rows:
        print(f"{r['language']:<9} {r['programs']:>8} {r['plain_per_s']:>8.2f} {r['nl2code_per_s']:>9.2f} {r['ratio']:>5.1f}x  "
              f"{r['ratios']}  {r['plain_passed']} / {r['nl2code_passed']}  {len(r['disagreements'])}")
        for line in r["disagreements"]:
            print(f"  {line}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
