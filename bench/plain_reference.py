"""Run a benchmark's reference solutions the plain way, as the benchmarks' own evaluators do:
write the file, (compile,) run, one subprocess each, no sandbox; the verdict rules of MultiPL-E,
mxeval and CodeGeeX. The baseline that `nl2code selfcheck` is held to ("every reference solution
that passes when run the plain way"), and the plain pipeline of the speed comparison.

    python bench/plain_reference.py mbxp-php --dataset ../shared/datasets/mbxp/mbphp_release_v1.2.jsonl --json out.json

Writes {"total", "passed", "failed": [ids], "seconds"} like `nl2code selfcheck --json`.
Reference solutions only: trusted benchmark data, never samples.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nl2code import benchmarks

TIMEOUT = 30.0


def _node_path() -> str:
    out = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True)
    return out.stdout.strip()


ENV = {**os.environ, "NODE_PATH": _node_path()}  # lodash, for MBXP's JavaScript tests


def _run(argv: list[str], cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, capture_output=True, timeout=TIMEOUT, env=ENV)


def plain_verdict(problem, program: str) -> tuple[bool, str]:  # noqa: ANN001 - a Problem
    """(passed, why not) for one program, judged as the benchmark's own evaluator judges it."""
    language, family = problem.language, benchmarks.family(problem.benchmark)
    if language in ("go", "rust", "kotlin", "csharp", "d", "scala"):
        # the plain pipeline of bench_languages.py (mxeval's, CodeGeeX's, MultiPL-E's commands)
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import bench_languages

        return bench_languages.plain(language, problem, program), ""
    source = program + "\n" + problem.test + "\n"
    with tempfile.TemporaryDirectory(prefix="plain-") as work:
        try:
            return _judge(language, family, problem, source, work)
        except subprocess.TimeoutExpired:
            return False, "timeout"


def _judge(language: str, family: str, problem, source: str, work: str) -> tuple[bool, str]:  # noqa: ANN001, C901
    def write(name: str, text: str = source) -> str:
        Path(work, name).write_text(text)
        return name

    if language in ("python-program", "python"):
        if language == "python":  # the step protocol's plain equivalent: the test file, then check(entry)
            call = "" if re.search(r"^check\(", problem.test, re.M) else f"\ncheck({problem.entry_point})\n"
            r = _run([sys.executable, write("main.py", problem.setup + "\n" + source + call)], work)
        else:
            r = _run([sys.executable, write("main.py")], work)
        return r.returncode == 0, r.stderr.decode(errors="replace")[-300:]
    if language == "js":
        r = _run(["node", write("main.js")], work)
        if family == "humaneval-x":  # CodeGeeX: any output is a failure
            return not (r.stdout or r.stderr) and r.returncode == 0, (r.stderr or r.stdout).decode(errors="replace")[-300:]
        return r.returncode == 0, r.stderr.decode(errors="replace")[-300:]
    if language == "ts":
        write("main.ts")
        if family == "multipl-e":
            c = _run(["tsc", "--target", "esnext", "main.ts"], work)
            if c.returncode != 0:
                return False, "compile: " + c.stdout.decode(errors="replace")[-300:]
        else:  # mxeval: compiled when tsc wrote the JavaScript (status 2: type errors only)
            c = _run(["tsc", "--target", "es5", "--lib", "es2016", "main.ts"], work)
            if c.returncode not in (0, 2) or not Path(work, "main.js").exists():
                return False, "compile: " + c.stdout.decode(errors="replace")[-300:]
        r = _run(["node", "main.js"], work)
        return r.returncode == 0, r.stderr.decode(errors="replace")[-300:]
    simple = {"php": ["php"], "rb": ["ruby"], "lua": ["lua"], "r": ["Rscript"], "sh": ["bash"], "pl": ["perl"], "rkt": ["racket"]}
    if language in simple:
        ext = {"r": "r", "sh": "sh"}.get(language, language)
        r = _run([*simple[language], write(f"main.{ext}")], work)
        out, err = r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")
        if language == "pl" and ("ERROR" in out or "ERROR" in err):
            return False, "ERROR in output"
        if language == "rkt" and err:
            return False, err[-300:]
        return r.returncode == 0, err[-300:]
    if language == "cpp":
        write("main.cpp")
        c = _run(["g++", "-std=c++17", "main.cpp", "-o", "main", "-lcrypto", "-lssl"], work)
        if c.returncode != 0:
            return False, "compile: " + c.stderr.decode(errors="replace")[:300]
        r = _run(["./main"], work)
        return r.returncode == 0, r.stderr.decode(errors="replace")[-300:]
    if language == "java":
        write("Main.java")
        c = _run(["javac", "Main.java"], work)
        if c.returncode != 0:
            return False, "compile: " + c.stderr.decode(errors="replace")[:300]
        r = _run(["java", "-cp", ".", "Main"], work)
        return r.returncode == 0, r.stderr.decode(errors="replace")[-300:]
    raise SystemExit(f"plain runner: no rule for language {language!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmark")
    parser.add_argument("--dataset")
    parser.add_argument("--json")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    bench = benchmarks.load(args.benchmark, args.dataset)
    problems = [p for p in bench.problems if p.reference][: args.limit]
    start = time.perf_counter()
    with ThreadPoolExecutor(args.workers) as pool:
        verdicts = list(pool.map(lambda p: plain_verdict(p, p.reference), problems))
    seconds = time.perf_counter() - start
    failed = sorted(p.task_id for p, (ok, _) in zip(problems, verdicts) if not ok)
    for p, (ok, why) in zip(problems, verdicts):
        if not ok:
            print(f"FAIL {p.task_id}: {why.strip()[:200]}", file=sys.stderr)
    result = {"total": len(problems), "passed": len(problems) - len(failed), "failed": failed, "seconds": round(seconds, 2)}
    print(json.dumps({k: v for k, v in result.items() if k != "failed"}))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
