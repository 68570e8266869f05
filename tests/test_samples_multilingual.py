"""Sample formats of the multilingual harnesses: CodeGeeX's HumanEval-X generation files (read
gzipped), MultiPL-E completion files (one file, or a directory) and its results files, bigcode
`multiple-*` generations."""

from __future__ import annotations

import gzip
import json

import pytest

from helpers import DATASETS, cli
from nl2code import benchmarks
from nl2code.errors import SamplesFormatError
from nl2code.records import Execution, Status
from nl2code.samples import BIGCODE, CODEGEEX, HUMANEVAL, MULTIPL_E, codegeex_python_body, read_samples, write_multipl_e_results

GENERATIONS = DATASETS.parent / "samples" / "codegeex_reference_generations"


def bench(name):
    files = {"humaneval-x-python": DATASETS / "humaneval-x" / "humaneval_python.jsonl.gz",
             "humaneval-x-rust": DATASETS / "humaneval-x" / "humaneval_rust.jsonl.gz",
             "humaneval-x-go": DATASETS / "humaneval-x" / "humaneval_go.jsonl.gz",
             "multipl-e-sh": DATASETS / "multipl-e" / "humaneval-sh.jsonl",
             "multipl-e-lua": DATASETS / "multipl-e" / "humaneval-lua.jsonl"}
    return benchmarks.load(name, files[name])


@pytest.mark.parametrize("language", ["python", "rust"])
def test_codegeex_generation_files_are_read_gzipped_and_rebuild_the_reference_programs(language):
    """The shared files hold the canonical solutions in CodeGeeX's format: each program must be
    exactly the reference program the loader assembles (CodeGeeX's own rules on both sides)."""
    b = bench(f"humaneval-x-{language}")
    f = read_samples(GENERATIONS / f"humaneval_{language}_generations.jsonl.gz", b)
    assert f.format == CODEGEEX and len(f.samples) == 164 and f.problems_present == 164
    by_id = b.by_id
    assert [s.program for s in f.samples] == [by_id[s.task_id].reference for s in f.samples]


def test_codegeex_python_generations_stop_at_the_first_unindented_line(tmp_path):
    assert codegeex_python_body("    return 1\n\ndef other():\n    pass\n") == "    return 1\n"
    path = tmp_path / "gen.jsonl"
    path.write_text(json.dumps({"task_id": "Python/0", "generation": "    return False\nprint('debris')\n"}) + "\n")
    f = read_samples(path, bench("humaneval-x-python"))
    assert f.samples[0].program == bench("humaneval-x-python").get("Python/0").prompt + "    return False"


def test_human_eval_jsonl_for_humaneval_x_go_gets_codegeex_assembly(tmp_path):
    path = tmp_path / "s.jsonl.gz"
    with gzip.open(path, "wt") as f:
        f.write(json.dumps({"task_id": "Go/0", "completion": "    return strings.Contains(\"a\", \"b\")\n}\n"}) + "\n")
    s = read_samples(path, bench("humaneval-x-go"))
    assert s.format == HUMANEVAL
    assert s.samples[0].program.startswith("package main") and '"strings"' in s.samples[0].program


def _multipl_e_file(path, problem, completions, **extra):
    record = {"name": problem.task_id, "language": "sh", "prompt": problem.prompt, "tests": problem.test,
              "stop_tokens": ["\n}"], "temperature": 0.2, "completions": completions, **extra}
    with gzip.open(path, "wt") as f:
        json.dump(record, f)
    return path


def test_multipl_e_completion_file_and_directory(tmp_path):
    b = bench("multipl-e-sh")
    one, two = b.problems[0], b.problems[1]
    _multipl_e_file(tmp_path / f"{one.task_id}.json.gz", one, ["  echo 1\n", "  echo 2\n"])
    _multipl_e_file(tmp_path / f"{two.task_id}.json.gz", two, ["  echo 3\n"])
    (tmp_path / f"{two.task_id}.results.json.gz").write_bytes(b"ignored: a results file")
    single = read_samples(tmp_path / f"{one.task_id}.json.gz", b)
    assert single.format == MULTIPL_E and [s.program for s in single.samples] == [one.prompt + "  echo 1\n", one.prompt + "  echo 2\n"]
    whole = read_samples(tmp_path, b)
    assert whole.format == MULTIPL_E and whole.problems_present == 2
    assert sorted((s.task_id, s.sample_id) for s in whole.samples) == sorted([(one.task_id, 0), (one.task_id, 1), (two.task_id, 0)])
    assert sorted(s.index for s in whole.samples) == [0, 1, 2]


