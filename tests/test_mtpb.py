"""MTPB: multi-turn problems judged by MTPB's own check, and generation turn by turn against the
loopback server."""

from __future__ import annotations

import json

import pytest

from helpers import DATASETS, cli
from llm_server import LLMServer
from nl2code import benchmarks
from nl2code.execution import run_samples
from nl2code.execution._verdicts import mtpb_equivalent
from nl2code.prompts._multiturn import MTPB_TEMPLATE, truncate_turn
from nl2code.records import Sample, Status

DATA = DATASETS / "mtpb" / "mtpb.jsonl"

# code for each turn of MTPB problem 1 (my_string; lower; distinct characters; sort; print)
ONE = ['my_string = "{A}"\n', "my_string = my_string.lower()\n", "chars = set(my_string)\n",
       "chars = sorted(chars)\n", "print(chars)\n"]


def bench():
    return benchmarks.load("mtpb", DATA)


def program_for(task_id: str, codes: list[str]) -> str:
    problem = bench().get(task_id)
    return MTPB_TEMPLATE.history(problem.turns, codes)


def filled(task_id: str, codes: list[str]) -> list[str]:
    inputs = json.loads(DATA.read_text().splitlines()[0])["inputs"][int(task_id.rsplit("/", 1)[1])]
    return [c.replace("{A}", inputs["A"]) for c in codes]


def test_each_problem_carries_its_max_gen_length_and_codegen_s_default_where_it_has_none():
    from nl2code.backends import SamplingParams
    from nl2code.generation import GenerationConfig, problem_params

    assert bench().get("MTPB/1/0").max_new_tokens == 128
    assert bench().get("MTPB/39/0").max_new_tokens == 256  # no max_gen_length in the record
    config = GenerationConfig(params=SamplingParams(temperature=0.2, max_tokens=700))
    assert problem_params(bench().get("MTPB/1/3"), config) == SamplingParams(temperature=0.2, max_tokens=128)


def test_mtpb_has_115_problems_of_5_test_cases_with_their_turns_filled_in():
    b = bench()
    assert len(b.problems) == 575 and len({t.task_id.rsplit("/", 1)[0] for t in b.problems}) == 115
    problem = b.get("MTPB/1/3")
    assert problem.turns[0] == 'Assign the string "Jerry jERRY JeRRRY" to a variable named "my_string".'
    assert problem.steps[0].expected == [" ", "e", "j", "r", "y"] and problem.n_tests == 1 and problem.reference == ""


def test_a_correct_program_passes_each_test_case_and_a_wrong_one_fails():
    b = bench()
    samples = [Sample(f"MTPB/1/{k}", 0, k, program_for(f"MTPB/1/{k}", filled(f"MTPB/1/{k}", ONE))) for k in range(5)]
    wrong = ONE[:2] + ["chars = list(my_string)\n"] + ONE[3:]  # duplicates kept
    samples.append(Sample("MTPB/1/2", 1, 5, program_for("MTPB/1/2", filled("MTPB/1/2", wrong))))
    executions = run_samples(b.by_id, samples)
    assert [e.status for e in executions] == [Status.PASSED] * 5 + [Status.FAILED]


def test_the_last_expression_is_printed_when_the_program_does_not_print_it():
    b = bench()
    codes = filled("MTPB/1/0", ONE[:4]) + ["chars\n"]
    assignment = filled("MTPB/1/0", ONE[:4]) + ["result = chars\n"]  # MTPB prints an assignment's value too
    no_value = filled("MTPB/1/0", ONE[:4]) + ["for c in chars:\n    pass\n"]
    executions = run_samples(b.by_id, [Sample("MTPB/1/0", i, i, program_for("MTPB/1/0", c)) for i, c in enumerate([codes, assignment, no_value])])
    assert [e.status for e in executions] == [Status.PASSED, Status.PASSED, Status.FAILED]
    assert "IndexError" in executions[2].error  # nothing was printed


