"""Released generation files in the shapes their authors published, turned into samples files
`nl2code evaluate` reads (human-eval JSONL). Each converter keeps the authors' own post-processing
(their stop sequences), so the numbers measured are of the generations as they scored them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from nl2code.errors import InputError
from nl2code.rerank._generated_tests import STOP_SEQUENCES as CODET_STOP  # where CodeT cuts a completion
from nl2code.rerank._generated_tests import truncate


def codet_to_human_eval(solutions: Path, prompts: Path, out: Path) -> int:
    """CodeT's `{"prompt", "samples": [...]}` lines, joined to their task ids through CodeT's
    dataset file by the exact prompt; writes one human-eval line per sample, returns the count."""
    task_of = {}
    for number, line in enumerate(prompts.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            task_of[row["prompt"]] = row["task_id"]
    written = 0
    with open(out, "w", encoding="utf-8") as f:
        for number, line in enumerate(solutions.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            task = task_of.get(row.get("prompt"))
            if task is None:
                raise InputError(f"{solutions}:{number}: its prompt is not in {prompts}; give the dataset file the generations were made from")
            for sample in row["samples"]:
                f.write(json.dumps({"task_id": task, "completion": truncate(sample)}) + "\n")
                written += 1
    return written


def copy_jsonl(source: Path, _extra: Path | None, out: Path) -> int:
    """A file already in a format `nl2code evaluate` reads, copied as it is."""
    data = source.read_bytes()
    out.write_bytes(data)
    return sum(1 for line in data.splitlines() if line.strip())


CONVERTERS: dict[str, Callable[[Path, Path | None, Path], int]] = {
    "codet": codet_to_human_eval,  # type: ignore[dict-item]
    "human-eval": copy_jsonl,
}
