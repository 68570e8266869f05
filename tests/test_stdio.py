"""APPS and CodeContests: loaders for their published record formats (fixtures the tests build,
downloaded from a loopback server and verified), and the judge of standard-input programs: the
child runs the program on each input and ships its output; the driver alone holds and compares
the expected output, with each benchmark's own rules."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path

import pytest

from helpers import cli
from nl2code import benchmarks
from nl2code.benchmarks import _data, apps, code_contests
from nl2code.errors import DatasetError
from nl2code.execution import run_samples
from nl2code.execution._verdicts import apps_call, apps_output, tokens_output
from nl2code.records import Limits, Sample, Status

SUM = "a, b = map(int, input().split())\nprint(a + b)\n"
# APPS record 0: standard input, outputs with a trailing space and a blank line as APPS stores them
STDIN_RECORD = {
    "problem_id": 0, "question": "Print the sum of two integers.", "difficulty": "introductory", "url": "", "starter_code": "",
    "solutions": json.dumps([SUM]),
    "input_output": json.dumps({"inputs": ["1 2\n", "10 -3\n", "0 0\n"], "outputs": ["3 \n", "7\n\n", "0\n"]}),
}
CALL_RECORD = {
    "problem_id": 1, "question": "Return the pair (x, y) swapped.", "difficulty": "introductory", "url": "",
    "starter_code": "class Solution:\n    def swap(self, x, y):\n",
    "solutions": json.dumps(["class Solution:\n    def swap(self, x, y):\n        return (y, x)\n"]),
    "input_output": json.dumps({"fn_name": "swap", "inputs": [[1, 2], ["a", "b"]], "outputs": [[[2, 1]], [["b", "a"]]]}),
}
FLOAT_RECORD = {
    "problem_id": 2, "question": "Print n/3 for each n.", "difficulty": "interview", "url": "", "starter_code": "",
    "solutions": json.dumps(["import sys\nfor line in sys.stdin.readlines():\n    if line: print(int(line) / 3)\n"]),
    "input_output": json.dumps({"inputs": ["1\n2\n"], "outputs": [["0.3333333", "0.6666667"]]}),
}
NO_TESTS = {"problem_id": 3, "question": "?", "difficulty": "interview", "url": "", "starter_code": "", "solutions": "", "input_output": ""}


def write_apps(path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in (STDIN_RECORD, CALL_RECORD, FLOAT_RECORD, NO_TESTS)))
    return path


CC_RECORD = {
    "name": "1_A. Echo Upper", "description": "Print the words of the input, in capitals.", "source": 2, "difficulty": 7,
    "public_tests": {"input": ["ab cd\n"], "output": ["AB CD\n"]},
    "private_tests": {"input": ["x\n", "hello   world\n"], "output": ["X\n", "HELLO WORLD\n"]},
    "generated_tests": {"input": ["q\n"], "output": ["Q\n"]},
    "solutions": {"language": [2, 3], "solution": ["int main() {}", "print(' '.join(input().split()).upper())\n"]},
    "incorrect_solutions": {"language": [3], "solution": ["print(input())\n"]},
    "cf_contest_id": 1, "cf_index": "A", "cf_points": 500.0, "cf_rating": 800, "cf_tags": ["strings"],
    "is_description_translated": False, "untranslated_description": "",
    "time_limit": {"seconds": 1, "nanos": 500000000}, "memory_limit_bytes": 256000000, "input_file": "", "output_file": "",
}
CC_FLOAT = {**CC_RECORD, "name": "2_B. Third", "description": "Print n/3.",
            "public_tests": {"input": ["3\n"], "output": ["1.000000\n"]},
            "private_tests": {"input": ["1\n"], "output": ["0.333333\n"]}, "generated_tests": {"input": [], "output": []},
            "solutions": {"language": [3], "solution": ["print(int(input()) / 3)\n"]}, "time_limit": None}


def write_parquet(path: Path, records: list[dict]) -> Path:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(records), path)
    return path


def write_deepmind_json(path: Path, records: list[dict]) -> Path:
    """The shape DeepMind's convert_riegeli_to_json.py writes: lists of {input, output}, a time_limit in protobuf text."""
    def tests(t):
        return [{"input": i, "output": o} for i, o in zip(t["input"], t["output"])]

    out = []
    for r in records:
        limit = r["time_limit"]
        out.append({**r, "public_tests": tests(r["public_tests"]), "private_tests": tests(r["private_tests"]),
                    "generated_tests": tests(r["generated_tests"]),
                    "solutions": [{"language": l, "solution": s} for l, s in zip(r["solutions"]["language"], r["solutions"]["solution"])],
                    "time_limit": f"seconds: {limit['seconds']}\nnanos: {limit['nanos']}\n" if limit else ""})
    path.write_text(json.dumps(out))
    return path


