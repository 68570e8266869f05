"""Benchmark loaders: one module per family, each returning immutable `Problem`s pinned by
version and content hash. `load(name, dataset=None)` is the entry point."""

from __future__ import annotations

import importlib
import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nl2code.benchmarks._oracle import Oracle
from nl2code.errors import InputError
from nl2code.records import Problem

__all__ = ["Benchmark", "BENCHMARKS", "FAMILIES", "family", "load", "names", "program", "TEXT_SCORED"]


@dataclass(frozen=True, slots=True)
class Benchmark:
    name: str
    version: str
    data_sha256: str
    source: str
    problems: tuple[Problem, ...]
    _index: dict = field(default_factory=dict, compare=False, repr=False)
    _by_id: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for problem in self.problems:
            self._index[problem.task_id] = problem
            self._by_id[problem.task_id] = problem
        for problem in self.problems:
            for alias in problem.aliases:
                self._index.setdefault(alias, problem)

    def get(self, task_id: object) -> Problem | None:
        """Find a problem by its task id or an alias (MBPP: 2, "2" or "Mbpp/2")."""
        return self._index.get(str(task_id))

    @property
    def by_id(self) -> dict[str, Problem]:
        """Problems by task id (built once; do not modify)."""
        return self._by_id


def _lazy(module: str, function: str, *args: str, doc: str | None = None) -> Callable:
    """A loader calling nl2code.benchmarks.MODULE.FUNCTION(*args, dataset), importing the module
    only when a benchmark is loaded: optional dependencies load with the benchmark that needs them."""
    def loader(dataset):
        return getattr(importlib.import_module(f"nl2code.benchmarks.{module}"), function)(*args, dataset)

    loader.__doc__ = doc
    return loader


def _lazy_with_oracle(module: str, function: str, *args: str, doc: str | None = None) -> Callable:
    """As `_lazy`, for loaders whose expected outputs come from running reference solutions: the
    oracle that runs them (`load` passes it to loaders that take one) is passed on."""
    def loader(dataset, oracle=None):
        return getattr(importlib.import_module(f"nl2code.benchmarks.{module}"), function)(*args, dataset, oracle)

    loader.__doc__ = doc
    return loader


CONALA = ("conala", "mconala-es", "mconala-ja", "mconala-ru")
EVALPLUS = {
    "mbpp-plus": "MBPP+ v0.2.0 (EvalPlus): 378 MBPP problems with about 108 inputs each, reference outputs as the oracle",
    "humaneval-plus": "HumanEval+ v0.1.10 (EvalPlus): HumanEval with about 760 inputs per problem, reference outputs as the oracle",
    "humaneval-plus-mini": "HumanEval+ Mini v0.1.10 (EvalPlus): a reduced input set of HumanEval+",
}

BENCHMARKS: dict[str, Callable] = {
    "humaneval": _lazy("humaneval", "load"),
    "mbpp": _lazy("mbpp", "load_full"),
    "mbpp-sanitized": _lazy("mbpp", "load_sanitized"),
    **{name: _lazy_with_oracle("evalplus", "load", name, doc=doc) for name, doc in EVALPLUS.items()},
    "pandaseval": _lazy("pycodegpt", "load", "pandaseval"),
    "numpyeval": _lazy("pycodegpt", "load", "numpyeval"),
    **{name: _lazy("conala", "load", name) for name in CONALA},
    **{f"humaneval-infilling-{s}": _lazy("humaneval_infilling", "load", s, doc=f"HumanEval-Infilling, {s} (prefix + suffix; the model writes the middle)")
       for s in ("single-line", "multi-line", "random-span", "random-span-light")},
    "securityeval": _lazy("securityeval", "load", doc="SecurityEval: prompts that invite one CWE each; scored by static analysis (Bandit), not tests"),
    "mtpb": _lazy("mtpb", "load", doc="MTPB: multi-turn problems (115 x 5 test cases), generated turn by turn"),
    "apps": _lazy("apps", "load", doc="APPS: standard-input and call-based problems judged as APPS's harness judges them"),
    "code-contests": _lazy("code_contests", "load", doc="CodeContests (AlphaCode): standard-input problems judged by its token comparison"),
    **{f"odex-{language}": _lazy("odex", "load", language, doc=f"ODEX ({language}): open-domain StackOverflow intents, many with third-party libraries")
       for language in ("en", "es", "ja", "ru")},
    "torchdataeval": _lazy("pycodegpt", "load", "torchdataeval", doc="TorchDataEval (APICoder): 50 torchdata DataPipe problems; needs nl2code[torchdata]"),
    "monkeyeval": _lazy("pycodegpt", "load", "monkeyeval", doc="MonkeyEval (APICoder): PandasEval with renamed APIs, run as pandas"),
    "beatnumeval": _lazy("pycodegpt", "load", "beatnumeval", doc="BeatNumEval (APICoder): NumpyEval with renamed APIs, run as numpy"),
}

# benchmarks without tests, scored by text match against the reference (nl2code.metrics.text):
# name -> the metrics computed by default
TEXT_SCORED: dict[str, tuple[str, ...]] = {
    name: ("conala-bleu", "bleu", "exact-match", "codebleu", "chrf", "rouge-l", "rouge-l-code", "edit-sim")
    for name in CONALA
}

