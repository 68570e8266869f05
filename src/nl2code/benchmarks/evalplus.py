"""HumanEval+ and MBPP+ (EvalPlus, Liu et al. 2023) at their current releases: HumanEval+ v0.1.10
(and its Mini subset) and MBPP+ v0.2.0. The MBPP+ pre-release of evalplus@767efcc stays in
`mbpp_plus` as `mbpp-plus@0.1.0-767efcc`, so that runs stored with it keep their meaning.

EvalPlus tests by differential testing: each problem has many inputs (its HumanEval/MBPP tests'
inputs, then generated ones), and the expected output of each is what the reference solution
returns. Those outputs, and the time the reference takes on each input, are computed once per
machine through the executor (the oracle that `nl2code.pipeline.load_benchmark` passes in), with
CAPTURE steps, and cached by release and data hash. A sample then gets one protected step per
input: the child returns the output, the driver compares it by EvalPlus's rules
(`nl2code.execution.oracles`: exact, else `np.allclose` within the problem's atol; the special
oracles where EvalPlus names the problems). Each input runs under its own time limit,
`max(min_time, factor x the reference's time on it)` (EvalPlus's defaults: 1 s and 4), enforced
in the child by a timer; the sample as a whole stays under the executor's limits, which the
child cannot change. A sample's wall clock is what EvalPlus gives a task: the sum of its per-input
limits (at most `TASK_WALL_CAP`) plus 2 s (`Problem.wall_seconds`, a floor under the evaluation's
wall limit), so that a sample is never stopped sooner than EvalPlus would stop it. Unlike
EvalPlus, which times wall-clock, the times and limits are CPU time,
as everywhere in nl2code: a loaded machine slows the wall clock, not the work a program does (a
program that sleeps is stopped by the sample's wall-clock limit instead).
"""

from __future__ import annotations

import logging
import marshal
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from nl2code.benchmarks._data import DataFile, cache_dir, read_jsonl, resolve
from nl2code.benchmarks._oracle import Oracle
from nl2code.benchmarks.humaneval import docstring_text
from nl2code.benchmarks.mbpp_plus import shaped_inputs
from nl2code.errors import DatasetError
from nl2code.records import Comparison, Limits, Problem, Sample, Status, StepKind, TestStep, Unmarshallable

log = logging.getLogger(__name__)

MIN_TIME = 1.0  # EvalPlus's DEFAULT_MIN_TIME_LIMIT (evalplus/config.py)
TIME_FACTOR = 4.0  # EvalPlus's DEFAULT_GT_TIME_LIMIT_FACTOR
# EvalPlus's untrusted_check gives a task min(EVALPLUS_TIMEOUT_PER_TASK, sum of its per-input
# limits) + 1 s, and 1 s more to collect its results; the variable's default is 60 s (evalplus/eval)
TASK_WALL_CAP = 60.0
TASK_WALL_EXTRA = 2.0
INPUTS = "_nl2code_inputs"
REFERENCE_LIMITS = Limits(cpu_seconds=120, wall_seconds=240, memory_bytes=8 * 1024**3)


@dataclass(frozen=True, slots=True)
class Release:
    benchmark: str
    version: str
    family: str  # "humaneval" or "mbpp": which special oracles and input shapes apply
    data: DataFile


_HE = "https://github.com/evalplus/humanevalplus_release/releases/download/v0.1.10"
RELEASES = {
    "humaneval-plus": Release("humaneval-plus", "0.1.10", "humaneval", DataFile(
        "HumanEvalPlus-v0.1.10.jsonl.gz", f"{_HE}/HumanEvalPlus.jsonl.gz", "272720b90ac375502c8ed23cd791c2a93dfb22a911641a494da74a426c09f101")),
    "humaneval-plus-mini": Release("humaneval-plus-mini", "0.1.10", "humaneval", DataFile(
        "HumanEvalPlus-Mini-v0.1.10.jsonl.gz", f"{_HE}/HumanEvalPlus-Mini.jsonl.gz", "91486741f1627101021fbe50523df08eebb5b0bf5e804b633dcd5ca3c14dbd2f")),
    "mbpp-plus": Release("mbpp-plus", "0.2.0", "mbpp", DataFile(
        "MbppPlus-v0.2.0.jsonl.gz", "https://github.com/evalplus/mbppplus_release/releases/download/v0.2.0/MbppPlus.jsonl.gz",
        "af43697e8791c4c149bdfd6b489d8b5412507551ac20e28a439f650b8225db63")),
}

