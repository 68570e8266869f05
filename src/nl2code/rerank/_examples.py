"""Ranking by the prompt's own examples: the samples that pass the examples shown in the prompt
(the filter n@k applies, AlphaCode's "passes the example tests") form the one ranked tier; a
problem where none pass, or whose prompt has no examples, is left unranked (its estimate is
then the unranked one). The examples ran with the source run, so nothing is executed here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nl2code.rerank._ranking import Tier

if TYPE_CHECKING:
    from nl2code.rerank._run import SourceSolutions


def rankings(solutions: SourceSolutions) -> dict[str, list[Tier]]:
    result: dict[str, list[Tier]] = {}
    for task_id, programs in solutions.programs.items():
        passing = tuple(
            verdict
            for program, verdicts in programs.items()
            for verdict, examples in zip(verdicts, solutions.examples[task_id][program])
            if examples is True
        )
        result[task_id] = [Tier(passing, 1.0)] if passing else []
    return result