def test_multipl_e_file_with_other_tests_warns_and_names_the_fix(tmp_path, caplog):
    b = bench("multipl-e-sh")
    path = _multipl_e_file(tmp_path / "p.json.gz", b.problems[0], ["  echo 1\n"], tests="other tests")
    read_samples(path, b)
    assert "differ from those of multipl-e-sh" in caplog.text and "--dataset" in caplog.text


@pytest.mark.parametrize(("record", "message"), [
    ({"name": "HumanEval_999_nothing", "completions": []}, "problem 'HumanEval_999_nothing' is not in benchmark multipl-e-sh"),
    ({"name": "HumanEval_23_strlen", "completions": [3]}, "completion 0 is a int, not a string"),
    ({"name": "HumanEval_23_strlen"}, "missing or malformed field 'completions'"),
])
def test_a_bad_multipl_e_completion_file_is_named(tmp_path, record, message):
    path = tmp_path / "bad.json.gz"
    with gzip.open(path, "wt") as f:
        json.dump(record, f)
    with pytest.raises(SamplesFormatError, match=message):
        read_samples(path, bench("multipl-e-sh"))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SamplesFormatError, match="a directory without MultiPL-E completion files"):
        read_samples(empty, bench("multipl-e-sh"))


def test_bigcode_multiple_generations_are_whole_programs(tmp_path):
    b = bench("multipl-e-lua")
    path = tmp_path / "generations_multiple-lua.json"
    whole = b.problems[0].prompt + "    return 1\nend\n"
    path.write_text(json.dumps([[whole], [b.problems[1].prompt + "end\n"]]))
    f = read_samples(path, b)
    assert f.format == BIGCODE and f.samples[0].program == whole


def test_results_are_written_back_in_multipl_e_shape(tmp_path):
    b = bench("multipl-e-sh")
    problem = b.problems[0]
    completions = tmp_path / "in"
    completions.mkdir()
    _multipl_e_file(completions / f"{problem.task_id}.json.gz", problem, ["  echo ok\n", "  exit 3\n", "  sleep 100\n"])
    samples = read_samples(completions, b)
    executions = [
        Execution(problem.task_id, 0, 0, Status.PASSED),
        Execution(problem.task_id, 1, 1, Status.FAILED, stderr_tail="boom", error="exit code 3"),
        Execution(problem.task_id, 2, 2, Status.TIMEOUT, error="CPU time limit"),
    ]
    [path] = write_multipl_e_results(tmp_path / "out", b, samples, executions)
    assert path.name == f"{problem.task_id}.results.json.gz"
    with gzip.open(path, "rt") as f:
        result = json.load(f)
    assert result["name"] == problem.task_id and result["language"] == "sh" and result["tests"] == problem.test
    assert [r["status"] for r in result["results"]] == ["OK", "Exception", "Timeout"]
    assert [r["exit_code"] for r in result["results"]] == [0, 3, -1]
    assert result["results"][1]["program"] == problem.prompt + "  exit 3\n" + "\n" + problem.test
    assert result["results"][1]["stderr"] == "boom"


def test_the_cli_scores_codegeex_s_own_python_generation_file_as_a_new_user_would(tmp_path):
    """The shared file holds HumanEval-X's canonical Python solutions in CodeGeeX's format, gzipped:
    passed straight to `nl2code evaluate`, every one must pass."""
    summary = tmp_path / "summary.json"
    result = cli("evaluate", str(GENERATIONS / "humaneval_python_generations.jsonl.gz"), "--benchmark", "humaneval-x-python",
                 "--dataset", str(DATASETS / "humaneval-x" / "humaneval_python.jsonl.gz"), "--db", str(tmp_path / "runs.db"),
                 "--json", str(summary), "--quiet")
    assert result.returncode == 0, result.stderr[-2000:]
    data = json.loads(summary.read_text())
    assert data["samples_format"] == CODEGEEX and data["samples"] == 164 and data["pass_at_k"]["pass@1"] == 1.0


def test_the_cli_runs_multipl_e_completions_and_writes_multipl_e_results(tmp_path):
    b = bench("multipl-e-sh")
    problem = b.get("HumanEval_53_add")
    completions = tmp_path / "completions"
    completions.mkdir()
    _multipl_e_file(completions / "HumanEval_53_add.json.gz", problem, ["  echo $(( $1 + $2 ))\n", "  echo 0\n"])
    out = tmp_path / "results"
    result = cli("evaluate", str(completions), "--benchmark", "multipl-e-sh", "--dataset", str(DATASETS / "multipl-e" / "humaneval-sh.jsonl"),
                 "--db", str(tmp_path / "runs.db"), "--multipl-e-results", str(out), "--quiet")
    assert result.returncode == 0, result.stderr[-2000:]
    with gzip.open(out / "HumanEval_53_add.results.json.gz", "rt") as f:
        written = json.load(f)
    assert [r["status"] for r in written["results"]] == ["OK", "Exception"]
