"""The multilingual benchmark loaders (HumanEval-X, MultiPL-E, MBXP, Multi-HumanEval, MathQA-X):
the real data files of shared/datasets, each benchmark's own program assembly, and clear errors."""

from __future__ import annotations

import gzip
import json
import logging

import pytest

from helpers import DATASETS
from nl2code import benchmarks
from nl2code.benchmarks import humaneval_x, multipl_e, mxeval
from nl2code.errors import DatasetError
from nl2code.records import StepKind


def dataset(name: str):
    family = benchmarks.family(name)
    suffix = name[len(family) + 1:]
    if family == "humaneval-x":
        return DATASETS / "humaneval-x" / f"humaneval_{suffix}.jsonl.gz"
    if family == "multipl-e":
        return DATASETS / "multipl-e" / f"{multipl_e.FILES[suffix][0]}.jsonl"
    directory = {"mbxp": "mbxp", "multi-humaneval": "multi-humaneval", "mathqa-x": "mathqa-x"}[family]
    return DATASETS / directory / mxeval.FAMILIES[family].files[suffix][0]


def load(name: str):
    return benchmarks.load(name, dataset(name))


# (benchmark, problems, language, problems with a reference solution): counts of the data README
COUNTS = [
    ("humaneval-x-cpp", 164, "cpp", 164), ("humaneval-x-go", 164, "go", 164), ("humaneval-x-java", 164, "java", 164),
    ("humaneval-x-js", 164, "js", 164), ("humaneval-x-python", 164, "python", 164), ("humaneval-x-rust", 164, "rust", 164),
    ("multipl-e-sh", 158, "sh", 0), ("multipl-e-go", 154, "go", 0), ("multipl-e-py", 164, "python-program", 164),
    ("multipl-e-rkt", 161, "rkt", 0),
    ("mbxp-python", 974, "python", 974), ("mbxp-typescript", 968, "ts", 967), ("mbxp-php", 966, "php", 950),
    ("mbxp-javascript", 966, "js", 938), ("mbxp-java", 966, "java", 874), ("mbxp-kotlin", 966, "kotlin", 796),
    ("mbxp-ruby", 966, "rb", 784), ("mbxp-cpp", 848, "cpp", 773), ("mbxp-csharp", 968, "cs", 725), ("mbxp-go", 939, "go", 0),
    ("multi-humaneval-go", 160, "go", 0), ("multi-humaneval-python", 164, "python", 164),
    ("mathqa-x-python", 1883, "python-program", 1883), ("mathqa-x-java", 1883, "java", 0),
]


@pytest.mark.parametrize(("name", "n", "language", "references"), COUNTS, ids=[c[0] for c in COUNTS])
def test_each_benchmark_loads_its_problems_with_their_language(name, n, language, references):
    bench = load(name)
    assert len(bench.problems) == n
    assert {p.language for p in bench.problems} == {language}
    assert sum(1 for p in bench.problems if p.reference) == references
    assert all(p.benchmark == name and p.test and p.prompt_is_code for p in bench.problems)


def test_every_family_member_is_registered_and_listed_once():
    for family, members in benchmarks.FAMILIES.items():
        for name in members:
            assert name in benchmarks.BENCHMARKS and benchmarks.family(name) == family
    assert len(benchmarks.FAMILIES["multipl-e"]) == 19 and len(benchmarks.FAMILIES["mbxp"]) == 13


def test_humaneval_x_go_drops_the_prompt_imports_and_imports_what_the_completion_uses():
    problem = load("humaneval-x-go").get("Go/0")
    assert problem.prompt.startswith('import (\n    "math"\n)')
    program = benchmarks.program(problem, "    return math.Abs(threshold) > 0\n}\n")
    assert program.startswith("package main\n")
    assert program.count('"math"') == 1 and 'import (\n"math"\n)' in program.replace("    ", "")
    # a completion that uses no package of CodeGeeX's list gets no import: Go rejects unused ones
    plain = benchmarks.program(problem, "    return false\n}\n")
    assert '"math"' not in plain and '"strings"' not in plain
    assert "func HasCloseElements" in plain and plain.index("package main") == 0
    assert problem.reference == benchmarks.program(problem, _record("go", "Go/0")["canonical_solution"])


