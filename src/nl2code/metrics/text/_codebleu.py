"""CodeBLEU (Ren et al. 2020) through the PyPI `codebleu` package, deterministic, optionally fixed.

Determinism: the package builds data-flow edges by iterating Python sets of variable names, so its
data-flow score (and CodeBLEU) changes with the interpreter's string-hash seed. nl2code runs the
package in a child interpreter started with PYTHONHASHSEED=0: the same inputs give the same value
in every run and on every machine of the same word size. The child only parses the texts.

Default (`codebleu`): the package's `calc_codebleu` value for the language, unchanged.
Fixed (`fixed=True`, CLI `--codebleu-fixed`): see FIXES; the n-gram and syntax components are the
package's own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from nl2code.errors import InputError, MissingExtraError, NL2CodeError

from ._libs import EXTRA, library, require

HASH_SEED = "0"
WEIGHTS = (0.25, 0.25, 0.25, 0.25)
LANGUAGES = ("python", "java", "javascript", "c_sharp", "c", "cpp", "php", "go", "ruby", "rust")
ALIASES = {"py": "python", "js": "javascript", "csharp": "c_sharp", "c#": "c_sharp", "cs": "c_sharp", "c++": "cpp", "rs": "rust", "rb": "ruby"}
# the tree-sitter grammar each language needs (python and java come with the extra)
GRAMMARS = {"python": "tree_sitter_python", "java": "tree_sitter_java", "javascript": "tree_sitter_javascript",
            "c_sharp": "tree_sitter_c_sharp", "c": "tree_sitter_c", "cpp": "tree_sitter_cpp", "php": "tree_sitter_php",
            "go": "tree_sitter_go", "ruby": "tree_sitter_ruby", "rust": "tree_sitter_rust"}
FIXES = (
    "a data-flow score of 0 stays 0 (the package's `dataflow_match_score or 1` turns it into 1, codebleu#59)",
    "when no reference has a data-flow edge (short snippets; every Rust text, codebleu#84) the data-flow "
    "component is left out and the other weights renormalised, instead of counting it as 1",
    "the weighted n-gram match uses clipped n-gram precision as the paper's eq. (2) defines it; the "
    "package (like CodeXGLUE's script, CodeXGLUE#191) divides by the reference's n-grams (recall)",
)


def language(name: str) -> str:
    """The package's name of a language (python, java, c_sharp, ...), from it or a common alias."""
    lang = ALIASES.get(name.lower(), name.lower())
    if lang not in LANGUAGES:
        raise InputError(f"--lang {name!r}: CodeBLEU knows {', '.join(LANGUAGES)}")
    return lang


@dataclass(frozen=True, slots=True)
class CodeBleuResult:
    corpus: dict | None  # codebleu and its four components, 0-1, None for an empty corpus
    samples: list[float]  # per pair, 0-1 (empty unless asked for)


def compute(predictions: Sequence[str], references: Sequence[str], lang: str = "python", *,
            fixed: bool = False, per_sample: bool = False) -> CodeBleuResult:
    """CodeBLEU of the corpus, and of each pair when per_sample (each pair as a corpus of one)."""
    lang = language(lang)
    require("codebleu")
    require("tree_sitter", "tree-sitter")
    try:
        __import__(GRAMMARS[lang])
    except ImportError as exc:
        if lang in ("python", "java"):
            raise MissingExtraError(GRAMMARS[lang].replace("_", "-"), EXTRA) from exc
        raise MissingExtraError(GRAMMARS[lang].replace("_", "-") + "==0.21.* (not part of the extra)", EXTRA) from exc
    request = {"predictions": list(predictions), "references": list(references), "lang": lang, "fixed": fixed,
               "per_sample": per_sample, "weights": list(WEIGHTS)}
    env = {**os.environ, "PYTHONHASHSEED": HASH_SEED}
    done = subprocess.run([sys.executable, "-m", "nl2code.metrics.text._codebleu_child"], input=json.dumps(request),
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise NL2CodeError(f"codebleu failed ({library('codebleu')}, {library('tree-sitter')}): {done.stderr.strip()[-2000:]}")
    answer = json.loads(done.stdout)
    return CodeBleuResult(answer["corpus"], answer["samples"])
