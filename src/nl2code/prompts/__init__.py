"""Prompt styles and post-processing: what a model is asked, and how its answer becomes a program.

Three styles: ``infill`` sends the code before and after a hole (a suffix field, llama.cpp's
``/infill``, or a model family's FIM sentinel tokens) and puts the middle between them;
``completion`` sends the benchmark's prompt as it is and appends the model's
continuation; ``chat`` wraps it in a documented instruction template and extracts the code
from the answer's markdown fences. Every template has a hash recorded with each generation.
"""

from nl2code.prompts._postprocess import (
    extract_code,
    make_program,
    sanitize,
    truncate_at_stop,
)
from nl2code.prompts._templates import (
    CHAT_TEMPLATE,
    COMPLETION_TEMPLATE,
    INFILL_TEMPLATES,
    InfillTemplate,
    Prompt,
    PromptStyle,
    PromptTemplate,
    build_prompt,
    stop_sequences,
    template_for,
)

__all__ = [
    "CHAT_TEMPLATE",
    "COMPLETION_TEMPLATE",
    "INFILL_TEMPLATES",
    "InfillTemplate",
    "Prompt",
    "PromptStyle",
    "PromptTemplate",
    "build_prompt",
    "extract_code",
    "make_program",
    "sanitize",
    "stop_sequences",
    "template_for",
    "truncate_at_stop",
]
