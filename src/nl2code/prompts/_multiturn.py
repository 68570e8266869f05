"""Multi-turn prompting (MTPB): a problem's turns are asked one after another; each request holds
the earlier turns' prompts and the code the model wrote for them, and the turns' code joined is
the program. The layout and the cut of each turn's code follow CodeGen's MTPB sampling script."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass

from nl2code.benchmarks.mtpb import PREFIX, TURN, TURN_END
from nl2code.prompts._templates import PromptStyle
from nl2code.records import Problem


@dataclass(frozen=True, slots=True)
class MultiTurnTemplate:
    name: str
    prefix: str  # what the program starts with
    turn: str  # one turn's prompt ({prompt}), written before the code of that turn
    turn_end: str  # written after each turn's code
    style: PromptStyle = PromptStyle.COMPLETION

    @property
    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()

    def history(self, turns: tuple[str, ...], codes: list[str]) -> str:
        """The text after len(codes) turns answered: prefix, then each turn's prompt and code,
        then the next turn's prompt when there is one left."""
        text = self.prefix + "".join(self.turn.format(prompt=t) + c + self.turn_end for t, c in zip(turns, codes))
        if len(codes) < len(turns):
            text += self.turn.format(prompt=turns[len(codes)])
        return text


MTPB_TEMPLATE = MultiTurnTemplate("mtpb-multi-turn-v1", PREFIX, TURN, TURN_END)


def truncate_turn(completion: str) -> str:
    """One turn's code, cut as CodeGen's MTPB sampling cuts it: before a second top-level print
    or def, then at the first line that starts a comment or a docstring quote, an end-of-text
    token, or two blank lines."""
    prints = [m.start() for m in re.finditer(r"^print", completion, re.M)]
    if len(prints) > 1:
        completion = completion[: prints[1]]
    defs = [m.start() for m in re.finditer(r"^def", completion, re.M)]
    if len(defs) > 1:
        completion = completion[: defs[1]]
    cuts = [m.start() for pattern in (r"^#", re.escape("<|endoftext|>"), r"^'''", r'^"""', r"\n\n\n")
            if (m := re.search(pattern, completion, re.M))]
    return completion[: min(cuts)] if cuts else completion


def multi_turn_program(problem: Problem, raws: list[str], template: MultiTurnTemplate = MTPB_TEMPLATE) -> str:
    """The program of a multi-turn sample from the raw answers to its turns."""
    return template.history(problem.turns, [truncate_turn(r) for r in raws])
