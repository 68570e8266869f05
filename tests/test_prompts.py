from __future__ import annotations

import pytest

from nl2code.prompts import (
    CHAT_TEMPLATE,
    COMPLETION_TEMPLATE,
    PromptStyle,
    build_prompt,
    extract_code,
    make_program,
    sanitize,
    stop_sequences,
    truncate_at_stop,
)
from nl2code.records import Problem

PROMPT = '''from typing import List


def helper(x: int) -> int:
    return x + 1


def add_one(xs: List[int]) -> List[int]:
    """Add one to every element.
    >>> add_one([1, 2])
    [2, 3]
    """
'''


def problem(**changes) -> Problem:
    fields = dict(
        benchmark="toy", version="1", data_sha256="0" * 64, task_id="toy/0", prompt=PROMPT,
        entry_point="add_one", test="", reference="",
    )
    fields.update(changes)
    return Problem(**fields)


def run(program: str) -> list[int]:
    namespace: dict = {}
    exec(program, namespace)
    return namespace["add_one"]([1, 2])


def test_completion_prompt_is_sent_byte_for_byte_with_the_python_stop_sequences():
    prompt = build_prompt(problem(), COMPLETION_TEMPLATE)
    assert prompt.text == PROMPT
    assert prompt.stop == ("\ndef", "\nclass", "\nif", "\nprint", "\n#")


def test_chat_prompt_puts_the_code_in_a_fence_and_has_no_stop_sequences():
    prompt = build_prompt(problem(), CHAT_TEMPLATE)
    roles = [role for role, _ in prompt.messages]
    assert roles == ["system", "user"]
    assert "```python\n" + PROMPT in prompt.messages[1][1]
    assert prompt.stop == ()


def test_template_hash_changes_when_the_template_text_changes():
    from dataclasses import replace

    changed = replace(CHAT_TEMPLATE, system="Be brief.")
    assert len(CHAT_TEMPLATE.sha256) == 64
    assert changed.sha256 != CHAT_TEMPLATE.sha256
    assert COMPLETION_TEMPLATE.sha256 != CHAT_TEMPLATE.sha256


def test_truncate_at_stop_cuts_at_the_earliest_of_several_sequences():
    text = "    return 1\n\nprint(f())\ndef g(): pass\n"
    assert truncate_at_stop(text, ("\ndef", "\nprint")) == "    return 1\n"
    assert truncate_at_stop(text, ()) == text


def test_completion_with_a_broken_tail_becomes_a_working_program():
    raw = "    return [helper(x) for x in xs]\n\n\nif True:\n    this is not python(\n"
    completion, program = make_program(problem(), "completion", raw, stop_sequences(problem(), "completion"))
    assert completion == "    return [helper(x) for x in xs]\n\n"
    assert run(program) == [2, 3]


def test_extract_code_prefers_the_block_that_defines_the_entry_point():
    answer = "Sure.\n```bash\npip install x\n```\n```python\nx = 1\n```\n```py\ndef add_one(xs):\n    return xs\n```\ntrailing (("
    assert extract_code(answer, "python", "add_one") == "def add_one(xs):\n    return xs\n"
    assert extract_code(answer, "python") == "x = 1\n"


def test_extract_code_reads_an_unclosed_fence_to_the_end_and_returns_plain_text_as_is():
    assert extract_code("```python\ndef f():\n    return 1\n") == "def f():\n    return 1\n"
    assert extract_code("def f(): return 1") == "def f(): return 1"


def test_chat_answer_without_the_prompts_imports_and_helpers_still_runs():
    raw = "Here you go:\n```python\ndef add_one(xs: List[int]) -> List[int]:\n    return [helper(x) for x in xs]\n```\nBroken tail ((("
    completion, program = make_program(problem(), PromptStyle.CHAT, raw)
    assert completion.startswith("def add_one")
    assert "from typing import List" in program and "def helper" in program
    assert run(program) == [2, 3]


def test_chat_answer_that_is_only_a_body_continues_the_prompt():
    raw = "```python\n    return [x + 1 for x in xs]\n```"
    _, program = make_program(problem(), "chat", raw)
    assert program.startswith(PROMPT)
    assert run(program) == [2, 3]


def test_sanitize_keeps_the_entry_point_its_dependencies_and_imports_only():
    code = (
        "import math\n\nCONST = 2\n\ndef unused():\n    return 0\n\n"
        "def dep(x):\n    return x * CONST\n\n@staticmethod\ndef decorated():\n    pass\n\n"
        "def add_one(xs):\n    return [dep(x) // 2 + 1 for x in xs]\n\n"
        "print(add_one([1]))\nassert False\nif __name__ == '__main__':\n    raise SystemExit(1)\n"
        "def broken(:\n"
    )
    out = sanitize(code, "add_one")
    assert "import math" in out and "CONST = 2" in out and "def dep" in out
    assert "unused" not in out and "decorated" not in out
    assert "print" not in out and "assert" not in out and "__main__" not in out
    assert run(out) == [2, 3]


def test_sanitize_without_the_entry_point_keeps_definitions_and_drops_top_level_calls():
    out = sanitize("def f():\n    return 1\nf()\n", "missing")
    assert out == "def f():\n    return 1\n"


@pytest.mark.parametrize("style", ["completion", "chat"])
def test_sanitize_option_removes_code_that_would_run_on_import(style):
    raw = "    return [x + 1 for x in xs]\n\nprint('side effect')\n" if style == "completion" else (
        "```python\ndef add_one(xs):\n    return [x + 1 for x in xs]\n\nprint('side effect')\n```"
    )
    _, program = make_program(problem(), style, raw, stop=(), do_sanitize=True)
    assert "side effect" not in program
    assert run(program) == [2, 3]


def test_natural_language_task_in_completion_style_is_wrapped_in_a_docstring():
    nl = problem(prompt="Write a function add_one that adds one to every element.", prompt_is_code=False)
    prompt = build_prompt(nl, COMPLETION_TEMPLATE)
    assert prompt.text.startswith('"""\nWrite a function') and prompt.text.endswith('"""\n')
    _, program = make_program(nl, "completion", "def add_one(xs):\n    return [x + 1 for x in xs]\n\nassert add_one([1]) == [2]\n", prompt.stop)
    assert "assert" not in program
    assert run(program) == [2, 3]
