"""The library-oriented sets of microsoft/PyCodeGPT beside PandasEval and NumpyEval: TorchDataEval,
MonkeyEval and BeatNumEval (APICoder), loaded from the shared copies and run through the real
executor; and the authors' harness rules that decide their verdicts."""

from __future__ import annotations

import json

import pytest

from helpers import DATASETS
from nl2code import benchmarks
from nl2code.benchmarks import apicoder
from nl2code.execution import run_samples
from nl2code.records import Limits, Sample, Status
from nl2code.samples import read_samples

pytest.importorskip("pandas")
DATA = DATASETS / "pycodegpt_library_evals"
LIMITS = Limits(cpu_seconds=20.0, wall_seconds=60.0)


def _load(name: str):
    files = {"monkeyeval": "real_monkey_eval_v3.jsonl.gz", "beatnumeval": "real_beatnum_eval_v3.jsonl.gz",
             "torchdataeval": "real_torchdata_eval_v3.jsonl.gz", "pandaseval": "PandasEval.jsonl.gz"}
    return benchmarks.load(name, DATA / files[name])


def _references(bench, ids):
    problems = [bench.get(i) for i in ids]
    return run_samples(bench.by_id, [Sample(p.task_id, 0, n, p.reference) for n, p in enumerate(problems)], LIMITS, workers=2)


def test_monkeyeval_and_beatnumeval_are_named_after_themselves_and_keep_the_datas_ids():
    monkey, beatnum = _load("monkeyeval"), _load("beatnumeval")
    assert len(monkey.problems) == 101 and len(beatnum.problems) == 101
    assert monkey.problems[1].task_id == "MonkeyEval/1" and monkey.get("PandasEval/1") is monkey.problems[1]
    assert beatnum.get("NumpyEval/4").task_id == "BeatNumEval/4"
    assert "import monkey as mk" in monkey.get("MonkeyEval/1").prompt  # what a model sees
    assert "import pandas as pd" in monkey.get("MonkeyEval/1").reference  # what runs


def test_private_names_are_turned_back_into_pandas_and_numpy_and_public_ones_refused():
    program = "import monkey as mk\ndef f(kf):\n    return kf[kf['a'].incontain([1])]\n"
    assert apicoder.to_public("monkeyeval", program, "    return kf[kf['a'].incontain([1])]\n") == "import pandas as pd\ndef f(df):\n    return df[df['a'].isin([1])]\n"
    # an answer written against the public library is refused, as the authors' harness does
    assert apicoder.to_public("monkeyeval", program, "    return kf[kf['a'].isin([1])]\n") == apicoder.REFUSED
    assert apicoder.to_public("beatnumeval", "import beatnum as bn\nx = bn.numset([1]).total_count()\n", "x") == "import numpy as np\nx = np.array([1]).sum()\n"
    assert apicoder.runnable("humaneval", "len(x)", "len(x)") == "len(x)"


def test_monkeyeval_answers_run_as_pandas_and_are_judged(tmp_path):
    bench = _load("monkeyeval")
    problem = bench.get("MonkeyEval/3")  # delete_column: `return kf.sip(column_name, axis=1)`
    path = tmp_path / "samples.jsonl"
    answers = ["    return kf.sip(column_name, axis=1)\n", "    return kf.drop(column_name, axis=1)\n", "    return kf\n"]
    path.write_text("".join(json.dumps({"task_id": "PandasEval/3", "completion": a}) + "\n" for a in answers))
    samples = read_samples(path, bench).samples
    done = run_samples(bench.by_id, list(samples), LIMITS, workers=2)
    assert [e.status for e in done] == [Status.PASSED, Status.FAILED, Status.FAILED], [e.error for e in done]
    assert "public library name" in done[1].error


@pytest.mark.parametrize("name, ids", [
    ("monkeyeval", ["MonkeyEval/1", "MonkeyEval/3", "MonkeyEval/40"]),
    ("beatnumeval", ["BeatNumEval/4", "BeatNumEval/6", "BeatNumEval/10"]),
])
def test_private_library_references_pass(name, ids):
    done = _references(_load(name), ids)
    assert all(e.status is Status.PASSED for e in done), [(e.task_id, e.error) for e in done]


def test_torchdataeval_references_pass_with_torchdata_datapipes():
    pytest.importorskip("torchdata.datapipes", reason="needs nl2code[torchdata]")
    bench = _load("torchdataeval")
    assert len(bench.problems) == 50
    # 23 returns a torch DataChunk (a list subclass that keeps list equality)
    done = _references(bench, ["TorchDataEval/1", "TorchDataEval/2", "TorchDataEval/23"])
    assert all(e.status is Status.PASSED for e in done), [(e.task_id, e.error) for e in done]


def test_a_check_the_authors_harness_cannot_call_fails_every_sample():
    # PandasEval/29: entry point "none", so the harness calls check(); its check takes `candidate`
    bench = _load("pandaseval")
    problem = bench.get("PandasEval/29")
    [execution] = _references(bench, [problem.task_id])
    assert execution.status is Status.FAILED and "cannot call its check" in execution.error