@pytest.fixture
def apps_bench(tmp_path):
    return benchmarks.load("apps", write_apps(tmp_path / "test.jsonl"))


def run(bench, programs: dict[str, str], limits: Limits = Limits(cpu_seconds=10, wall_seconds=30)):
    samples = [Sample(task, 0, i, program) for i, (task, program) in enumerate(programs.items())]
    return run_samples(bench.by_id, samples, limits)


# --- APPS -------------------------------------------------------------------------------------

def test_apps_records_become_problems_and_records_without_tests_are_left_out(apps_bench):
    assert [p.task_id for p in apps_bench.problems] == ["APPS/0", "APPS/1", "APPS/2"]
    stdin = apps_bench.get(0)
    assert stdin.n_tests == 3 and stdin.reference == SUM and "Use Standard Input format" in stdin.prompt
    assert stdin.steps[0].source == "__run_stdin__('1 2\\n', 4)" and stdin.steps[0].expected == "3 \n"
    assert "Use Call-Based format" in apps_bench.get(1).prompt and apps_bench.get(1).entry_point == "swap"
    assert apps_bench.get(2).steps[0].expected == "0.3333333\n0.6666667"  # a list of lines is joined, as APPS joins it


def test_apps_reference_solutions_pass_under_its_own_judge(apps_bench):
    executions = run(apps_bench, {p.task_id: p.reference for p in apps_bench.problems})
    assert [(e.task_id, e.status) for e in executions] == [(f"APPS/{i}", Status.PASSED) for i in range(3)]


def test_apps_judge_stops_nothing_at_a_wrong_test_and_times_out_one_test_alone(apps_bench):
    # right on 1 2 and 0 0, wrong on 10 -3; then a program that hangs on one input only
    wrong = "a, b = map(int, input().split())\nprint(a + abs(b))\n"
    hangs = "a, b = map(int, input().split())\nwhile a == 10:\n    pass\nprint(a + b)\n"
    executions = run(apps_bench, {"APPS/0": wrong}) + run(apps_bench, {"APPS/0": hangs})
    assert executions[0].status is Status.FAILED and [t.passed for t in executions[0].tests] == [True, False, True]
    assert executions[1].status is Status.FAILED and [t.passed for t in executions[1].tests] == [True, False, True]
    assert "time limit" in executions[1].tests[1].error


def test_apps_compile_error_fails_every_test(apps_bench):
    (e,) = run(apps_bench, {"APPS/0": "print(1 +\n"})
    assert e.status is Status.FAILED and "SyntaxError" in e.error and e.tests_passed == 0 and len(e.tests) == 3


def test_the_expected_output_never_reaches_the_child(tmp_path):
    secret = {**STDIN_RECORD, "input_output": json.dumps({"inputs": ["q\n"], "outputs": ["SECRET-ANSWER-91f3\n"]})}
    path = tmp_path / "secret.jsonl"
    path.write_text(json.dumps(secret) + "\n")
    bench = benchmarks.load("apps", path)
    snoop = ("import gc\nfound = [o for o in gc.get_objects() if isinstance(o, str) and 'SECRET-ANSWER' in o]\n"
             "print(found[0] if found else 'nothing')\n")
    (e,) = run(bench, {"APPS/0": snoop})
    assert e.status is Status.FAILED and "nothing" in e.error


@pytest.mark.parametrize("stdout, expected, same", [
    ("3 \n", "3\n", True), ("3", "  3  \n\n", True),  # surrounding whitespace
    ("1\n\n2\n", "1\n2\n", True),  # blank lines in the output
    ("0.33333334\n", "0.3333333\n", True), ("0.334\n", "0.3333333\n", False),  # numpy.allclose
    ("2 1\n", "1 2\n", True),  # APPS's last resort: each line's set of tokens, in any order
    ("1 2\n3\n", "3\n1 2\n", True), ("1 2\n", "1 3\n", False),
    ("0.3334 1\n", "0.33341 1\n", True), ("0.333 1\n", "0.334 1\n", False),  # tokens rounded to 3 places
    ("4\n", "3\n", False), (3, "3", False),
])
def test_apps_output_comparison_follows_apps_judge(stdout, expected, same):
    assert apps_output(stdout, expected) is same


def test_apps_call_comparison():
    assert apps_call((2, 1), [[2, 1]]) and apps_call([2, 1], [2, 1]) and apps_call(5, [5])
    assert apps_call([(1, 2)], [[[1, 2]]]) and not apps_call([1, 2], [[2, 1]])


