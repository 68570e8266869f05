"""A real model end to end on this CPU: Gemma 3 270M (Q4_K_M GGUF, a base model) on HumanEval,
greedy, completion style, at most 256 new tokens, through `nl2code run`.

    .venv/bin/python bench/bench_llm.py [--limit K] [--in-process]

Default: llama-cpp-python's OpenAI-compatible server on 127.0.0.1 (preset llama.cpp).
--in-process: the llama-cpp backend instead. Prints the exact command, the time, tokens/s and
pass@1. Needs `make llm-deps` (builds llama-cpp-python from source).
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from llm_server import LlamaCppServer, gemma_gguf  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="only the first K problems (default: all 164)")
    parser.add_argument("--in-process", action="store_true", help="use --backend llama-cpp instead of the server")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "nl2code-bench-llm",
                        help="database and samples; kept, so a failed run resumes (--fresh starts over)")
    parser.add_argument("--fresh", action="store_true", help="delete --workdir first, so every sample is generated")
    args = parser.parse_args()
    model = gemma_gguf()
    if args.fresh:
        shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True, exist_ok=True)
    summary_path = args.workdir / "summary.json"
    command = ["nl2code", "run", "--benchmark", "humaneval", "--style", "completion", "--temperature", "0",
               "--max-tokens", "256", "--db", str(args.workdir / "gemma.db"), "--output", str(args.workdir / "samples.jsonl"),
               "--json", str(summary_path), "--quiet"]
    if args.limit:
        command += ["--limit", str(args.limit)]
    server = None
    if args.in_process:
        command += ["--backend", "llama-cpp", "--model", model]
    else:
        server = LlamaCppServer(model).__enter__()
        command += ["--preset", "llama.cpp", "--base-url", server.url, "--model", "gemma-3-270m-q4_k_m"]
    try:
        started = time.monotonic()
        subprocess.run([str(ROOT / ".venv" / "bin" / command[0]), *command[1:]], check=True)
        seconds = time.monotonic() - started
    finally:
        if server is not None:
            server.__exit__()
    summary = json.loads(summary_path.read_text())
    gen = summary["generation"]
    passed = round(summary["pass_at_k"]["pass@1"] * summary["problems"])
    print(f"command: {shlex.join(command)}")
    print(f"{'backend':<22} {'problems':>8} {'seconds':>8} {'gen s':>7} {'tokens':>7} {'tokens/s':>9} {'pass@1':>14}")
    backend = "llama-cpp in process" if args.in_process else "llama.cpp server"
    print(f"{backend:<22} {summary['problems']:>8} {seconds:>8.1f} {gen['wall_seconds']:>7.1f} {gen['completion_tokens']:>7} "
          f"{gen['tokens_per_second']:>9.1f} {summary['pass_at_k']['pass@1']:>7.4f} ({passed}/{summary['problems']})")


if __name__ == "__main__":
    main()
