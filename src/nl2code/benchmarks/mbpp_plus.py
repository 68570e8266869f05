"""MBPP+ (EvalPlus, Liu et al. 2023): MBPP problems with many more test inputs.

EvalPlus stores inputs, not outputs: the expected outputs are what the canonical solution
returns, computed once here through the sandboxed executor and cached by data hash. Each input
is a protected test case: the child returns the value, the driver compares it (exact, or within
`atol` for floats, as EvalPlus does). Not reproduced: EvalPlus's special oracles for two tasks
(Mbpp/164 `are_equivalent`, Mbpp/295 `sum_div`), which also accept a constant answer; here they
are compared strictly against the canonical outputs.
"""

from __future__ import annotations

import logging
import marshal
import os
import sys
from pathlib import Path

from nl2code.benchmarks._data import DataFile, cache_dir, read_jsonl, resolve
from nl2code.errors import DatasetError
from nl2code.records import Comparison, Problem, Status, StepKind, TestStep
from nl2code.benchmarks._oracle import Oracle

log = logging.getLogger(__name__)

NAME = "mbpp-plus"
VERSION = "0.1.0-767efcc"
DATA = DataFile(
    filename="MbppPlus_767efcc.jsonl",
    url="https://raw.githubusercontent.com/evalplus/evalplus/767efcc3/MbppPlus.jsonl",
    sha256="08405a4e8764a4941cfe0945d25a956355a0454f364ea902c4020a44e7057973",
)
INPUTS = "_nl2code_inputs"


# JSON has no tuples, sets or complex numbers: EvalPlus rebuilds them for these tasks before
# calling the function (facts taken from EvalPlus's data loader; the table is ours).
def _tup(x):
    return tuple(x)


def _deep_tup(x):
    return tuple(_deep_tup(v) for v in x) if isinstance(x, list) else x


def _each_arg(f):
    return lambda args: [f(a) for a in args]


def _arg(i, f):
    return lambda args: [f(a) if j == i else a for j, a in enumerate(args)]


_ARG_SHAPES: dict[int, object] = {}
for _ids, _shape in (
    ((2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596, 616, 630, 726, 740, 744, 809), _each_arg(_tup)),
    ((63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780), _each_arg(lambda a: [_tup(x) for x in a])),
    ((75, 413, 444, 753), _arg(0, lambda a: [_tup(x) for x in a])),
    ((106, 750), _arg(1, _tup)),
    ((250, 405, 446, 617, 720, 763, 808, 307), _arg(0, _tup)),
    ((259, 401, 445), _each_arg(lambda a: tuple(_tup(x) for x in a))),
    ((278,), _arg(0, lambda a: tuple(_tup(x) if isinstance(x, list) else x for x in a))),
    ((722,), _arg(0, lambda d: {k: _tup(v) for k, v in d.items()})),
    ((252,), _arg(0, complex)),
    ((124,), lambda args: [float(args[0]), complex(args[1])]),
    ((115,), _arg(0, lambda a: [set(x) if isinstance(x, list) and x else {} for x in a])),
    ((580, 615, 791), _deep_tup),
):
    for _id in _ids:
        _ARG_SHAPES[_id] = _shape


def shaped_inputs(task_id: str, inputs: list) -> list:
    shape = _ARG_SHAPES.get(int(task_id.split("/")[-1]))
    return [shape(args) for args in inputs] if shape else inputs


def _is_floats(value: object) -> bool:
    if isinstance(value, float):
        return True
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, float) for v in value)


