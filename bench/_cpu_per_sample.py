"""CPU time per sample (driver + workers + samples, from getrusage) of the executor in each
isolation mode, interleaved: less sensitive to a contended machine than wall time.

    .venv/bin/python bench/_cpu_per_sample.py [--copies 4] [--rounds 3] [--isolation weak,auto]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

from nl2code.benchmarks import load
from nl2code.execution import run_samples
from nl2code.records import Limits, Sample


def cpu_seconds() -> float:
    return sum(
        getattr(resource.getrusage(who), field)
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        for field in ("ru_utime", "ru_stime")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--isolation", default="weak,auto")
    args = parser.parse_args()
    problems = load("humaneval").by_id
    samples = [Sample(p.task_id, copy, i, p.reference) for i, (copy, p) in enumerate(
        (c, p) for c in range(args.copies) for p in problems.values())]
    seen: dict[str, list[tuple[float, float]]] = {}
    levels: dict[str, str] = {}
    for _ in range(args.rounds):
        for mode in args.isolation.split(","):
            cpu0, t0 = cpu_seconds(), time.perf_counter()
            results = run_samples(problems, samples, Limits(), isolation=mode)
            wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
            failed = [r for r in results if not r.passed]
            if failed:
                raise SystemExit(f"{mode}: {len(failed)} reference solutions failed, e.g. {failed[0]}")
            levels[mode] = results[0].isolation
            seen.setdefault(mode, []).append((cpu / len(samples) * 1000, len(samples) / wall))
    print(f"{len(samples)} samples x {args.rounds} rounds, medians")
    for mode, values in seen.items():
        cpu = statistics.median(v[0] for v in values)
        rate = statistics.median(v[1] for v in values)
        print(f"{mode:<6} {cpu:6.2f} ms CPU/sample  {rate:7.1f} samples/s  {levels[mode]}")


if __name__ == "__main__":
    main()
