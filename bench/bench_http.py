"""Throughput of the OpenAI-compatible client: 5,000 requests at concurrency 256 against a
loopback server (tests/llm_server.py, in its own process) that waits 100 ms per request.

Target (issue 6): within 10 s. Two rows: the backend alone, and the whole generation driver
(prompts, post-processing, SQLite cache writes) on 5,000 one-sample problems.

    .venv/bin/python bench/bench_http.py [--requests 5000] [--concurrency 256] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from nl2code.backends import OpenAIBackend, Request, SamplingParams  # noqa: E402
from nl2code.generation import GenerationCache, GenerationConfig, agenerate  # noqa: E402
from nl2code.prompts import Prompt, PromptStyle  # noqa: E402
from nl2code.records import Problem  # noqa: E402

TARGET_SECONDS = 10.0


def start_server(latency: float) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "llm_server.py"), "--latency", str(latency)],
                              stdout=subprocess.PIPE, text=True)
    url = server.stdout.readline().strip()  # type: ignore[union-attr]
    if not url.startswith("http"):
        server.kill()
        raise SystemExit("the loopback server did not start")
    return server, url


async def backend_only(url: str, requests: int, concurrency: int) -> tuple[float, int]:
    backend = OpenAIBackend("bench", base_url=url, concurrency=concurrency)
    prompt = Prompt(style=PromptStyle.COMPLETION, text="def f():\n", stop=("\ndef",))
    queue = list(range(requests))

    async def worker() -> None:
        while queue:
            queue.pop()
            await backend.generate(Request(prompt, SamplingParams(max_tokens=16)))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    await backend.aclose()
    return seconds, backend.limiter.peak


async def whole_driver(url: str, requests: int, concurrency: int, db: Path) -> tuple[float, int]:
    problems = [
        Problem(benchmark="bench", version="1", data_sha256="0" * 64, task_id=f"bench/{i}",
                prompt=f"def f{i}():\n", entry_point=f"f{i}", test="", reference="")
        for i in range(requests)
    ]
    backend = OpenAIBackend("bench", base_url=url, concurrency=concurrency)
    started = time.perf_counter()
    report = await agenerate(problems, backend, GenerationConfig(), GenerationCache(db))
    seconds = time.perf_counter() - started
    await backend.aclose()
    assert report.generated == requests
    return seconds, backend.limiter.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    server, url = start_server(args.latency)
    try:
        rows = [("backend alone", *asyncio.run(backend_only(url, args.requests, args.concurrency)))]
        with tempfile.TemporaryDirectory() as tmp:
            rows.append(("generation driver + SQLite cache",
                         *asyncio.run(whole_driver(url, args.requests, args.concurrency, Path(tmp) / "bench.db"))))
    finally:
        server.terminate()
        server.wait(10)
    floor = args.requests / args.concurrency * args.latency
    print(f"{args.requests} requests, concurrency {args.concurrency}, server latency {args.latency * 1000:.0f} ms "
          f"(floor {floor:.2f} s, target {TARGET_SECONDS:.0f} s)")
    print(f"{'path':<34} {'seconds':>8} {'requests/s':>11} {'peak in flight':>15}")
    for name, seconds, peak in rows:
        print(f"{name:<34} {seconds:>8.2f} {args.requests / seconds:>11.0f} {peak:>15}")
    if any(seconds > TARGET_SECONDS for _, seconds, _ in rows):
        raise SystemExit(f"slower than the {TARGET_SECONDS:.0f} s target")


if __name__ == "__main__":
    main()