def _problem(digest: str, record: dict, expected: dict[int, object] | None, skip: frozenset[int] = frozenset()) -> Problem:
    """`expected` maps input index -> output; inputs without one are not test cases (see
    `ground_truth`). With expected None every input but `skip` is a step (ground truth)."""
    inputs = shaped_inputs(record["task_id"], list(record["base_input"]) + list(record["plus_input"] or []))
    entry = record["entry_point"]
    indices = sorted(expected) if expected is not None else [i for i in range(len(inputs)) if i not in skip]
    steps = []
    for i in indices:
        value = expected[i] if expected is not None else None
        atol = float(record["atol"] or 0)
        if atol == 0 and _is_floats(value):
            atol = 1e-6
        comparison = Comparison.ALLCLOSE if expected is not None else Comparison.CAPTURE
        steps.append(TestStep(StepKind.COMPARE, f"{entry}(*{INPUTS}[{i}])", comparison, value, tolerance=atol))
    description = record["prompt"].strip().strip("'\"").strip()
    task_id = record["task_id"]
    return Problem(
        benchmark=NAME,
        version=VERSION,
        data_sha256=digest,
        task_id=task_id,
        prompt=record["prompt"],
        entry_point=entry,
        test=record.get("assertion", ""),
        reference=record["canonical_solution"],
        description=description,
        test_prelude=f"import marshal as _nl2code_marshal\n{INPUTS} = _nl2code_marshal.loads({marshal.dumps(inputs)!r})",
        steps=tuple(steps),
        prompt_is_code=False,
        aliases=(task_id.split("/")[-1],),
    )


def ground_truth(digest: str, records: list[dict], oracle: Oracle | None) -> dict[str, dict[int, object]]:
    """Expected outputs: the canonical solutions' return values, computed once through the
    executor (`oracle`, given by `nl2code.pipeline.load_benchmark`) and cached by data hash.
    Left out (logged): inputs whose output is over the executor's result cap (Mbpp/255 returns
    hundreds of MB for two inputs, which would cost every sample that much) and inputs whose
    output is no plain value (Mbpp/737 returns `re.Match` objects, which never compare equal
    across processes)."""
    cache = cache_dir() / "ground-truth" / f"mbpp-plus-{digest[:16]}-py{sys.version_info[0]}{sys.version_info[1]}.marshal"
    if cache.is_file():
        return marshal.loads(cache.read_bytes())
    if oracle is None:
        raise DatasetError("MBPP+'s expected outputs are not computed yet on this machine: load the benchmark through "
                           "nl2code.pipeline.load_benchmark (every nl2code command does), which runs the canonical solutions once")
    from nl2code.records import Limits, Sample, Unmarshallable

    by_id = {r["task_id"]: r for r in records}
    skips: dict[str, set[int]] = {task: set() for task in by_id}
    outputs: dict[str, dict[int, object]] = {}
    todo = list(by_id)
    log.info("computing MBPP+ expected outputs from %d canonical solutions", len(records))
    limits = Limits(cpu_seconds=60, wall_seconds=120, memory_bytes=8 * 1024**3)
    for _ in range(50):
        if not todo:
            break
        problems = {t: _problem(digest, by_id[t], None, frozenset(skips[t])) for t in todo}
        samples = [Sample(t, 0, i, by_id[t]["canonical_solution"]) for i, t in enumerate(todo)]
        todo = []
        for execution in oracle(problems, samples, limits):
            task = execution.task_id
            indices = [int(s.source.rsplit("[", 1)[1].rstrip("])")) for s in problems[task].steps]
            values = {indices[i]: v for i, v in execution.captured}
            odd = {i: v.type_name for i, v in values.items() if isinstance(v, Unmarshallable)}
            if odd:
                log.warning("MBPP+ %s: inputs %s left out, the canonical solution returns %s (not a plain value)", task, sorted(odd), sorted(set(odd.values())))
                skips[task].update(odd)
                todo.append(task)
            elif len(values) == len(indices) and execution.status is Status.PASSED:
                outputs[task] = values
            elif "exceeds" in execution.error:
                too_big = indices[len(values)]
                log.warning("MBPP+ %s: input %d left out, its output exceeds the result cap (%s)", task, too_big, execution.error)
                skips[task].add(too_big)
                todo.append(task)
            else:
                raise DatasetError(f"MBPP+ {task}: the canonical solution returned {len(values)} of {len(indices)} outputs ({execution.status}: {execution.error}); check the data file")
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(marshal.dumps(outputs))
    os.replace(tmp, cache)
    return outputs


def load(dataset: str | os.PathLike | None = None, oracle: Oracle | None = None) -> tuple[str, str, Path, list[Problem]]:
    path, digest = resolve(DATA, dataset)
    records = read_jsonl(path)
    for record in records:
        if isinstance(record.get("plus_input"), dict):  # one record stores an empty dict
            record["plus_input"] = list(record["plus_input"].values())
    expected = ground_truth(digest, records, oracle)
    return VERSION, digest, path, [_problem(digest, r, expected[r["task_id"]]) for r in records]
