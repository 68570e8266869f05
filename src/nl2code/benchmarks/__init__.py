"""Benchmark loaders: one module per family, each returning immutable `Problem`s pinned by
version and content hash. `load(name, dataset=None)` is the entry point."""

from __future__ import annotations

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


def _humaneval(dataset):
    from nl2code.benchmarks import humaneval

    return humaneval.load(dataset)


def _mbpp(dataset):
    from nl2code.benchmarks import mbpp

    return mbpp.load_full(dataset)


def _mbpp_sanitized(dataset):
    from nl2code.benchmarks import mbpp

    return mbpp.load_sanitized(dataset)


def _mbpp_plus_767efcc(dataset, oracle=None):
    """MBPP+ pre-release (evalplus@767efcc, about v0.1.0): 399 problems"""
    from nl2code.benchmarks import mbpp_plus

    return mbpp_plus.load(dataset, oracle)


def _evalplus(benchmark: str) -> Callable:
    def load_release(dataset, oracle=None):
        from nl2code.benchmarks import evalplus

        return evalplus.load(benchmark, dataset, oracle)

    load_release.__doc__ = {
        "humaneval-plus": "HumanEval+ v0.1.10 (EvalPlus): HumanEval with about 760 inputs per problem, reference outputs as the oracle",
        "humaneval-plus-mini": "HumanEval+ Mini v0.1.10 (EvalPlus): a reduced input set of HumanEval+",
        "mbpp-plus": "MBPP+ v0.2.0 (EvalPlus): 378 MBPP problems with about 108 inputs each, reference outputs as the oracle",
    }[benchmark]
    return load_release


def _pandaseval(dataset):
    from nl2code.benchmarks import pycodegpt

    return pycodegpt.load("pandaseval", dataset)


def _numpyeval(dataset):
    from nl2code.benchmarks import pycodegpt

    return pycodegpt.load("numpyeval", dataset)


def _conala(name: str) -> Callable:
    def load_conala(dataset):
        from nl2code.benchmarks import conala

        return conala.load(name, dataset)

    return load_conala


def _securityeval(dataset):
    """SecurityEval: prompts that invite one CWE each; scored by static analysis (Bandit), not tests"""
    from nl2code.benchmarks import securityeval

    return securityeval.load(dataset)


def _odex(language: str) -> Callable:
    def load_language(dataset):
        from nl2code.benchmarks import odex

        return odex.load(language, dataset)

    load_language.__doc__ = f"ODEX ({language}): open-domain StackOverflow intents, many with third-party libraries"
    return load_language


def _mtpb(dataset):
    """MTPB: multi-turn problems (115 x 5 test cases), generated turn by turn"""
    from nl2code.benchmarks import mtpb

    return mtpb.load(dataset)


def _apps(dataset):
    """APPS: standard-input and call-based problems judged as APPS's harness judges them"""
    from nl2code.benchmarks import apps

    return apps.load(dataset)


def _code_contests(dataset):
    """CodeContests (AlphaCode): standard-input problems judged by its token comparison"""
    from nl2code.benchmarks import code_contests

    return code_contests.load(dataset)


def _infilling(subset: str) -> Callable:
    def load_subset(dataset):
        from nl2code.benchmarks import humaneval_infilling

        return humaneval_infilling.load(subset, dataset)

    load_subset.__doc__ = f"HumanEval-Infilling, {subset} (prefix + suffix; the model writes the middle)"
    return load_subset


def _torchdataeval(dataset):
    """TorchDataEval (APICoder): 50 torchdata DataPipe problems; needs nl2code[torchdata]"""
    from nl2code.benchmarks import pycodegpt

    return pycodegpt.load("torchdataeval", dataset)


def _monkeyeval(dataset):
    """MonkeyEval (APICoder): PandasEval with renamed APIs, run as pandas"""
    from nl2code.benchmarks import pycodegpt

    return pycodegpt.load("monkeyeval", dataset)


def _beatnumeval(dataset):
    """BeatNumEval (APICoder): NumpyEval with renamed APIs, run as numpy"""
    from nl2code.benchmarks import pycodegpt

    return pycodegpt.load("beatnumeval", dataset)


BENCHMARKS: dict[str, Callable] = {
    "humaneval": _humaneval,
    "mbpp": _mbpp,
    "mbpp-sanitized": _mbpp_sanitized,
    "mbpp-plus": _evalplus("mbpp-plus"),
    "humaneval-plus": _evalplus("humaneval-plus"),
    "humaneval-plus-mini": _evalplus("humaneval-plus-mini"),
    "pandaseval": _pandaseval,
    "numpyeval": _numpyeval,
    **{name: _conala(name) for name in ("conala", "mconala-es", "mconala-ja", "mconala-ru")},
    **{f"humaneval-infilling-{s}": _infilling(s) for s in ("single-line", "multi-line", "random-span", "random-span-light")},
    "securityeval": _securityeval,
    "mtpb": _mtpb,
    "apps": _apps,
    "code-contests": _code_contests,
    **{f"odex-{language}": _odex(language) for language in ("en", "es", "ja", "ru")},
    "torchdataeval": _torchdataeval,
    "monkeyeval": _monkeyeval,
    "beatnumeval": _beatnumeval,
}

# benchmarks without tests, scored by text match against the reference (nl2code.metrics.text):
# name -> the metrics computed by default
TEXT_SCORED: dict[str, tuple[str, ...]] = {
    name: ("conala-bleu", "bleu", "exact-match", "codebleu", "chrf", "rouge-l", "rouge-l-code", "edit-sim")
    for name in ("conala", "mconala-es", "mconala-ja", "mconala-ru")
}

# multilingual families: one loader per language, registered by name (benchmark -> loader)
def _family_loader(module: str, *args: str) -> Callable:
    def loader(dataset):
        import importlib

        return importlib.import_module(f"nl2code.benchmarks.{module}").load(*args, dataset)

    return loader


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


def _register_families() -> None:
    for family_name, members in FAMILIES.items():
        for name in members:
            suffix = name[len(family_name) + 1:]
            if family_name == "humaneval-x":
                BENCHMARKS[name] = _family_loader("humaneval_x", suffix)
            elif family_name == "multipl-e":
                BENCHMARKS[name] = _family_loader("multipl_e", suffix)
            else:
                BENCHMARKS[name] = _family_loader("mxeval", family_name, suffix)


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
    "mbpp-plus": {"0.1.0-767efcc": _mbpp_plus_767efcc},
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
