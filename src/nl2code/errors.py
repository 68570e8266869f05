"""The one exception tree of nl2code; every error a user can hit says how to fix it.

    NL2CodeError
    ├── InputError            bad user input: a samples file, a flag, a dataset path
    │   ├── SamplesFormatError    a samples file that cannot be read (names file and line)
    │   └── DatasetError          a benchmark data file that is missing or does not verify
    ├── ConfigError           settings that contradict each other or cannot be satisfied
    ├── StoreError            the results database cannot be opened or written
    ├── ExecutionError        the executor itself failed (never a sample's fault)
    └── MissingExtraError     an optional dependency is not installed (names the extra)
"""

from __future__ import annotations


class NL2CodeError(Exception):
    """Base of every error nl2code raises on purpose."""


class InputError(NL2CodeError):
    pass


class SamplesFormatError(InputError):
    def __init__(self, path: str, line: int | None, problem: str, fix: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}. {fix}")
        self.path = path
        self.line = line
        self.problem = problem
        self.fix = fix


class DatasetError(InputError):
    pass


class ConfigError(NL2CodeError):
    pass


class StoreError(NL2CodeError):
    pass


class ExecutionError(NL2CodeError):
    pass


class MissingExtraError(NL2CodeError):
    """`for_what`, where given, names what needs it (a flag and its value) at the start of the message."""

    def __init__(self, module: str, extra: str, for_what: str = "") -> None:
        super().__init__(
            (f"{for_what}: " if for_what else "") + f"the optional dependency {module!r} is not installed; "
            f"install it with: pip install 'nl2code[{extra}]'"
        )
        self.module = module
        self.extra = extra