# EvalPlus's special oracles, by entry point (evalplus/eval/_special_oracle.py names the problems)
SET_EQUAL = frozenset({"similar_elements", "find_char_long", "common_in_nested_lists", "extract_singly", "larg_nnum",
                       "intersection_array", "find_dissimilar", "Diff"})
NOT_NONE = frozenset({"check_str", "text_match_three", "text_starta_endb"})


def _surface_area_alternative(base_edge: float, height: float) -> int:
    """Mbpp/581 also accepts the square pyramid's surface with `height` as the perpendicular
    height (the task's wording allows both readings), rounded."""
    slant = math.sqrt((base_edge / 2) ** 2 + height**2)
    return round(base_edge**2 + 2 * base_edge * slant)


def _digit_distance_alternative(a: int, b: int) -> int:
    """Mbpp/558 also accepts the digit distance of the numbers padded with zeros to one length."""
    x, y = str(a), str(b)
    width = max(len(x), len(y))
    return sum(abs(int(p) - int(q)) for p, q in zip(x.zfill(width), y.zfill(width)))


ALTERNATIVES = {"surface_Area": _surface_area_alternative, "digit_distance_nums": _digit_distance_alternative}


def inputs_of(release: Release, record: dict) -> list:
    plus = record.get("plus_input") or []
    if isinstance(plus, dict):  # one MBPP+ record stores an empty dict
        plus = list(plus.values())
    inputs = list(record["base_input"]) + list(plus)
    return shaped_inputs(record["task_id"], inputs) if release.family == "mbpp" else inputs


def _atol(record: dict, expected: object) -> float:
    atol = float(record.get("atol") or 0)
    if atol == 0 and _is_floats(expected):
        atol = 1e-6  # EvalPlus enforces a tolerance for float outputs
    return atol


def _is_floats(value: object) -> bool:
    if isinstance(value, float):
        return True
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, float) for v in value)


def _prelude(inputs: list, limits: list[float] | None) -> str:
    """The test module a sample's steps run in: the inputs, and the call each step makes. With
    `limits` (CPU seconds per input) a call that runs longer raises TimeoutError; without them
    (the reference's run) each call's CPU time is recorded in `_nl2code_times`."""
    return (
        "import marshal as _nl2code_marshal, signal as _nl2code_signal, time as _nl2code_time\n"
        f"{INPUTS} = _nl2code_marshal.loads({marshal.dumps(inputs)!r})\n"
        f"_nl2code_limits = {tuple(limits) if limits is not None else None!r}\n"
        "_nl2code_times = {}\n"
        "def _nl2code_expired(signum, frame):\n"
        "    raise TimeoutError('over its time limit')\n"
        "def _nl2code_call(function, i):\n"
        "    if _nl2code_limits is None:\n"
        "        started = _nl2code_time.process_time()\n"
        f"        output = function(*{INPUTS}[i])\n"
        "        _nl2code_times[i] = _nl2code_time.process_time() - started\n"
        "        return output\n"
        "    limit = _nl2code_limits[i]\n"
        "    _nl2code_signal.signal(_nl2code_signal.SIGPROF, _nl2code_expired)\n"
        "    _nl2code_signal.setitimer(_nl2code_signal.ITIMER_PROF, limit)\n"
        "    try:\n"
        f"        return function(*{INPUTS}[i])\n"
        "    except TimeoutError:\n"
        "        raise TimeoutError(f'input {i} ran over its time limit of {limit:.3g} s of CPU time') from None\n"
        "    finally:\n"
        "        _nl2code_signal.setitimer(_nl2code_signal.ITIMER_PROF, 0)\n"
    )


