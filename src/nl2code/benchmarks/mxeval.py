"""The mxeval benchmarks (Athiwaratkun et al. 2023, "Multi-lingual Evaluation of Code Generation
Models"), from amazon-science/mxeval: MBXP (MBPP in 13 languages), Multi-HumanEval (HumanEval in
12) and MathQA-X (MathQA in Python, Java, JavaScript).

All three share one record shape (task_id, language, prompt, test, entry_point, description,
canonical_solution) and mxeval's assembly: the program is the prompt, the completion and the
test code, run as one program. A reference solution exists where `canonical_solution` is a
string (see the data README for the counts per language); elsewhere `Problem.reference` is "".

Python problems whose test is a `check(candidate)` function run through the fork-server's step
protocol like HumanEval (mxeval appends `check(entry_point)` and runs the file; the verdicts
agree); MathQA-X's Python tests assert at module level, so they run as a whole program
(`python-program`), with the `check(entry_point)` call mxeval appends.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path

from nl2code.benchmarks._data import DataFile, read_jsonl, resolve
from nl2code.benchmarks._problem_cache import cached_problems
from nl2code.benchmarks._steps import prompt_examples, split_check_function
from nl2code.benchmarks.humaneval_x import comment_text
from nl2code.errors import DatasetError
from nl2code.records import Problem

log = logging.getLogger(__name__)

VERSION = "e09974f9"
_BASE = "https://raw.githubusercontent.com/amazon-science/mxeval/e09974f9/data"


@dataclasses.dataclass(frozen=True)
class Family:
    name: str  # benchmark name prefix
    directory: str  # under mxeval's data/
    files: dict[str, tuple[str, str]]  # mxeval language name -> (file name, sha256)


MBXP = Family("mbxp", "mbxp", {
    "python": ("mbpp_release_v1.jsonl", "2ea7949f20ed5ecaacf4c9970d29430ec3f13772f4dd379665b1234f14b0ec3e"),
    "java": ("mbjp_release_v1.2.jsonl", "139a0fcdff2f4c6d456c546c82f43a1f389dfe3125f5f2c3f6a12f478483dffd"),
    "javascript": ("mbjsp_release_v1.2.jsonl", "9e443a1911bcedd8b5193f43d3217666fbf669cd00d54265941a8eb17e396f5a"),
    "typescript": ("mbtsp_release_v1.2.jsonl", "7c4fbf66cd8189d5f3f6a78ce201782571d083a1d89ee3730c0235317d44d769"),
    "kotlin": ("mbkp_release_v1.2.jsonl", "54969bac04fddaad74f78b7aa591348d3f010af2b2325f3db0e5a4f9b9154367"),
    "ruby": ("mbrbp_release_v1.2.jsonl", "fe8c043b7d56f5d122c6aaf24e1dcb78816175a0687a73c03873043a6349b85d"),
    "php": ("mbphp_release_v1.2.jsonl", "aec706039e49bc1bd1c9aaf4cf4815a34777b8387bdc59c1b274312071f3a605"),
    "cpp": ("mbcpp_release_v1.2.jsonl", "34a842515927e230eb2bd6e409a44c80a852b0afcbe1172786bd08cfef8b85b0"),
    "csharp": ("mbcsp_release_v1.2.jsonl", "e11db33a6c5582a5c8d548ef75a23f0307540a765f889dcd2b7d13e99ea538e4"),
    "go": ("mbgp_release_v1.1.jsonl", "90f519222a4c45bdbed8309076433d2f573c6f37329a848581fa789839b67da8"),
    "perl": ("mbplp_release_v1.jsonl", "1293f40e442bda81f1d39ab3769ab8136dfc823f7b41420294c1a1d3bf1d2b2f"),
    "scala": ("mbscp_release_v1.jsonl", "e690daa347855a0da4fcd0652894b1db4e6a561c24e9824c40c629158ed94bec"),
    "swift": ("mbswp_release_v1.jsonl", "b390ee15df6170386e5f5771f227ef4df3ea7eb994b09d39ecec888e77daefc9"),
})
MULTI_HUMANEVAL = Family("multi-humaneval", "multilingual_humaneval", {
    "python": ("HumanEval.jsonl", "ee8ed1495a18a21d3c285c031d38940e3208f1616dc386a32a8d28e968fe94d8"),
    "csharp": ("HumanEval_csharp_v1.jsonl", "fd8b4981c4ae4daadbe06f082cf0ef91b060851bf715faa461d0db23d20a2364"),
    "go": ("HumanEval_go_v1.jsonl", "b3797a20b951627d67dec749cc1954e4a151cf0096d1649f96d62597a76a47af"),
    "java": ("HumanEval_java_v1.1.jsonl", "2373bd083b7be445a5273add8a932e0fea3d1e3c1a59d55beba369e90e5d0d02"),
    "javascript": ("HumanEval_javascript_v1.1.jsonl", "cbd4421a18387fcf791a047e2904e1ff8287b11fede50a7fb5e3cd3814cb1653"),
    "kotlin": ("HumanEval_kotlin_v1.1.jsonl", "1324d829effc94e0cb603be8833537f00b5597fcd152fe2d06b623e622feb458"),
    "perl": ("HumanEval_perl_v1.1.jsonl", "2d084582af233b5a0eeac1670c9e577915f61852dc974348e87f39425b031981"),
    "php": ("HumanEval_php_v1.1.jsonl", "f1ef51aec5418c01bef60177ea3e3c907bcf55528c77e33a1ebbe83f739a67f5"),
    "ruby": ("HumanEval_ruby_v1.1.jsonl", "08562903613e277d36eb4d3d793c90ce2191ac9ccac96f1ff31d1550134be880"),
    "scala": ("HumanEval_scala_v1.1.jsonl", "8fcd9ab950dfcd293d1acfd1d26f31b84e554926765a22c1375c6a0ffa82413b"),
    "swift": ("HumanEval_swift_v1.1.jsonl", "b0de1f4a223d9830c9ffc34eb313aa0a54d5565a6b71b2f88cab67f6db8ccfe0"),
    "typescript": ("HumanEval_typescript_v1.jsonl", "6039fe3b75bd1670702bab22ebb21b8c29ac29fa91211d7d9e59b13ae581b7a7"),
})
MATHQA_X = Family("mathqa-x", "multilingual_mathqa", {
    "python": ("mathqa-test-python_v1.jsonl", "565e76aeb19a0610457758d58181e536c0371fccd1d41e44dd359cce071cd1cf"),
    "java": ("mathqa-test-java_v1.jsonl", "cf4151e90224bf513ca2b6a4759b6254c9ba960099c906d315e0030cc24dcb60"),
    "javascript": ("mathqa-test-javascript_v1.jsonl", "5307976e88126cecb7f87089cadf3c0a833a784e43bd3186d571668a87b4e4df"),
})
FAMILIES = {f.name: f for f in (MBXP, MULTI_HUMANEVAL, MATHQA_X)}

# mxeval's language names -> the nl2code language a problem runs as (codes of MultiPL-E where
# the two projects name a language differently; the registry knows both as aliases)
RUN_AS = {"javascript": "js", "typescript": "ts", "ruby": "rb", "perl": "pl", "csharp": "cs"}


def data_file(family: Family, language: str) -> DataFile:
    filename, digest = family.files[language]
    return DataFile(filename, f"{_BASE}/{family.directory}/{filename}", digest)


def load(family_name: str, language: str, dataset: str | os.PathLike | None = None) -> tuple[str, str, Path, list[Problem]]:
    family = FAMILIES[family_name]
    name = f"{family.name}-{language}"
    path, digest = resolve(data_file(family, language), dataset)
    return VERSION, digest, path, cached_problems(name, path, digest, lambda: parse(name, language, path, digest), log)


def parse(name: str, language: str, path: Path, digest: str) -> tuple[list[Problem], list[str]]:
    problems: list[Problem] = []
    for number, record in enumerate(read_jsonl(path), 1):
        try:
            if record.get("language", language) != language:
                raise ValueError(f"the record's language is {record.get('language')!r}, not {language!r}; pick the benchmark of that language")
            problems.append(_problem(name, language, digest, record))
        except (KeyError, SyntaxError, ValueError, TypeError, AttributeError) as exc:
            raise DatasetError(f"{path}: record {number}: {exc}; pass an unmodified mxeval data file ({path.name})") from exc
    return problems, []


def _problem(name: str, language: str, digest: str, record: dict) -> Problem:
    task_id, prompt, test, entry_point = record["task_id"], record["prompt"], record["test"], record["entry_point"]
    solution = record.get("canonical_solution")
    reference = prompt + solution if isinstance(solution, str) else ""
    common = dict(benchmark=name, version=VERSION, data_sha256=digest, task_id=task_id, prompt=prompt, entry_point=entry_point,
                  reference=reference, description=record.get("description") or comment_text(prompt), prompt_is_code=True,
                  aliases=(task_id.split("/")[-1],))
    if language == "python":
        try:
            prelude, steps = split_check_function(test)
        except ValueError:
            steps = ()
        if any(s.kind.value != "statement" for s in steps):
            return Problem(test=test, test_prelude=prelude, steps=steps + prompt_examples(prompt, entry_point), language="python", **common)
        # tests that assert at module level (MathQA-X): the whole file, as mxeval runs it
        return Problem(test=f"{test}\ncheck({entry_point})\n", language="python-program", **common)
    return Problem(test=test, language=RUN_AS.get(language, language), **common)