def test_humaneval_x_cpp_puts_codegeex_headers_the_prompt_lacks_first():
    problem = load("humaneval-x-cpp").get("CPP/0")
    program = benchmarks.program(problem, "}")
    head = program[: program.index(problem.prompt)]
    assert "#include<algorithm>" in head and "#include<climits>" in head
    assert "#include<vector>" not in head  # the prompt includes it itself
    assert program.endswith(problem.prompt + "}")


def test_humaneval_x_rust_continues_the_declaration_after_an_empty_main():
    problem = load("humaneval-x-rust").get("Rust/0")
    record = _record("rust", "Rust/0")
    assert problem.prompt == record["prompt"] + record["declaration"]
    assert problem.reference.startswith(humaneval_x.RUST_MAIN) and problem.reference.endswith(record["canonical_solution"])
    assert "#[cfg(test)]" in problem.test


def test_humaneval_x_python_runs_the_step_protocol_without_the_trailing_check_call():
    problem = load("humaneval-x-python").get("Python/0")
    assert problem.test.rstrip().endswith("check(has_close_elements)")
    assert "check(" not in problem.test_prelude
    assert sum(1 for s in problem.steps if s.kind is StepKind.COMPARE and not s.example) == 7
    assert "import numpy as np" in problem.setup and "from typing import *" in problem.setup


def test_an_uncalled_javascript_test_function_is_detected_and_reported(tmp_path, caplog):
    assert humaneval_x.uncalled_test_functions("const testX = () => {\n  console.assert(f(1) === 2)\n}\ntestX()\n") == []
    assert humaneval_x.uncalled_test_functions("const testX = () => {\n  console.assert(f(1) === 2)\n}\n") == ["testX"]
    # the shared release calls every test function (CodeGeeX fixed #45's three); an older copy did not
    assert not [p.task_id for p in load("humaneval-x-js").problems if humaneval_x.uncalled_test_functions(p.test)]
    records = [json.loads(line) for line in gzip.open(dataset("humaneval-x-js"), "rt")]
    records[32]["test"] = records[32]["test"].rstrip().rsplit("\n", 1)[0] + "\n"  # drop `testfindZero()`
    old = tmp_path / "humaneval_js.jsonl.gz"
    with gzip.open(old, "wt") as f:
        f.writelines(json.dumps(r) + "\n" for r in records)
    with caplog.at_level(logging.WARNING):
        benchmarks.load("humaneval-x-js", old)
    assert "JavaScript/32: its test defines testfindZero but never calls it" in caplog.text


def test_multipl_e_problems_take_aliases_and_keep_prompt_and_tests_apart():
    bench = load("multipl-e-sh")
    problem = bench.get("HumanEval_23_strlen")
    assert bench.get("HumanEval/23") is problem and bench.get("23") is problem
    assert problem.entry_point == "strlen" and problem.prompt.endswith("strlen() {\n")
    assert problem.test.startswith("}\n") and not problem.reference
    assert benchmarks.program(problem, "  echo ${#1}\n") == problem.prompt + "  echo ${#1}\n"


def test_multipl_e_python_file_runs_as_a_whole_program_with_its_reference():
    problem = load("multipl-e-py").get("HumanEval_0_has_close_elements")
    assert problem.task_id == "Python/0" and problem.language == "python-program"
    assert problem.test.rstrip().endswith("check(has_close_elements)") and problem.reference.startswith(problem.prompt)


def test_multipl_e_dataset_takes_multipl_e_problem_format_as_a_json_list(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps([{"name": "HumanEval_1_one", "language": "lua", "prompt": "local function one()\n",
                                 "tests": "lu = require('luaunit')\n", "stop_tokens": ["\nend"]}]))
    bench = benchmarks.load("multipl-e-lua", path)
    assert [p.task_id for p in bench.problems] == ["HumanEval_1_one"] and bench.problems[0].entry_point == "one"