def _problem(release: Release, digest: str, record: dict, steps: tuple[TestStep, ...], prelude: str, wall: float = 0.0, base: int = 0) -> Problem:
    task_id = record["task_id"]
    humaneval = release.family == "humaneval"
    prompt = record["prompt"]
    return Problem(
        benchmark=release.benchmark, version=release.version, data_sha256=digest, task_id=task_id,
        prompt=prompt, entry_point=record["entry_point"], test=record.get("test") or record.get("assertion", ""),
        reference=prompt + record["canonical_solution"] if humaneval else record["canonical_solution"],
        description=docstring_text(prompt) if humaneval else prompt.strip().strip("'\"").strip(),
        test_prelude=prelude, steps=steps, prompt_is_code=humaneval, aliases=(task_id.split("/")[-1],), wall_seconds=wall, base_tests=base,
    )


def _capture_problem(release: Release, digest: str, record: dict, skip: frozenset[int]) -> tuple[Problem, list[int]]:
    inputs = inputs_of(release, record)
    indices = [i for i in range(len(inputs)) if i not in skip]
    entry = record["entry_point"]
    steps = [TestStep(StepKind.COMPARE, f"_nl2code_call({entry}, {i})", Comparison.CAPTURE) for i in indices]
    steps.append(TestStep(StepKind.COMPARE, "_nl2code_times", Comparison.CAPTURE))
    return _problem(release, digest, record, tuple(steps), _prelude(inputs, None)), indices


def _cache_path(release: Release, digest: str) -> Path:
    py = f"py{sys.version_info[0]}{sys.version_info[1]}"
    return cache_dir() / "ground-truth" / f"{release.benchmark}-{release.version}-{digest[:16]}-{py}-cpu.marshal"


def ground_truth(release: Release, digest: str, records: list[dict], oracle: Oracle | None) -> dict[str, tuple[dict, dict]]:
    """task id -> (outputs by input index, the reference's seconds by input index), computed once
    through the executor and cached. Left out, with a warning: inputs whose output is too large
    for the executor's result cap, and inputs whose output cannot be shipped (an `re.Match`)
    except where EvalPlus asks only whether it is None."""
    cache = _cache_path(release, digest)
    if cache.is_file():
        return marshal.loads(cache.read_bytes())
    if oracle is None:
        raise DatasetError(f"{release.benchmark} {release.version}: the expected outputs are not computed yet on this machine; load the "
                           "benchmark through nl2code.pipeline.load_benchmark (every nl2code command does), which runs the reference solutions once")
    by_id = {r["task_id"]: r for r in records}
    skips: dict[str, set[int]] = {t: set() for t in by_id}
    truth: dict[str, tuple[dict, dict]] = {}
    todo = list(by_id)
    log.info("computing %s %s expected outputs from %d reference solutions", release.benchmark, release.version, len(todo))
    for _ in range(50):
        if not todo:
            break
        built = {t: _capture_problem(release, digest, by_id[t], frozenset(skips[t])) for t in todo}
        problems = {t: problem for t, (problem, _) in built.items()}
        samples = [Sample(t, 0, n, problems[t].reference) for n, t in enumerate(todo)]
        todo = []
        for execution in oracle(problems, samples, REFERENCE_LIMITS):
            task = execution.task_id
            indices = built[task][1]
            retry = _take(release, task, by_id[task], indices, execution, skips[task], truth)
            if retry:
                todo.append(task)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(marshal.dumps(truth))
    os.replace(tmp, cache)
    return truth