def test_numpy_values_and_a_pandas_series_are_judged_as_mtpb_converts_them():
    b = bench()
    problem = b.get("MTPB/1/0")
    as_array = filled("MTPB/1/0", ONE[:4]) + ["print(np.array(chars))\n"]
    executions = run_samples(b.by_id, [Sample(problem.task_id, 0, 0, program_for(problem.task_id, as_array))])
    assert executions[0].status is Status.PASSED
    assert mtpb_equivalent(("series", [1.0, 2.0000001]), [1, 2]) and not mtpb_equivalent(("series", [1.0, 2.1]), [1, 2])


@pytest.mark.parametrize("value, expected, same", [
    ("10", 10, True),  # cast to the expected type first
    (10.0000001, 10.0, True), (10.1, 10.0, False),
    (1, True, False), ("True", True, True),  # compared as strings when a bool is expected
    ((1, 2), [1, 2], True),
    ({"a": 1}, {"a": 1}, False), (None, None, False),  # MTPB's check raises on these types: never equal
    ("abc", ["a", "b", "c"], True),
])
def test_mtpb_equivalence_follows_its_own_check(value, expected, same):
    assert mtpb_equivalent(("value", value), expected) is same


def test_turns_are_cut_where_codegen_cuts_them():
    assert truncate_turn('x = 1\nprint(x)\nprint(2)\n') == "x = 1\nprint(x)\n"
    assert truncate_turn("y = 2\n# next step\nz = 3") == "y = 2\n"
    assert truncate_turn("a = 1\n\n\n\nb = 2") == "a = 1"
    assert truncate_turn("def f():\n    return 1\ndef g():\n    pass") == "def f():\n    return 1\n"


def test_run_generates_turn_by_turn_with_earlier_turns_in_context_and_reports_the_pass_rate(tmp_path):
    turns = {t: c for t, c in zip(bench().get("MTPB/1/0").turns[1:], ONE[1:])}

    def answer(body):
        last = body["prompt"].rstrip("\n").splitlines()[-1][2:]  # the turn just asked: "# <prompt>"
        if last.startswith("Assign the string"):
            return 'my_string = "' + last.split('"')[1] + '"\n# the model goes on\nx = 1'
        return turns[last]

    with LLMServer(answer=answer) as server:
        tasks = [arg for k in range(5) for arg in ("--task", f"MTPB/1/{k}")]
        result = cli("run", "-b", "mtpb", "--dataset", str(DATA), "-m", "canned", "--base-url", server.url, *tasks, "--max-tokens", "300",
                     "--db", str(tmp_path / "r.db"), "-o", str(tmp_path / "s.jsonl"), "--json", str(tmp_path / "summary.json"), "-q")
    assert result.returncode == 0, result.stderr
    assert len(server.served) == 25  # 5 test cases x 5 turns
    # every turn gets problem 1's max_gen_length of new tokens, as CodeGen's sampler gives it, not --max-tokens
    assert {b["max_tokens"] for b in server.served} == {128}
    third = next(b["prompt"] for b in server.served if '"abcde"' in b["prompt"] and b["prompt"].endswith("chars\".\n"))
    assert third.startswith("# Import libraries.\n\nimport numpy as np\n\n# Assign the string \"abcde\"")
    assert 'my_string = "abcde"\n\n\n# Lowercase the given string "my_string".\nmy_string = my_string.lower()\n\n\n# Assign the distinct' in third
    assert "x = 1" not in third  # the first answer was cut at its comment line
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["pass_rate"] == 1.0 and summary["pass_rate_per_problem"] == {"MTPB/1": 1.0}
    rerun = cli("run", "-b", "mtpb", "--dataset", str(DATA), "-m", "canned", "--base-url", "http://127.0.0.1:9/v1", *tasks, "--max-tokens", "300",
                "--db", str(tmp_path / "r.db"), "-o", str(tmp_path / "s2.jsonl"), "-q")
    assert rerun.returncode == 0, rerun.stderr  # every sample from the cache: no request to the (absent) server


def test_selfcheck_says_mtpb_publishes_no_reference_solutions(tmp_path):
    result = cli("selfcheck", "mtpb", "--dataset", str(DATA), "--db", str(tmp_path / "r.db"), "-q")
    assert result.returncode == 2  # nothing to check: a usage error, as for any benchmark without references
    assert "575 of 575 problems have no reference solution" in " ".join(result.stdout.split())
    assert "mtpb has no reference solutions to check" in result.stderr
