"""The oracle hook: how a benchmark whose expected outputs come from running its reference
solutions (EvalPlus's differential testing) gets them computed without starting executors itself.

`nl2code.pipeline.load_benchmark` passes an `Oracle`: a function that runs samples (the reference
solutions, with CAPTURE steps) through the executor and yields their `Execution`s, whose
`captured` values are the expected outputs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from nl2code.records import Execution, Limits, Problem, Sample

Oracle = Callable[[Mapping[str, Problem], list[Sample], Limits], Iterable[Execution]]