# multilingual families: one benchmark per language, registered by name
FAMILIES: dict[str, tuple[str, ...]] = {
    "humaneval-x": tuple(f"humaneval-x-{s}" for s in ("cpp", "go", "java", "js", "python", "rust")),
    "multipl-e": tuple(f"multipl-e-{c}" for c in ("cpp", "cs", "d", "go", "java", "jl", "js", "lua", "php", "pl", "py", "r", "rb",
                                                   "rkt", "rs", "scala", "sh", "swift", "ts")),
    "mbxp": tuple(f"mbxp-{l}" for l in ("python", "java", "javascript", "typescript", "kotlin", "ruby", "php", "cpp", "csharp", "go",
                                         "perl", "scala", "swift")),
    "multi-humaneval": tuple(f"multi-humaneval-{l}" for l in ("python", "csharp", "go", "java", "javascript", "kotlin", "perl", "php",
                                                               "ruby", "scala", "swift", "typescript")),
    "mathqa-x": tuple(f"mathqa-x-{l}" for l in ("python", "java", "javascript")),
}
# family -> (module, leading loader arguments); the language follows them, then the dataset
FAMILY_LOADERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "humaneval-x": ("humaneval_x", ()), "multipl-e": ("multipl_e", ()),
    "mbxp": ("mxeval", ("mbxp",)), "multi-humaneval": ("mxeval", ("multi-humaneval",)), "mathqa-x": ("mxeval", ("mathqa-x",)),
}


def _register_families() -> None:
    for family_name, members in FAMILIES.items():
        module, args = FAMILY_LOADERS[family_name]
        BENCHMARKS.update({name: _lazy(module, "load", *args, name[len(family_name) + 1:]) for name in members})


_register_families()


def family(name: str) -> str:
    """The family a benchmark belongs to ("humaneval-x" for "humaneval-x-cpp"); else its name."""
    return next((f for f, members in FAMILIES.items() if name in members), name)


def program(problem: Problem, completion: str) -> str:
    """The program a completion makes with its problem's prompt, assembled as the benchmark's own
    evaluator does (HumanEval-X: headers, Go imports, Rust's main); the tests are appended later
    by the language's module (Python: the step protocol)."""
    if family(problem.benchmark) == "humaneval-x" and problem.language != "python":
        from nl2code.benchmarks import humaneval_x

        return humaneval_x.program(problem, completion)
    return problem.prompt + completion + problem.suffix  # infilling: the completion is the middle


# benchmarks without tests, scored from the samples' text by a static analyser (never executed)
STATIC_SCORED: dict[str, str] = {"securityeval": "bandit"}

# modules a benchmark's tests need, imported by each worker before it forks samples
PREIMPORTS: dict[str, tuple[str, ...]] = {"pandaseval": ("numpy", "pandas"), "numpyeval": ("numpy", "pandas")}
PREIMPORTS.update({"monkeyeval": ("numpy", "pandas"), "beatnumeval": ("numpy", "pandas"), "torchdataeval": ("torch", "torchdata.datapipes")})

# Other releases of a benchmark, selected as NAME@VERSION; NAME alone is the current release.
# Runs keep the release they were made with (benchmark name and version are stored with each).
VERSIONS: dict[str, dict[str, Callable]] = {
    "mbpp-plus": {"0.1.0-767efcc": _lazy_with_oracle("mbpp_plus", "load", doc="MBPP+ pre-release (evalplus@767efcc, about v0.1.0): 399 problems")},
}
CURRENT_VERSIONS: dict[str, str] = {"mbpp-plus": "0.2.0", "humaneval-plus": "0.1.10", "humaneval-plus-mini": "0.1.10"}

_cache: dict[tuple[str, str | None], Benchmark] = {}


def names() -> list[str]:
    """Benchmark names, then NAME@VERSION for every selectable release."""
    versioned = [f"{n}@{v}" for n, v in CURRENT_VERSIONS.items()] + [f"{n}@{v}" for n, vs in VERSIONS.items() for v in vs]
    return list(BENCHMARKS) + versioned


def _loader(name: str) -> tuple[str, Callable]:
    """(benchmark name, loader) for NAME or NAME@VERSION."""
    base, _, version = name.partition("@")
    if base in BENCHMARKS and (not version or version == CURRENT_VERSIONS.get(base)):
        return base, BENCHMARKS[base]
    if version and version in VERSIONS.get(base, {}):
        return base, VERSIONS[base][version]
    if base in BENCHMARKS and version:
        known = [CURRENT_VERSIONS.get(base, "")] + list(VERSIONS.get(base, {}))
        raise InputError(f"{base} has no version {version!r} (--benchmark {name}); choose one of: {', '.join(f'{base}@{v}' for v in known if v)}")
    raise InputError(f"unknown benchmark {name!r} (--benchmark); choose one of: {', '.join(BENCHMARKS)}")


def load(name: str, dataset: str | os.PathLike | None = None, oracle: Oracle | None = None) -> Benchmark:
    """Load a benchmark. Benchmarks whose expected outputs come from running reference solutions
    (MBPP+) need `oracle` the first time on a machine: `nl2code.pipeline.load_benchmark` gives it."""
    base, loader = _loader(name)
    key = (f"{base}:{id(loader)}", str(Path(dataset).resolve()) if dataset else None)
    if key not in _cache:
        takes_oracle = "oracle" in inspect.signature(loader).parameters
        version, digest, path, problems = loader(dataset, oracle=oracle) if takes_oracle else loader(dataset)
        _cache[key] = Benchmark(base, version, digest, str(path), tuple(problems))
    return _cache[key]
