"""Prompt templates: the exact text a model sees, and the hash that identifies it."""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import asdict, dataclass

from nl2code.errors import ConfigError
from nl2code.records import Problem


class PromptStyle(enum.StrEnum):
    COMPLETION = "completion"  # the raw benchmark prompt; the model continues it
    CHAT = "chat"  # an instruction in chat messages; code is extracted from fences
    INFILL = "infill"  # fill in the middle: the code before and after a hole; the model writes the hole


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



@dataclass(frozen=True, slots=True)
class InfillTemplate:
    """How a fill-in-the-middle request is written for one model family.

    ``text`` empty: the server takes the suffix itself (the OpenAI completions ``suffix`` field,
    llama.cpp's ``/infill``) and the prompt goes out as the bare prefix. Otherwise ``text`` puts
    prefix and suffix between the family's sentinel tokens ({prefix}, {suffix}) and the request
    is a plain completion; ``stop`` holds the tokens that end a middle (where a server returns
    special tokens as text)."""

    name: str
    text: str = ""
    stop: tuple[str, ...] = ()
    style: PromptStyle = PromptStyle.INFILL

    @property
    def native(self) -> bool:
        return not self.text

    @property
    def sha256(self) -> str:
        canonical = json.dumps({"name": self.name, "text": self.text, "stop": list(self.stop)}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


# The sentinel layouts the model families define (prefix-suffix-middle order in each):
# StarCoder / StarCoder2 (the BigCode FIM tokens), Code Llama (Rozière et al. 2023, section 2.3:
# the <PRE> <SUF> <MID> tokens, as its reference code spaces them), DeepSeek-Coder (its README's
# code insertion example) and Qwen2.5-Coder (its model card's fill-in-the-middle example).
INFILL_TEMPLATES: dict[str, InfillTemplate] = {
    t.name: t
    for t in [
        InfillTemplate("native"),
        InfillTemplate("starcoder", "<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>", ("<|endoftext|>", "<file_sep>")),
        InfillTemplate("codellama", "<PRE> {prefix} <SUF>{suffix} <MID>", ("<EOT>", "</s>")),
        InfillTemplate("deepseek-coder", "<\uff5cfim\u2581begin\uff5c>{prefix}<\uff5cfim\u2581hole\uff5c>{suffix}<\uff5cfim\u2581end\uff5c>",
                       ("<\uff5cend\u2581of\u2581sentence\uff5c>", "<|EOT|>")),
        InfillTemplate("qwen2.5-coder", "<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>",
                       ("<|endoftext|>", "<|fim_pad|>", "<|file_sep|>", "<|im_end|>")),
    ]
}

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
    suffix: str | None = None  # infill with a server that takes the suffix itself: the code after the hole

    def as_messages(self) -> list[dict[str, str]]:
        return [{"role": role, "content": content} for role, content in self.messages]


def template_for(style: PromptStyle | str, fim: str = "native") -> PromptTemplate | InfillTemplate:
    """The template of a style; for ``infill``, the FIM layout named by ``fim`` (--fim)."""
    if PromptStyle(style) is PromptStyle.INFILL:
        if fim not in INFILL_TEMPLATES:
            raise ConfigError(f"unknown --fim {fim!r}; choose one of: {', '.join(INFILL_TEMPLATES)}")
        return INFILL_TEMPLATES[fim]
    return TEMPLATES[PromptStyle(style)]


def stop_sequences(problem: Problem, style: PromptStyle | str) -> tuple[str, ...]:
    if PromptStyle(style) in (PromptStyle.CHAT, PromptStyle.INFILL):  # a middle ends where the model says
        return ()
    if not problem.prompt_is_code:
        return _TEXT_STOPS
    if problem.stop:  # the benchmark's own (MultiPL-E's stop_tokens)
        return problem.stop
    return _STOPS.get(problem.language, ())


def build_prompt(problem: Problem, template: PromptTemplate | InfillTemplate) -> Prompt:
    if isinstance(template, InfillTemplate):
        if template.native:
            return Prompt(style=PromptStyle.INFILL, text=problem.prompt, suffix=problem.suffix)
        # split, not format: code is full of braces
        before, rest = template.text.split("{prefix}")
        between, after = rest.split("{suffix}")
        return Prompt(style=PromptStyle.INFILL, text=before + problem.prompt + between + problem.suffix + after, stop=template.stop)
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
