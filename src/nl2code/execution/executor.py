"""The executor contract: samples and their problems in, verdicts (`Execution`s) out.

Everything that runs untrusted code goes through an `Executor`: evaluations, self-checks,
reference timings, benchmark oracles (EvalPlus-style ground truth), reranking. `LocalExecutor`
is the hardened fork-server pool of this machine; other implementations (a Ray cluster) keep the
same contract, so that what is judged, and how, never depends on where it ran.

The contract:
- `execute(samples, problems, limits)` takes `Sample`s (task id, sample id, index, the whole
  program), the `Problem` of each task id and the `Limits` of each task id, and yields one
  `Execution` per sample, in completion order. Every sample is answered exactly once, including
  those whose worker died (then with a `crashed`/`sandbox_error` verdict, never silently dropped).
- The verdict is decided by trusted code of nl2code (the driver side of the executor), never by
  a sample's exit code or output alone; expected values never reach a process that runs samples.
- `level` names the isolation in force (per node where there are several); it is stored with
  every run.
- `Problem.language` selects how a program is laid out, compiled and run
  (`nl2code.execution.languages`); Python problems use the in-process step protocol of the
  fork-server, the other languages compile and run stages, each in its own sandboxed process.
- An executor is a context manager: workers are started on entry (or on first use) and stopped,
  with everything they left behind, on exit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Protocol, runtime_checkable

from nl2code.records import Execution, Limits, Problem, Sample

log = logging.getLogger(__name__)

__all__ = ["Executor", "LocalExecutor"]


@runtime_checkable
class Executor(Protocol):
    """What every executor offers (see the module docstring for the contract)."""

    name: str

    @property
    def level(self) -> str: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...

    def execute(self, samples: Iterable[Sample], problems: Mapping[str, Problem], limits: Mapping[str, Limits]) -> Iterator[Execution]: ...


class LocalExecutor:
    """This machine's fork-server pool behind the executor contract: warm workers (one per core
    by default), one sandboxed child per Python sample, one sandboxed process per stage for the
    other languages."""

    name = "local"

    def __init__(self, workers: int | None = None, isolation: str = "auto", preimports: Sequence[str] | None = None) -> None:
        from nl2code.execution._worker import DEFAULT_PREIMPORTS
        from nl2code.execution.pool import ExecutionPool

        self.pool = ExecutionPool(workers=workers, isolation=isolation, preimports=DEFAULT_PREIMPORTS if preimports is None else preimports)

    @property
    def level(self) -> str:
        return self.pool.level

    @property
    def workers(self) -> int:
        return self.pool.n_workers

    def __enter__(self) -> LocalExecutor:
        self.pool.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.pool.close()

    def execute(self, samples: Iterable[Sample], problems: Mapping[str, Problem], limits: Mapping[str, Limits]) -> Iterator[Execution]:
        from nl2code.execution import _jobs

        return _jobs.execute_on_pool(self.pool, samples, problems, limits)
