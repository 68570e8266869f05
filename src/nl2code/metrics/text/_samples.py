"""Text metrics of a run's samples: which text of a sample is compared with which reference, and
the scores of many samples in chunks (with progress), for the pipeline to store."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from nl2code.records import Execution, Limits, Problem, Sample, Status

from ._registry import TextOptions, TextScore, score_corpus, score_pairs

log = logging.getLogger(__name__)

CHUNK = 500  # samples per scoring call: progress, and a bounded CodeBLEU child request


def metric_key(name: str, options: TextOptions) -> str:
    """The name a per-sample score is stored under: CodeBLEU's value depends on its language and
    variant, the other metrics' on their name alone."""
    if name != "codebleu":
        return name
    from ._codebleu import language

    return f"{'codebleu-fixed' if options.codebleu_fixed else 'codebleu'}:{language(options.lang)}"


def text_pair(problem: Problem, program: str) -> tuple[str, str]:
    """(prediction, reference) of a sample: where the problem's prompt is code that both the
    program and the reference solution begin with (HumanEval), it is left out of both, so that the
    prompt a model was given does not count as matching text."""
    prompt, reference = problem.prompt, problem.reference
    if problem.prompt_is_code and prompt and program.startswith(prompt) and reference.startswith(prompt):
        return program[len(prompt):], reference[len(prompt):]
    return program, reference


def score_samples(name: str, pairs: Sequence[tuple[int, str, str]], options: TextOptions,
                  on_progress: Callable[[int], None] | None = None) -> Iterator[dict[int, float]]:
    """Per-sample scores of (index, prediction, reference) triples, one dict per chunk."""
    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start:start + CHUNK]
        values = score_pairs(name, [p for _, p, _ in chunk], [r for _, _, r in chunk], options)
        yield {index: value for (index, _, _), value in zip(chunk, values, strict=True)}
        if on_progress:
            on_progress(len(chunk))


def corpus_scores(names: Iterable[str], predictions: Sequence[str], references: Sequence[str], options: TextOptions) -> dict[str, TextScore]:
    return {name: score_corpus(name, predictions, references, options) for name in names}


class TextExecutor:
    """The executor of benchmarks without tests (CoNaLa): it runs nothing. Each sample is answered
    `not_executed`; its text is scored against the reference by the pipeline's text stage."""

    name = "text"

    @property
    def level(self) -> str:
        return "none (text match only, nothing executed)"

    def __enter__(self) -> TextExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def execute(self, samples: Iterable[Sample], problems: Mapping[str, Problem], limits: Mapping[str, Limits]) -> Iterator[Execution]:
        for sample in samples:
            yield Execution(sample.task_id, sample.sample_id, sample.index, Status.NOT_EXECUTED, isolation=self.level,
                            limits=limits.get(sample.task_id, Limits()))