def _take(release: Release, task: str, record: dict, indices: list[int], execution, skip: set[int], truth: dict) -> bool:  # noqa: ANN001
    """Record one reference run's outputs; True when it must run again without some inputs."""
    captured = dict(execution.captured)
    times = captured.pop(len(indices), None)
    outputs = {indices[step]: value for step, value in captured.items()}
    not_none = record["entry_point"] in NOT_NONE
    odd = {i: v.type_name for i, v in outputs.items() if isinstance(v, Unmarshallable)}
    if not_none:
        # EvalPlus keeps only whether the reference returned something
        outputs = {i: not (v is None) for i, v in outputs.items()}
        odd = {}
    unshippable = {i for i, v in outputs.items() if not isinstance(v, Unmarshallable) and not _marshallable(v)}
    odd.update({i: type(outputs[i]).__name__ for i in unshippable})
    if odd:
        log.warning("%s %s: inputs %s left out, the reference returns %s (not a plain value)", release.benchmark, task, sorted(odd), sorted(set(odd.values())))
        skip.update(odd)
        return True
    if execution.status is Status.PASSED and len(outputs) == len(indices) and isinstance(times, dict):
        truth[task] = (outputs, {i: float(t) for i, t in times.items()})
        return False
    if "exceeds" in execution.error and len(outputs) < len(indices):
        too_big = indices[len(outputs)]
        log.warning("%s %s: input %d left out, its output exceeds the result cap (%s)", release.benchmark, task, too_big, execution.error)
        skip.add(too_big)
        return True
    raise DatasetError(f"{release.benchmark} {task}: the reference solution returned {len(outputs)} of {len(indices)} outputs "
                       f"({execution.status}: {execution.error}); check the data file")


def _marshallable(value: object) -> bool:
    try:
        marshal.dumps(value)
    except ValueError:
        return False
    return True


def _steps(release: Release, record: dict, outputs: dict[int, object]) -> tuple[TestStep, ...]:
    entry = record["entry_point"]
    inputs = inputs_of(release, record)
    steps = []
    for i in sorted(outputs):
        expected = outputs[i]
        atol = _atol(record, expected)
        source = f"_nl2code_call({entry}, {i})"
        if release.family == "humaneval" and entry == "find_zero":
            spec = ("poly-root", expected, list(inputs[i][0]))
        elif release.family == "mbpp" and entry in SET_EQUAL:
            spec = ("set", expected, None)
        elif release.family == "mbpp" and entry in NOT_NONE:
            spec = ("not-none", expected, None)
        elif release.family == "mbpp" and entry in ALTERNATIVES:
            spec = ("any-of", expected, (ALTERNATIVES[entry](*inputs[i]),))
        else:
            steps.append(TestStep(StepKind.COMPARE, source, Comparison.EVALPLUS, expected, tolerance=atol))
            continue
        steps.append(TestStep(StepKind.COMPARE, source, Comparison.ORACLE, spec, tolerance=atol))
    return tuple(steps)


def time_limits(times: dict[int, float], n_inputs: int, min_time: float = MIN_TIME, factor: float = TIME_FACTOR) -> list[float]:
    """Per-input limits, EvalPlus's `max(min_time, factor x t_reference)`; an input the reference
    was not timed on (left out) gets `min_time`."""
    return [round(max(min_time, factor * times.get(i, 0.0)), 4) for i in range(n_inputs)]


def task_wall(limits: list[float]) -> float:
    """A whole sample's wall-clock allowance, EvalPlus's: the sum of the per-input limits, capped,
    plus the time it allows for starting and collecting results. The per-input limits come from
    the reference's own time on each input, so a problem whose outputs are large to ship (Mbpp/255
    returns 119 MB over 111 inputs) is not held to the few seconds a small one needs."""
    return round(min(TASK_WALL_CAP, sum(limits)) + TASK_WALL_EXTRA, 3)


def load(benchmark: str, dataset: str | os.PathLike | None = None, oracle: Oracle | None = None) -> tuple[str, str, Path, list[Problem]]:
    release = RELEASES[benchmark]
    path, digest = resolve(release.data, dataset)
    records = read_jsonl(path)
    for number, record in enumerate(records, 1):
        missing = {"task_id", "prompt", "entry_point", "canonical_solution", "base_input"} - record.keys()
        if missing:
            raise DatasetError(f"{path}: record {number} lacks {sorted(missing)}; pass an unmodified {release.data.filename}")
    truth = ground_truth(release, digest, records, oracle)
    problems = []
    for record in records:
        outputs, times = truth[record["task_id"]]
        inputs = inputs_of(release, record)
        limits = time_limits(times, len(inputs))
        steps = _steps(release, record, outputs)
        # steps go in input order and the base inputs come first: the base tests are a prefix
        base = sum(1 for i in outputs if i < len(record["base_input"]))
        problems.append(_problem(release, digest, record, steps, _prelude(inputs, limits), task_wall([limits[i] for i in outputs]), base))
    return release.version, digest, path, problems
