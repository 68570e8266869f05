"""Results-store write throughput: PostgreSQL against SQLite for the driver's batched writer.

Writes N executions (default 16,400, the size of the CodeGen sample set; 7 test outcomes each, a
HumanEval-sized row) through `Store.add_executions` in the pipeline's batches (BATCH_SIZE), into
a fresh SQLite file (WAL, synchronous=NORMAL, the store's settings) and a fresh database on a
throwaway PostgreSQL server (tests/pg_server.py) with its default, durable settings (fsync on),
over TCP on 127.0.0.1. Then the same with several writer processes at once, each its own run (the
several-machines case). Rounds are interleaved; medians are reported, SQLite is the reference.

    .venv/bin/python bench/bench_store.py [--samples 16400] [--rounds 3] [--writers 4]
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from nl2code.pipeline import BATCH_SIZE  # noqa: E402
from nl2code.records import Execution, Limits, Sample, Status, TestOutcome  # noqa: E402
from nl2code.store import Store  # noqa: E402

PROGRAM = "def f(x):\n" + "    x = x + 1\n" * 20 + "    return x\n"


def rows(n: int) -> list[tuple[Execution, Sample]]:
    tests = tuple(TestOutcome(i % 5 != 4, False, "" if i % 5 != 4 else "AssertionError") for i in range(7))
    return [
        (Execution(f"HumanEval/{i // 100}", i % 100, i, Status.FAILED, tests, duration=0.02, cpu_time=0.01,
                   stderr_tail="Traceback (most recent call last):\n  AssertionError\n", limits=Limits()),
         Sample(f"HumanEval/{i // 100}", i % 100, i, PROGRAM, PROGRAM))
        for i in range(n)
    ]


def new_run(store: Store, tag: str, n: int) -> str:
    return store.create_run(kind="evaluate", fingerprint=tag.ljust(64, "0"), benchmark="humaneval", benchmark_version="1.0.3",
                            data_sha256="d" * 64, dataset_path="x", samples_path="s", samples_sha256="s" * 64,
                            samples_format="human-eval-jsonl", model="bench", n_samples=n, n_problems=n // 100,
                            nl2code_version="0", isolation="", settings={}, machine={}, command="bench")


def write(db: str, n: int, tag: str = "w") -> float:
    """Seconds to write n executions in the pipeline's batches (the store opened beforehand)."""
    store = Store(db)
    run_id = new_run(store, tag, n)
    data = rows(n)
    started = time.perf_counter()
    for first in range(0, n, BATCH_SIZE):
        store.add_executions(run_id, data[first : first + BATCH_SIZE])
    elapsed = time.perf_counter() - started
    store.engine.dispose()
    return elapsed


def _writer(db: str, n: int, tag: str, barrier, out) -> None:
    barrier.wait()
    out.put(write(db, n, tag))


def concurrent(db: str, n: int, writers: int) -> float:
    """Wall seconds for `writers` processes to write n executions each, at once."""
    Store(db).engine.dispose()
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(writers + 1), context.Queue()
    procs = [context.Process(target=_writer, args=(db, n, f"w{i}", barrier, out)) for i in range(writers)]
    for p in procs:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    for _ in procs:
        out.get()
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=16400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--writers", type=int, default=4)
    args = parser.parse_args()
    from pg_server import PostgresServer

    results: dict[str, list[float]] = {}
    with PostgresServer(durable=True) as server, tempfile.TemporaryDirectory(prefix="nl2code-bench-store-") as tmp:
        print(f"# {platform.node()} {platform.processor() or platform.machine()}, {multiprocessing.cpu_count()} cores; "
              f"PostgreSQL from {server.bindir}; {args.samples} executions, batches of {BATCH_SIZE}", flush=True)
        for r in range(args.rounds):
            for name, make_db in (("sqlite", lambda: str(Path(tmp) / f"s{r}-{time.monotonic_ns()}.db")), ("postgresql", server.new_database)):
                results.setdefault(f"{name}, 1 writer", []).append(args.samples / write(make_db(), args.samples))
                total = args.samples * args.writers
                results.setdefault(f"{name}, {args.writers} writers at once", []).append(total / concurrent(make_db(), args.samples, args.writers))
            print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}/s" for k, v in results.items()), flush=True)
    print("\n| store | executions/s (median) | per round | vs SQLite |")
    print("|---|---|---|---|")
    for key, values in results.items():
        reference = statistics.median(results[key.replace("postgresql", "sqlite")])
        median = statistics.median(values)
        print(f"| {key} | {median:,.0f} | {' / '.join(f'{v:,.0f}' for v in values)} | {median / reference:.2f}x |")


if __name__ == "__main__":
    main()