def test_apps_metrics_test_case_average_and_strict_accuracy_through_evaluate(tmp_path):
    data = write_apps(tmp_path / "test.jsonl")
    samples = tmp_path / "samples.jsonl"
    wrong = "a, b = map(int, input().split())\nprint(a + abs(b))\n"
    samples.write_text("".join(json.dumps({"task_id": t, "completion": c}) + "\n" for t, c in [
        ("APPS/0", SUM), ("APPS/0", wrong), ("APPS/1", json.loads(CALL_RECORD["solutions"])[0]),
        ("APPS/1", "class Solution:\n    def swap(self, x, y):\n        return (x, y)\n")]))
    result = cli("evaluate", str(samples), "-b", "apps", "--dataset", str(data), "--db", str(tmp_path / "r.db"),
                 "--json", str(tmp_path / "s.json"), "-q")
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "s.json").read_text())
    # APPS/0: (3/3 + 2/3) / 2; APPS/1: (2/2 + 0/2) / 2 -> test-case average 0.6667; strict: (1/2 + 1/2) / 2
    assert summary["test_case_average"] == pytest.approx((5 / 6 + 1 / 2) / 2)
    assert summary["strict_accuracy"] == pytest.approx(0.5)


# --- download and verification --------------------------------------------------------------------

def serve(directory: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.RequestHandlerClass.log_message = lambda *a: None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_unpinned_files_are_downloaded_once_recorded_and_checked_on_every_later_use(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    write_apps(mirror / apps.DATA.filename)
    server = serve(mirror)
    try:
        monkeypatch.setenv("NL2CODE_DATA_MIRROR", f"http://127.0.0.1:{server.server_address[1]}")
        monkeypatch.setenv("NL2CODE_CACHE", str(tmp_path / "cache"))
        path, digest = _data.resolve(apps.DATA, None)
        assert digest == _data.sha256_file(mirror / apps.DATA.filename)
        assert _data.recorded_digest_path(path).read_text().strip() == digest
        server.shutdown()  # later uses read the verified copy, without the network
        assert _data.resolve(apps.DATA, None) == (path, digest)
        with open(path, "a") as f:
            f.write("\n")
        with pytest.raises(DatasetError, match="differs from .* recorded when it was downloaded"):
            _data.resolve(apps.DATA, None)
    finally:
        server.server_close()


# --- CodeContests ------------------------------------------------------------------------------

def test_code_contests_reads_the_parquet_release_and_deepminds_json_alike(tmp_path):
    from_parquet = benchmarks.load("code-contests", write_parquet(tmp_path / "test.parquet", [CC_RECORD, CC_FLOAT]))
    from_json = benchmarks.load("code-contests", write_deepmind_json(tmp_path / "test.json", [CC_RECORD, CC_FLOAT]))
    for bench in (from_parquet, from_json):
        first = bench.get("1_A. Echo Upper")
        assert first.task_id == "CodeContests/0" and first.n_tests == 3 and first.n_examples == 1
        assert first.reference == "print(' '.join(input().split()).upper())\n"
        assert first.steps[0].source == "__run_stdin__('x\\n', 1.5)"
        assert bench.get("CodeContests/1").steps[0].source == "__run_stdin__('1\\n', 2.0)"  # no time limit: 2 s
    assert [p.steps for p in from_parquet.problems] == [p.steps for p in from_json.problems]


def test_code_contests_json_that_is_not_a_list_of_problems_is_refused_with_how_to_fix_it(tmp_path):
    (tmp_path / "test.json").write_text('{"name": "1_A"}')
    with pytest.raises(DatasetError, match="test.json: expected a JSON list of problems; pass CodeContests data as written by convert_riegeli_to_json.py"):
        code_contests.load(tmp_path / "test.json")


def test_code_contests_judges_hidden_tests_and_uses_public_ones_as_the_filter(tmp_path):
    bench = benchmarks.load("code-contests", write_parquet(tmp_path / "test.parquet", [CC_RECORD, CC_FLOAT]))
    executions = run(bench, {"CodeContests/0": bench.get("CodeContests/0").reference,
                             "CodeContests/1": bench.get("CodeContests/1").reference})
    assert [e.status for e in executions] == [Status.PASSED, Status.PASSED]
    assert executions[0].examples_passed is True
    # upper or lower case is the same to its judge; a reversed line is not (x and q read the same reversed)
    (wrong,) = run(bench, {"CodeContests/0": "print(input()[::-1])\n"})
    assert wrong.status is Status.FAILED and [t.passed for t in wrong.tests] == [True, False, True]


@pytest.mark.parametrize("stdout, expected, same", [
    ("HELLO  world\n", "hello\nWORLD", True),  # whitespace and case
    ("0.3333339\n", "0.333333\n", True), ("0.33335\n", "0.333333\n", False),  # 1e-5
    ("1 2 3", "1 2", False), ("abc", "abd", False), ("1e0", "1", True), ("1_0", "10", False),
])
def test_code_contests_output_comparison_follows_its_judge(stdout, expected, same):
    assert tokens_output(stdout, expected) is same
