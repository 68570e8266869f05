"""Hugging Face transformers in process (extra ``nl2code[hf]``), imported lazily.

Requests that arrive together with the same sampling parameters are generated as one padded
batch in a worker thread (micro-batching), so the driver's concurrency becomes batch size.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from nl2code.backends._protocol import NATIVE_INFILL_ONLY_SERVERS, Completion, GenerationError, Request
from nl2code.errors import MissingExtraError
from nl2code.prompts import PromptStyle

log = logging.getLogger(__name__)


class HFBackend:
    name = "hf"

    def __init__(self, model: str, batch_size: int = 8, device: str | None = None, **_: Any) -> None:
        try:
            import torch
            import transformers
        except ImportError as exc:
            raise MissingExtraError("transformers", "hf") from exc
        self._torch = torch
        self.model = model
        self.max_n = batch_size
        self.concurrency = batch_size
        self.batch_size = batch_size
        self._tokenizer = transformers.AutoTokenizer.from_pretrained(model)
        self._tokenizer.padding_side = "left"  # decoder-only: pad on the left so outputs line up
        if self._tokenizer.pad_token is None:
            self._tokenizer.pad_token = self._tokenizer.eos_token
        self._device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self._model = transformers.AutoModelForCausalLM.from_pretrained(model, torch_dtype="auto").to(self._device)
        self._model.eval()
        self._queue: asyncio.Queue[tuple[Request, asyncio.Future[Completion]]] | None = None
        self._worker: asyncio.Task[None] | None = None

    def identity(self) -> dict[str, str]:
        return {"backend": self.name, "model": self.model}

    async def generate(self, request: Request) -> Completion:
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._worker = asyncio.create_task(self._run())
        future: asyncio.Future[Completion] = asyncio.get_running_loop().create_future()
        await self._queue.put((request, future))
        return await future

    async def _run(self) -> None:
        assert self._queue is not None
        while True:
            batch = [await self._queue.get()]
            await asyncio.sleep(0.02)  # let the requests sent together arrive
            while not self._queue.empty() and sum(r.n for r, _ in batch) < self.batch_size:
                batch.append(self._queue.get_nowait())
            groups: dict[tuple[Any, ...], list[tuple[Request, asyncio.Future[Completion]]]] = {}
            for item in batch:
                r = item[0]
                groups.setdefault((r.params, r.seed, r.prompt.stop), []).append(item)
            for items in groups.values():
                try:
                    results = await asyncio.to_thread(self._generate_batch, [r for r, _ in items])
                except Exception as exc:  # hand the failure to every waiter of this batch
                    for _, fut in items:
                        fut.set_exception(exc)
                    continue
                for (_, fut), result in zip(items, results):
                    fut.set_result(result)

    def _text(self, request: Request) -> str:
        if request.prompt.suffix is not None:
            raise GenerationError(NATIVE_INFILL_ONLY_SERVERS)
        if request.prompt.style is PromptStyle.CHAT:
            return self._tokenizer.apply_chat_template(
                request.prompt.as_messages(), tokenize=False, add_generation_prompt=True
            )
        return request.prompt.text

    def _generate_batch(self, requests: list[Request]) -> list[Completion]:
        torch = self._torch
        first = requests[0]
        texts = [self._text(r) for r in requests for _ in range(r.n)]
        encoded = self._tokenizer(texts, return_tensors="pt", padding=True).to(self._device)
        if first.seed is not None:
            torch.manual_seed(first.seed)
        kwargs: dict[str, Any] = dict(max_new_tokens=first.params.max_tokens, pad_token_id=self._tokenizer.pad_token_id)
        if first.params.greedy:
            kwargs["do_sample"] = False
        else:
            kwargs.update(do_sample=True, temperature=first.params.temperature, top_p=first.params.top_p, top_k=0)
        if first.prompt.stop:
            kwargs.update(stop_strings=list(first.prompt.stop), tokenizer=self._tokenizer)
        started = time.monotonic()
        with torch.no_grad():
            output = self._model.generate(**encoded, **kwargs)
        seconds = time.monotonic() - started
        width = encoded["input_ids"].shape[1]
        new = output[:, width:]
        decoded = self._tokenizer.batch_decode(new, skip_special_tokens=True)
        pad = self._tokenizer.pad_token_id
        counts = [int((row != pad).sum()) for row in new]
        results, at = [], 0
        for r in requests:
            results.append(Completion(
                texts=tuple(decoded[at : at + r.n]),
                prompt_tokens=int(encoded["attention_mask"][at].sum()),
                completion_tokens=sum(counts[at : at + r.n]),
                seconds=seconds,
            ))
            at += r.n
        return results

    async def aclose(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
