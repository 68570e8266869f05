"""MultiPL-E (Cassano et al. 2023): HumanEval translated by compilers to 18 languages, each
problem a prompt (signature and doc comment) and a test program.

As MultiPL-E's own evaluator does, a sample's program is the prompt, the completion, a newline
and the tests, run as one program (Python included: MultiPL-E runs its Python problems as a
script, so they use the `python-program` language here, not the step protocol). The problems
have no reference solutions, except the Python file, which carries HumanEval's.

The pinned files are the HumanEval prompts as committed in deepseek-ai/DeepSeek-Coder
(`Evaluation/HumanEval/data/`); `--dataset` takes any file in MultiPL-E's problem format
(JSON lines or a JSON list of objects with `name`, `language`, `prompt`, `tests`,
`stop_tokens`; gzip when the name ends in .gz), such as a file of MultiPL-E's own prompts.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
from pathlib import Path

from nl2code.benchmarks._data import DataFile, resolve
from nl2code.benchmarks._problem_cache import cached_problems
from nl2code.benchmarks.humaneval_x import comment_text
from nl2code.errors import DatasetError
from nl2code.records import Problem

log = logging.getLogger(__name__)

VERSION = "2f9fd859"
_BASE = "https://raw.githubusercontent.com/deepseek-ai/DeepSeek-Coder/2f9fd859/Evaluation/HumanEval/data"
# MultiPL-E language code -> (data file stem, sha256 of the pinned file)
FILES: dict[str, tuple[str, str]] = {
    "cpp": ("humaneval-cpp", "8717eabdf202137158c84506144b0fb1e73d5ecccbe5363ec79009ca014df629"),
    "cs": ("humaneval-cs", "1c3fe18be10addc2d0b96311f4db192ae3232e08628d17768d889d6ab87be224"),
    "d": ("humaneval-d", "226938c015f90d713a3e30d8f174f4a6d2c88820cf50512379a16890dda70332"),
    "go": ("humaneval-go", "7f5dfe3ff001049b1221e9d21a8119b5cbc38eb87c97fefc5d57fa7adc1df888"),
    "java": ("humaneval-java", "b21b015763452ec4f9f4e0e6425148ec331ace4da1232c8b4d441186185f6265"),
    "jl": ("humaneval-jl", "ef21bd920889c9c1ab0e87a825cc26bd895e7a715f569f8ba7de577f870b6815"),
    "js": ("humaneval-js", "634e2eee8d6e22de07c121b972207683dd96be76256bf44bdfc1a3386b739287"),
    "lua": ("humaneval-lua", "d2e91f3603f6aee63db2c2d5754d165397603a8c9bd6130842af7988b27a96fc"),
    "php": ("humaneval-php", "bebd86875b1d8e65a8b7e692ed7bdf64612b44aa388825ea4dab40c7047c786b"),
    "pl": ("humaneval-pl", "949048bff3eaea7ae47cd5759042c088a7c227d53c74fe95a80728fd5aefbf77"),
    "py": ("humaneval-python", "0eae07adadbb00d51962fdb78b9e2a26bfa8ade85dc54eb57cae9bffed2f5c54"),
    "r": ("humaneval-r", "c2a3268ea54d2bfb8ce65bb2c808437ac0d9934c6caf99fcf75d6b6a4fb3f911"),
    "rb": ("humaneval-rb", "4204395b835019e32d55513325a0fad01c6d382fd1eb97b516f0458d00058302"),
    "rkt": ("humaneval-rkt", "083325daf55daf431ae6d6d17cf017afb18a6ec790d4c841b7c2b4752c5807ff"),
    "rs": ("humaneval-rs", "e33f562838e973b7e6b8d76dbc1fb84b076d7426629b4cdc624f12678778d2fa"),
    "scala": ("humaneval-scala", "482b72a16613a563755d642e37792da68471399789b069fba5b1249e831445f3"),
    "sh": ("humaneval-sh", "2f702106e9ce4aa7385de568d9248d6c57c90382d782b162cb9e072fbd01ccf8"),
    "swift": ("humaneval-swift", "e4418d6f532e4298969e727690cda80dc88b94e4abf836f8ff79ac18a737eaaa"),
    "ts": ("humaneval-ts", "4b1af1050c9f226335d54a8c80553c39454a525cace3e67bdcfcc9092ba02637"),
}
# MultiPL-E's `language` field where it is not the language's code
_LANGUAGE_FIELD = {"go_test.go": "go", "python": "py"}
# the nl2code language a MultiPL-E code runs as (the registry resolves the other codes itself)
RUN_AS = {"py": "python-program"}

_NAME = re.compile(r"^HumanEval_(\d+)_(\w+)$")


def data_file(code: str) -> DataFile:
    stem, digest = FILES[code]
    return DataFile(f"{stem}.jsonl", f"{_BASE}/{stem}.jsonl", digest)


def load(code: str, dataset: str | os.PathLike | None = None) -> tuple[str, str, Path, list[Problem]]:
    name = f"multipl-e-{code}"
    path, digest = resolve(data_file(code), dataset)
    return VERSION, digest, path, cached_problems(name, path, digest, lambda: parse(code, path, digest), log)


def read_records(path: Path) -> list[tuple[int, dict]]:
    """(line, record) pairs of a JSON-lines file or of a JSON list (gzip when it ends in .gz)."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot be read as UTF-8 text ({exc}); pass a MultiPL-E problem file (JSON lines or a JSON list)") from exc
    if text.lstrip().startswith("["):
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); pass an unmodified MultiPL-E problem file") from exc
        return [(1, r) for r in records]
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                found.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path}:{number}: not valid JSON ({exc.msg}); pass an unmodified MultiPL-E problem file") from exc
    return found