@pytest.mark.parametrize(("content", "message"), [
    ('{"name": "HumanEval_1_one", "language": "lua", "prompt": "x", "tests": "y"}\n{"name": "HumanEval_2_two", "language": "py", '
     '"prompt": "x", "tests": "y"}\n', "mine.jsonl:2: the problem's language is 'py', not 'lua'; pick --benchmark multipl-e-py"),
    ('{"name": "HumanEval_1_one", "language": "lua", "prompt": "x"}\n', "mine.jsonl:1: missing or non-string field(s) tests"),
    ('{"name": "HumanEval_1_one", "language": "lua", "prompt": "x", "tests": "y"}\n{oops\n', "mine.jsonl:2: not valid JSON"),
    ('{"name": "HumanEval_1_one", "prompt": "x", "tests": "y"}\n{"name": "HumanEval_1_one", "prompt": "x", "tests": "y"}\n',
     "mine.jsonl:2: problem 'HumanEval_1_one' appears twice"),
    ('{"name": "HumanEval_1_one", "prompt": "x", "tests": "y", "stop_tokens": "\\n}"}\n', "mine.jsonl:1: field stop_tokens is not a list of strings"),
])
def test_a_bad_multipl_e_problem_file_is_named_with_its_line(tmp_path, content, message):
    path = tmp_path / "mine.jsonl"
    path.write_text(content)
    with pytest.raises(DatasetError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        benchmarks.load("multipl-e-lua", path)


def test_mxeval_python_checks_become_steps_and_mathqa_runs_whole_with_mxevals_check_call():
    mbxp = load("mbxp-python").get("MBPP/1")
    assert mbxp.language == "python" and mbxp.n_tests == 3 and mbxp.reference == mbxp.prompt + _mbxp_record()["canonical_solution"]
    mathqa = load("mathqa-x-python").get("MathQA/0")
    assert mathqa.language == "python-program" and mathqa.test.rstrip().endswith("check(problem)")
    java = load("mbxp-java").get("MBJP/1") or load("mbxp-java").problems[0]
    assert java.language == "java" and "class Main" in java.test


def test_an_mxeval_file_of_another_language_is_refused_with_the_fix(tmp_path):
    with pytest.raises(DatasetError, match=r"record 1: the record's language is 'javascript', not 'typescript'"):
        benchmarks.load("mbxp-typescript", dataset("mbxp-javascript"))


def _record(suffix: str, task_id: str) -> dict:
    for line in gzip.open(dataset(f"humaneval-x-{suffix}"), "rt"):
        record = json.loads(line)
        if record["task_id"] == task_id:
            return record
    raise KeyError(task_id)


def _mbxp_record() -> dict:
    with open(dataset("mbxp-python")) as f:
        return json.loads(f.readline())


def test_multipl_e_stop_tokens_are_the_completion_stop_sequences():
    from nl2code.prompts import PromptStyle, build_prompt, template_for

    problem = load("multipl-e-rs").get("HumanEval_23_strlen")
    assert problem.stop == ("\n}",)
    assert build_prompt(problem, template_for(PromptStyle.COMPLETION)).stop == ("\n}",)
    go = load("multipl-e-go").problems[0]
    assert build_prompt(go, template_for(PromptStyle.COMPLETION)).stop == ("\nfunc", "struct", "\n// ")


def test_multipl_e_tests_that_never_call_their_test_function_are_reported(tmp_path, caplog):
    for code in ("js", "php", "pl", "r", "rkt", "sh", "ts"):  # the pinned files call every one
        bench = load(f"multipl-e-{code}")
        assert not [p.task_id for p in bench.problems if multipl_e.uncalled_test_functions(code, p.test)], code
    records = [json.loads(line) for line in open(dataset("multipl-e-rkt"))]
    head, _, tail = records[3]["tests"].rpartition("(test-humaneval)")  # the call, not the definition
    records[3]["tests"] = head + tail
    path = tmp_path / "rkt.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    with caplog.at_level(logging.WARNING):
        benchmarks.load("multipl-e-rkt", path)
    assert f"{records[3]['name']}: its tests define test-humaneval but never call it" in caplog.text
