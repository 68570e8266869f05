"""The Ray executor against the local executor, and a 2-node Ray cluster against one node.

1. Overhead: the same samples (HumanEval reference solutions x COPIES, every copy executed) through
   the local executor (this machine's pool, WORKERS workers) and through the Ray executor on a
   local Ray head with WORKERS CPUs (one actor running the same pool), interleaved rounds. Start-up
   is reported separately: starting the Ray head (`ray start`), connecting to it and starting the
   actor and its pool, and starting the local pool.
2. Scaling: a cluster of one node with 1 CPU, then the same head with a second node of 1 CPU
   joined (`ray start --address`, each node its own raylet and resources on this machine); the
   same samples on each, samples/s compared.

Ray's nodes here are processes of one 2-core machine, shared with other work: the scaling figure
says what the executor does with a second node, not what a second machine adds.

    .venv/bin/python bench/bench_ray.py [--copies 20] [--rounds 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import logging
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from nl2code.benchmarks import load  # noqa: E402
from nl2code.execution.executor import LocalExecutor  # noqa: E402
from nl2code.execution.ray_executor import RayExecutor  # noqa: E402
from nl2code.records import Limits, Sample  # noqa: E402

LIMITS = Limits(cpu_seconds=3.0, wall_seconds=10.0)


def workload(copies: int) -> tuple[dict, list[Sample], dict]:
    bench = load("humaneval")
    samples = [Sample(p.task_id, c, len(bench.problems) * c + i, p.reference) for c in range(copies) for i, p in enumerate(bench.problems)]
    samples.sort(key=lambda s: (s.task_id, s.sample_id))  # a samples file's usual order: a problem's samples together
    return bench.by_id, samples, {p.task_id: LIMITS for p in bench.problems}


def timed_run(executor, problems, samples, limits) -> float:
    started = time.perf_counter()
    results = list(executor.execute(samples, problems, limits))
    elapsed = time.perf_counter() - started
    assert len(results) == len(samples) and all(r.passed for r in results), "every reference solution must pass"
    return elapsed


def overhead(args, problems, samples, limits) -> None:
    from ray_cluster import RayNode

    rows: dict[str, list[float]] = {"local": [], "ray, 1 node": []}
    starts: dict[str, list[float]] = {"local pool": [], "ray head (ray start)": [], "ray connect + actor + pool": []}
    for r in range(args.rounds):
        began = time.perf_counter()
        head = RayNode(num_cpus=args.workers).start()
        starts["ray head (ray start)"].append(time.perf_counter() - began)
        try:
            began = time.perf_counter()
            with LocalExecutor(workers=args.workers) as local:
                starts["local pool"].append(time.perf_counter() - began)
                rows["local"].append(timed_run(local, problems, samples, limits))
            with RayExecutor(head.address, workers=args.workers) as ray_executor:
                starts["ray connect + actor + pool"].append(ray_executor.startup_seconds)
                rows["ray, 1 node"].append(timed_run(ray_executor, problems, samples, limits))
        finally:
            head.stop()
        print_round(r, rows)
    local = statistics.median(rows["local"])
    print_table(f"Overhead: {len(samples)} samples, {args.workers} workers, {args.rounds} interleaved rounds (medians; start-up excluded)",
                "executor", rows, len(samples), "vs local", lambda median: median / local)
    print("\n| start-up | seconds (median) | per round |")
    print("|---|---|---|")
    for name, values in starts.items():
        print(f"| {name} | {statistics.median(values):.1f} | {' / '.join(f'{v:.1f}' for v in values)} |")


def scaling(args, problems, samples, limits) -> None:
    from ray_cluster import RayNode

    rows: dict[str, list[float]] = {"1 node x 1 CPU": [], "2 nodes x 1 CPU": []}
    for r in range(args.rounds):
        with RayNode(num_cpus=1) as head:
            with RayExecutor(head.address) as one:
                rows["1 node x 1 CPU"].append(timed_run(one, problems, samples, limits))
            second = RayNode(num_cpus=1, address=head.address).start()
            try:
                with RayExecutor(head.address) as two:
                    assert len(two.nodes) == 2, "the second node did not join"
                    rows["2 nodes x 1 CPU"].append(timed_run(two, problems, samples, limits))
            finally:
                second.stop()
        print_round(r, rows)
    one = statistics.median(rows["1 node x 1 CPU"])
    print_table(f"Scaling: {len(samples)} samples, {args.rounds} rounds (medians)", "cluster", rows, len(samples),
                "speed-up", lambda median: one / median)


def print_round(r: int, rows: dict[str, list[float]]) -> None:
    print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in rows.items()), flush=True)


def print_table(title: str, first: str, rows: dict[str, list[float]], n_samples: int, last: str, ratio) -> None:
    """The medians of each row's rounds as a Markdown table; `ratio(median)` fills the last column."""
    print(f"\n## {title}\n")
    print(f"| {first} | seconds | samples/s | per round (s) | {last} |")
    print("|---|---|---|---|---|")
    for name, values in rows.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.2f} | {n_samples / median:,.0f} | {' / '.join(f'{v:.2f}' for v in values)} | {ratio(median):.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=["overhead", "scaling"])
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    problems, samples, limits = workload(args.copies)
    print(f"# {platform.node()} {platform.machine()}, Python {platform.python_version()}; {len(samples)} samples", flush=True)
    if args.only != "scaling":
        overhead(args, problems, samples, limits)
    if args.only != "overhead":
        scaling(args, problems, samples, limits)


if __name__ == "__main__":
    main()
