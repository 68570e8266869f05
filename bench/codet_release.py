"""CodeT's released CodeGen-Mono-16.1B generations for HumanEval, as nl2code inputs, and the
comparison of the executor with a plain per-check process pool on the dual-execution work.

    python bench/codet_release.py convert OUTDIR
        OUTDIR/solutions.jsonl  EvalPlus-format samples: CodeT's prompt + each completion cut at
                                CodeT's stop sequences (the program CodeT runs)
        OUTDIR/tests.jsonl      {"task_id", "samples"}: the raw generated test samples
    then:  nl2code evaluate OUTDIR/solutions.jsonl -b humaneval --db DB
           nl2code rerank RUN --tests OUTDIR/tests.jsonl --method codet --db DB --json OUT

    python bench/codet_release.py pool OUTDIR --problems N [--start I] [--workers W]
        runs the dual-execution checks of N problems (from the I-th) twice: through nl2code's executor
        (one sandboxed child per solution running all its tests) and through a plain process pool
        that starts one process per (solution, test) check, and prints both times and the ratio.

The release (github:microsoft/CodeT at 35f54d6, MIT) is in shared/samples/codet_humaneval_codegen16B.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

RELEASE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "codet_humaneval_codegen16B"
SOLUTIONS = "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl"
TESTS = "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_test_case.jsonl"
CODE_PROMPTS = "HumanEval_for_code_generation.jsonl"
TEST_PROMPTS = "HumanEval_for_test_case_generation.jsonl"


def _task_order(item: tuple[str, dict]) -> int:
    return int(item[0].split("/")[1])


def convert(release: Path, out: Path) -> None:
    from nl2code.reproduce._formats import codet_records
    from nl2code.rerank._generated_tests import truncate

    out.mkdir(parents=True, exist_ok=True)
    solutions = sorted(codet_records(release / SOLUTIONS, release / CODE_PROMPTS), key=_task_order)
    with open(out / "solutions.jsonl", "w") as f:
        for task_id, record in solutions:
            for sample in record["samples"]:
                f.write(json.dumps({"task_id": task_id, "solution": record["prompt"] + truncate(sample)}) + "\n")
    tests = sorted(codet_records(release / TESTS, release / TEST_PROMPTS), key=_task_order)
    with open(out / "tests.jsonl", "w") as f:
        for task_id, record in tests:
            f.write(json.dumps({"task_id": task_id, "samples": record["samples"]}) + "\n")
    print(f"wrote {out / 'solutions.jsonl'} ({sum(len(r['samples']) for _, r in solutions)} samples) and {out / 'tests.jsonl'}")


def _work(out: Path, n_problems: int, start: int = 0):
    """(task_id, unique programs, unique tests) of n problems from `start`, as rerank plans them."""
    from nl2code import benchmarks
    from nl2code.rerank._generated_tests import read_generated_tests

    bench = benchmarks.load("humaneval")
    tasks = [p.task_id for p in bench.problems[start:start + n_problems]]
    programs: dict[str, dict[str, None]] = {t: {} for t in tasks}
    for line in (out / "solutions.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["task_id"] in programs:
            programs[record["task_id"]][record["solution"]] = None
    tests = read_generated_tests(out / "tests.jsonl", {p.task_id: p.entry_point for p in bench.problems})
    return bench, [(t, list(programs[t]), tests.unique(t)) for t in tasks if tests.unique(t)]


def _one_check(program: str, test: str, seconds: float) -> bool:
    """A plain per-check run: a fresh process executes the program and one test under a timer."""
    def target(queue):
        import signal

        def expired(signum, frame):
            raise TimeoutError

        signal.signal(signal.SIGPROF, expired)
        devnull = os.open(os.devnull, os.O_WRONLY)  # a sample's prints go nowhere, as in CodeT
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        namespace: dict = {"__name__": "__main__"}
        try:
            exec(compile(program, "<sample>", "exec"), namespace)
            signal.setitimer(signal.ITIMER_PROF, seconds)
            try:
                exec(compile(test, "<test>", "exec"), namespace)
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
            queue.put(True)
        except BaseException:  # noqa: BLE001
            queue.put(False)

    queue = multiprocessing.SimpleQueue()
    process = multiprocessing.Process(target=target, args=(queue,))
    process.start()
    process.join(seconds * 10 + 2)
    if process.is_alive():
        process.kill()
        process.join()
        return False
    return not queue.empty() and queue.get()


def pool(out: Path, n_problems: int, workers: int, seconds: float, start: int = 0) -> None:
    from concurrent.futures import ProcessPoolExecutor

    from nl2code.pipeline import make_executor
    from nl2code.records import Sample
    from nl2code.rerank import _dual

    bench, work = _work(out, n_problems, start)
    checks = sum(len(p) * len(t) for _, p, t in work)
    problems = {t: _dual.problem_of_tests("humaneval", "bench", "bench", t, bench.by_id[t].entry_point, tests, seconds) for t, _, tests in work}
    samples = [Sample(t, i, 0, program) for t, programs, _ in work for i, program in enumerate(programs)]
    samples = [Sample(s.task_id, s.sample_id, i, s.program) for i, s in enumerate(samples)]
    limits = {t: _dual.limits_for_tests(len(p.steps), seconds) for t, p in problems.items()}
    start = time.perf_counter()
    with make_executor("local", workers=workers) as executor:
        level = executor.level
        executions = list(executor.execute(samples, problems, limits))
    executor_seconds = time.perf_counter() - start
    tests_of = {t: tests for t, _, tests in work}
    executor_passed = sum(len(_dual.passed_tests(e, tests_of[e.task_id]) or ()) for e in executions)

    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as plain:
        futures = [plain.submit(_one_check, program, test, seconds) for _, programs, tests in work for program in programs for test in tests]
        plain_passed = sum(f.result() for f in futures)
    plain_seconds = time.perf_counter() - start
    print(json.dumps({
        "problems": [t for t, _, _ in work], "solutions": len(samples), "checks": checks, "workers": workers, "isolation": level,
        "executor_seconds": round(executor_seconds, 2), "executor_checks_per_s": round(checks / executor_seconds, 1),
        "plain_pool_seconds": round(plain_seconds, 2), "plain_checks_per_s": round(checks / plain_seconds, 1),
        "speedup": round(plain_seconds / executor_seconds, 2),
        "passed_checks_executor": executor_passed, "passed_checks_plain": plain_passed,
    }, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert")
    c.add_argument("out", type=Path)
    c.add_argument("--release", type=Path, default=RELEASE)
    p = sub.add_parser("pool")
    p.add_argument("out", type=Path)
    p.add_argument("--problems", type=int, default=5)
    p.add_argument("--start", type=int, default=0, help="index of the first problem")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--test-timeout", type=float, default=0.1)
    args = parser.parse_args()
    if args.command == "convert":
        convert(args.release, args.out)
    else:
        pool(args.out, args.problems, args.workers, args.test_timeout, args.start)


if __name__ == "__main__":
    sys.exit(main())
