"""Julia and Swift: no registry here packages them, so nl2code uses them where their toolchain is
on PATH and otherwise says, everywhere a user meets them (install, doctor, evaluate), that they
are not installed and where to get them. The absent path runs for real here (neither is installed
on the project's machines); the present path runs only where `julia` / `swiftc` is on PATH and is
skipped otherwise (this machine: skipped)."""

from __future__ import annotations

import json
import os
import shutil
import signal

import pytest
from helpers import DATASETS, cli, db_scalar

from nl2code.execution import LocalExecutor, hello, languages
from nl2code.execution import toolchains as tc
from nl2code.execution._worker import StageResult
from nl2code.records import Limits, Problem, Sample, Status

WHERE = {"julia": "https://julialang.org/downloads/", "swift": "https://www.swift.org/install/linux/"}
EXECUTABLE = {"julia": "julia", "swift": "swiftc"}


def multipl_e(code: str, name: str = "HumanEval_23_strlen") -> dict:
    with open(DATASETS / "multipl-e" / f"humaneval-{code}.jsonl") as f:
        return next(r for r in map(json.loads, f) if r["name"] == name)


def test_julia_and_swift_are_languages_that_are_never_installed_and_say_where_to_get_them():
    for name, url in WHERE.items():
        language = languages.get(name)
        assert language.install_from == url
        assert language.how_to_install() == f"not packaged for Debian 12; install from {url} and put it on PATH"
        chain = tc.toolchain(name)
        assert chain.path_only and not chain.apt and not chain.npm
    assert languages.get("jl").name == "julia"
    if not languages.get("julia").available():
        assert tc.plan(["jl"]).unavailable == {"julia": languages.get("julia").how_to_install()}


@pytest.mark.parametrize("name", sorted(WHERE))
def test_a_missing_toolchain_is_reported_not_installed_with_where_to_get_it(name):
    if languages.get(name).available():
        pytest.skip(f"{EXECUTABLE[name]} is on PATH here")
    with LocalExecutor(workers=1) as executor:
        found = hello.check([name], executor)[name]
    assert not found.ok and found.status == "missing"
    assert found.detail == f"not installed: {EXECUTABLE[name]} (not packaged for Debian 12; install from {WHERE[name]} and put it on PATH)"


@pytest.mark.skipif(shutil.which("julia", path="/usr/bin:/bin") is not None, reason="julia is installed in /usr/bin here")
def test_evaluating_julia_samples_without_julia_refuses_before_a_run_is_stored(tmp_path):
    samples = tmp_path / "jl.jsonl"
    samples.write_text(json.dumps({"task_id": "HumanEval_23_strlen", "completion": "    return length(string)\nend\n"}) + "\n")
    db = tmp_path / "runs.db"
    result = cli("evaluate", str(samples), "-b", "multipl-e-jl", "--dataset", str(DATASETS / "multipl-e" / "humaneval-jl.jsonl"),
                 "--db", str(db), "--workers", "1", env={"PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert ("Julia samples need julia, which is not on PATH here: not packaged for Debian 12; "
            "install from https://julialang.org/downloads/ and put it on PATH") in result.stderr
    assert not db_scalar(db, "SELECT COUNT(*) FROM runs")  # nothing stored


def test_a_swift_assertion_trap_is_a_failed_test_not_a_crash():
    swift = languages.get("swift")
    for signum in (signal.SIGILL, signal.SIGTRAP):
        assert swift.run_failed(StageResult("run", signal=signum))[0] is Status.FAILED
    assert swift.run_failed(StageResult("run", signal=signal.SIGSEGV))[0] is Status.CRASHED


# -- where the toolchain is on PATH (skipped on the project's machines) ---------------------------

BODIES = {
    "julia": ("jl", "    return length(string)\nend\n", "    return 1\nend\n"),
    "swift": ("swift", "    return string.count\n}\n", "    return 1\n}\n"),
}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_where_the_toolchain_is_on_path_a_correct_body_passes_and_a_wrong_one_fails(name):
    if not languages.get(name).available():
        pytest.skip(f"{EXECUTABLE[name]} is not on PATH here ({languages.get(name).how_to_install()})")
    code, right, wrong = BODIES[name]
    row = multipl_e(code)
    problem = Problem(benchmark="t", version="1", data_sha256="0" * 64, task_id=row["name"], prompt=row["prompt"],
                      entry_point="", test=row["tests"], reference="", language=name)
    # MultiPL-E's Swift tests begin by closing the function: the completion stops before its "}"
    right, wrong = (right.rsplit("}", 1)[0], wrong.rsplit("}", 1)[0]) if name == "swift" else (right, wrong)
    samples = [Sample(row["name"], 0, 0, row["prompt"] + right), Sample(row["name"], 1, 1, row["prompt"] + wrong)]
    with LocalExecutor(workers=1) as executor:
        got = {e.index: e for e in executor.execute(samples, {row["name"]: problem}, {row["name"]: Limits(cpu_seconds=10, wall_seconds=60)})}
    assert got[0].status is Status.PASSED, got[0].error
    assert got[1].status is Status.FAILED, got[1].error