# language code -> (how its tests define their test function, how they call it); {name} is the name
_TEST_FUNCTIONS = {
    "js": (r"^function (test\w*)\s*\(", r"^\s*{name}\s*\(\s*\)\s*;?\s*$"),
    "ts": (r"^function (test\w*)\s*\(", r"^\s*{name}\s*\(\s*\)\s*;?\s*$"),
    "php": (r"^function (test\w*)\s*\(", r"^\s*{name}\s*\(\s*\)\s*;?\s*$"),
    "pl": (r"^sub (test\w*)", r"^\s*{name}\s*\(\s*\)\s*;?\s*$"),
    "r": (r"^(test_\w*) <- function", r"^\s*{name}\s*\(\s*\)\s*$"),
    "rkt": (r"^\(define \((test-[\w-]*)", r"^\s*\({name}\)\s*$"),
    "sh": (r"^(run_test)\s*\(\)", r"^\s*{name}\s*$"),
}


def uncalled_test_functions(code: str, tests: str) -> list[str]:
    """Test functions that MultiPL-E-style tests define and never call: such tests check nothing
    and every sample would pass them (HumanEval-X's JavaScript had three, CodeGeeX#45)."""
    if code not in _TEST_FUNCTIONS:
        return []
    defined, called = _TEST_FUNCTIONS[code]
    names = re.findall(defined, tests, re.M)
    return [n for n in names if not re.search(called.replace("{name}", re.escape(n)), tests, re.M)]


def parse(code: str, path: Path, digest: str) -> tuple[list[Problem], list[str]]:
    problems: list[Problem] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for number, record in read_records(path):
        where = f"{path}:{number}"
        if not isinstance(record, dict):
            raise DatasetError(f"{where}: a JSON {type(record).__name__}, not an object; each problem is an object with name, language, prompt, tests")
        problem = _problem(code, digest, record, where)
        if problem.task_id in seen:
            raise DatasetError(f"{where}: problem {problem.task_id!r} appears twice; pass a file with each problem once")
        seen.add(problem.task_id)
        problems.append(problem)
        uncalled = uncalled_test_functions(code, problem.test)
        if uncalled:
            warnings.append(f"{problem.task_id}: its tests define {', '.join(uncalled)} but never call it: every sample passes them")
    if not problems:
        raise DatasetError(f"{path}: no problems in the file; pass a MultiPL-E problem file")
    return problems, warnings


def _problem(code: str, digest: str, record: dict, where: str) -> Problem:
    name = record.get("name") or record.get("task_id")
    tests = record.get("tests", record.get("test"))
    prompt = record.get("prompt")
    missing = [f for f, v in (("name", name), ("prompt", prompt), ("tests", tests)) if not isinstance(v, str)]
    if missing:
        raise DatasetError(f"{where}: missing or non-string field(s) {', '.join(missing)}; MultiPL-E problems have name, language, prompt, tests, stop_tokens")
    language = record.get("language")
    if language is not None:
        found = _LANGUAGE_FIELD.get(language, language)
        if found != code:
            raise DatasetError(f"{where}: the problem's language is {language!r}, not {code!r}; pick --benchmark multipl-e-{found}")
    match = _NAME.match(name)
    number, entry_point = (match.group(1), match.group(2)) if match else (None, "")
    entry_point = record.get("entry_point") or entry_point or _defined_function(prompt)
    if number is None and re.fullmatch(r"\w+/\d+", name):  # HumanEval-style ids ("Python/0")
        number = name.split("/")[1]
    names = (number, f"HumanEval/{number}", f"HumanEval_{number}_{entry_point}") if number else ()
    aliases = tuple(dict.fromkeys(a for a in names if a != name))
    stop = record.get("stop_tokens") or ()
    if not (isinstance(stop, list | tuple) and all(isinstance(t, str) for t in stop)):
        raise DatasetError(f"{where}: field stop_tokens is not a list of strings; MultiPL-E problems list their stop sequences there")
    solution = record.get("canonical_solution")
    return Problem(
        benchmark=f"multipl-e-{code}", version=VERSION, data_sha256=digest, task_id=name, prompt=prompt,
        entry_point=entry_point, test=tests, reference=prompt + solution if isinstance(solution, str) else "",
        description=comment_text(prompt) if code != "py" else _docstring(prompt), language=RUN_AS.get(code, code),
        prompt_is_code=True, aliases=aliases, stop=tuple(stop),
    )


def _defined_function(prompt: str) -> str:
    found = re.findall(r"^def\s+(\w+)\s*\(", prompt, re.M)
    return found[-1] if found else ""


def _docstring(prompt: str) -> str:
    from nl2code.benchmarks.humaneval import docstring_text

    return docstring_text(prompt)
