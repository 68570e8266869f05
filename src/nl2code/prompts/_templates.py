"""Prompt templates: the exact text a model sees, and the hash that identifies it."""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import asdict, dataclass

from nl2code.records import Problem


class PromptStyle(enum.StrEnum):
    COMPLETION = "completion"  # the raw benchmark prompt; the model continues it
    CHAT = "chat"  # an instruction in chat messages; code is extracted from fences


@dataclass(frozen=True, slots=True)
class PromptTemplate:
    """A prompt template. Placeholders: {prompt}, {entry_point}, {language}, {fence}.

    ``code`` is used when the problem's prompt is code (HumanEval), ``text`` when it is a
    natural-language task (MBPP). ``system`` is empty for completion style.
    """

    name: str
    style: PromptStyle
    code: str
    text: str
    system: str = ""

    @property
    def sha256(self) -> str:
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


COMPLETION_TEMPLATE = PromptTemplate(
    name="completion-v1",
    style=PromptStyle.COMPLETION,
    # A code prompt goes out byte for byte: stripping its trailing newline or indentation
    # changes what a completion model writes (bigcode-evaluation-harness#159).
    code="{prompt}",
    text='"""\n{prompt}\n"""\n',
)

CHAT_TEMPLATE = PromptTemplate(
    name="chat-v1",
    style=PromptStyle.CHAT,
    system="You are an expert {language} programmer. You write correct, self-contained code.",
    code=(
        "Complete the following {language} function. Answer with the whole function, "
        "including its signature and the imports it needs, in one fenced code block.\n\n"
        "```{fence}\n{prompt}\n```\n"
    ),
    text=(
        "{prompt}\n\nWrite the {language} function `{entry_point}` that solves this task. "
        "Answer with the whole code, including the imports it needs, in one fenced code block."
    ),
)

TEMPLATES = {PromptStyle.COMPLETION: COMPLETION_TEMPLATE, PromptStyle.CHAT: CHAT_TEMPLATE}

# Language name as a markdown fence label.
_FENCE = {"python": "python", "javascript": "javascript", "js": "javascript", "cpp": "cpp",
          "java": "java", "go": "go", "rust": "rust", "typescript": "typescript"}

# Stop sequences for completion style, by language. Python: the Codex paper's set; they end the
# completion at the next top-level statement after the function body.
_STOPS = {
    "python": ("\ndef", "\nclass", "\nif", "\nprint", "\n#"),
    "javascript": ("\nfunction ", "\n/*", "\n//", "\nconsole.log"),
    "js": ("\nfunction ", "\n/*", "\n//", "\nconsole.log"),
    "typescript": ("\nfunction ", "\n/*", "\n//", "\nconsole.log"),
    "go": ("\nfunc ", "\n// "),
    "cpp": ("\n}\n",),
    "java": ("\n    }\n",),
    "rust": ("\n}\n",),
}
# A natural-language prompt in completion style: the model writes a whole module, so stop at
# whatever starts the code that would exercise it.
_TEXT_STOPS = ("\nif __name__", "\nprint(", "\nassert ", '\n"""', "\n```")


@dataclass(frozen=True, slots=True)
class Prompt:
    """What goes to a backend for one problem: a text prompt or chat messages."""

    style: PromptStyle
    text: str = ""
    messages: tuple[tuple[str, str], ...] = ()  # (role, content)
    stop: tuple[str, ...] = ()

    def as_messages(self) -> list[dict[str, str]]:
        return [{"role": role, "content": content} for role, content in self.messages]


def template_for(style: PromptStyle | str) -> PromptTemplate:
    return TEMPLATES[PromptStyle(style)]


def stop_sequences(problem: Problem, style: PromptStyle | str) -> tuple[str, ...]:
    if PromptStyle(style) is PromptStyle.CHAT:
        return ()
    if not problem.prompt_is_code:
        return _TEXT_STOPS
    if problem.stop:  # the benchmark's own (MultiPL-E's stop_tokens)
        return problem.stop
    return _STOPS.get(problem.language, ())


def build_prompt(problem: Problem, template: PromptTemplate) -> Prompt:
    fields = {
        "prompt": problem.prompt,
        "entry_point": problem.entry_point,
        "language": problem.language.capitalize() if problem.language != "cpp" else "C++",
        "fence": _FENCE.get(problem.language, problem.language),
    }
    body = (template.code if problem.prompt_is_code else template.text).format(**fields)
    stop = stop_sequences(problem, template.style)
    if template.style is PromptStyle.COMPLETION:
        return Prompt(style=template.style, text=body, stop=stop)
    messages = ((("system", template.system.format(**fields)),) if template.system else ()) + (
        ("user", body),
    )
    return Prompt(style=template.style, messages=messages, stop=stop)
