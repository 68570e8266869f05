"""The Ray executor on a real local Ray cluster (the session's head, tests/ray_cluster.py): the same
verdicts as the local executor, every sample once, a lost node's batches run elsewhere."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from helpers import cli, db_scalar, humaneval_completions
from nl2code.benchmarks import load
from nl2code.errors import ConfigError, MissingExtraError
from nl2code.execution import run_samples
from nl2code.execution.ray_executor import RayExecutor, make_batches
from nl2code.records import Limits, Sample, Status

pytestmark = pytest.mark.ray

LIMITS = Limits(cpu_seconds=1.0, wall_seconds=4.0)
VARIANTS = {  # completion -> what the local executor says of it
    "pass": None,
    "fail": "    return None\n",
    "timeout": "    while True:\n        pass\n",
    "exit": "    import os\n    os._exit(3)\n",
}


def mixed_samples(problems: int, variants=tuple(VARIANTS)) -> tuple[dict, list[Sample]]:
    bench = load("humaneval")
    chosen = bench.problems[:problems]
    samples = []
    for p in chosen:
        for sample_id, body in enumerate(VARIANTS[v] for v in variants):
            program = p.reference if body is None else p.prompt + body
            samples.append(Sample(p.task_id, sample_id, len(samples), program))
    return {p.task_id: p for p in chosen}, samples


def verdicts(executions) -> list[tuple]:
    return sorted((e.index, e.task_id, e.sample_id, e.status, e.tests, e.passed) for e in executions)


def test_the_ray_executor_gives_the_local_executors_verdicts(ray_address):
    problems, samples = mixed_samples(8)
    local = run_samples(problems, samples, LIMITS)
    with RayExecutor(ray_address) as executor:
        remote = list(executor.execute(samples, problems, {t: LIMITS for t in problems}))
        described = executor.describe()
    assert verdicts(remote) == verdicts(local)
    assert len(remote) == len({e.index for e in remote}) == len(samples)
    assert {e.status for e in remote} == {Status.PASSED, Status.FAILED, Status.TIMEOUT, Status.NO_RESULT}
    [node] = described["nodes"]
    assert node["workers"] == 2 and node["isolation"] == executor.level == local[0].isolation


def test_batches_hold_whole_problems_in_input_order():
    samples = [Sample(f"t{i // 3}", i % 3, i, "") for i in range(30)]  # 10 problems of 3 samples
    batches = make_batches(samples, 7)
    assert [len(b.samples) for b in batches] == [9, 9, 9, 3]
    assert [s.index for b in batches for s in b.samples] == list(range(30))
    assert all(len({s.task_id for s in b.samples}) == 3 for b in batches[:3])


def test_an_unreachable_ray_address_is_named():
    from pg_server import free_port

    address = f"127.0.0.1:{free_port()}"
    with pytest.raises(ConfigError, match=rf"--ray-address {address}: cannot connect to a Ray cluster"):
        RayExecutor(address).start()


def test_a_missing_ray_names_the_extra(monkeypatch):
    # Ray is installed here; None in sys.modules makes its import fail as if it were not
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(MissingExtraError, match=r"^--executor ray: .*pip install 'nl2code\[ray\]'"):
        RayExecutor("auto").start()


@pytest.mark.slow
def test_a_lost_node_costs_only_its_unfinished_batches(tmp_path):
    from ray_cluster import RayNode

    problems, samples = mixed_samples(40, ("pass", "fail"))
    expected = verdicts(run_samples(problems, samples, LIMITS))
    with RayNode(num_cpus=1, fast_failure_detection=True) as head:
        worker = RayNode(num_cpus=1, address=head.address).start()
        try:
            with RayExecutor(head.address, batch_size=8) as executor:  # 10 batches
                assert len(executor.nodes) == 2
                seen = []
                for execution in executor.execute(samples, problems, {t: LIMITS for t in problems}):
                    seen.append(execution)
                    if worker.proc.poll() is None and len(seen) >= 8:
                        worker.kill()  # its node had batches in flight: 2 a node
                        killed_at = len(seen)
        finally:
            worker.stop()
    assert killed_at < len(samples) and len(executor.lost) == 1 and executor.rerun_batches >= 1
    assert verdicts(seen) == expected  # every sample once, the same verdicts


def test_humaneval_reference_x20_through_ray_into_postgresql_scores_one(tmp_path, ray_address, postgres_server):
    db = postgres_server.new_database()
    samples = humaneval_completions(tmp_path / "ref20.jsonl", copies=20)
    result = cli("evaluate", str(samples), "-b", "humaneval", "--executor", "ray", "--ray-address", ray_address,
                 "--db", db, "--quiet", "--json", str(tmp_path / "s.json"))
    assert result.returncode == 0, result.stderr + result.stdout
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["samples"] == 3280 and summary["pass_at_k"]["pass@1"] == 1.0
    [listed] = json.loads(cli("runs", "list", "--db", db, "--json").stdout)
    shown = json.loads(cli("runs", "show", listed["id"], "--db", db, "--json").stdout)["run"]
    executor = shown["spec"]["executor"]
    assert executor["name"] == "ray" and executor["options"] == {"address": ray_address}
    [node] = executor["nodes"]
    assert node["isolation"] == executor["isolation_level"] == shown["isolation"] == summary["isolation"] and node["workers"] == 2
    exported = cli("runs", "export", listed["id"], "--format", "jsonl", "--db", db).stdout.splitlines()
    assert len(exported) == 3280 and all(json.loads(line)["passed"] for line in exported)


def test_ray_address_without_the_ray_executor_is_refused():
    result = cli("selfcheck", "humaneval", "--ray-address", "127.0.0.1:1")
    assert result.returncode == 2 and "--ray-address needs --executor ray" in result.stderr


@pytest.mark.slow
def test_a_ray_evaluation_into_postgresql_killed_mid_run_resumes_with_every_sample_once(tmp_path, ray_address, postgres_server):
    db = postgres_server.new_database()
    samples = humaneval_completions(tmp_path / "ref20.jsonl", copies=20)
    args = [sys.executable, "-m", "nl2code", "evaluate", str(samples), "-b", "humaneval", "--no-dedupe", "--executor", "ray",
            "--ray-address", ray_address, "--db", db, "--quiet"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 300
    while (db_scalar(db, "select count(*) from executions") or 0) < 300 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGKILL)  # the driver; Ray stops the actors it owned
    proc.communicate(timeout=60)
    partial = db_scalar(db, "select count(*) from executions")
    assert 300 <= partial < 3280
    again = cli("evaluate", str(samples), "-b", "humaneval", "--no-dedupe", "--executor", "ray", "--ray-address", ray_address,
                "--db", db, "--json", str(tmp_path / "s.json"))
    assert again.returncode == 0, again.stderr
    assert f"resumed: {partial} samples were already judged" in again.stdout
    assert json.loads((tmp_path / "s.json").read_text())["pass_at_k"]["pass@1"] == 1.0
    assert db_scalar(db, "select count(*) from runs") == 1
    assert db_scalar(db, "select count(*) from executions") == db_scalar(db, "select count(distinct idx) from executions") == 3280


def test_runs_share_a_cluster_by_workers_and_a_run_finding_no_free_cpu_says_so(ray_address, monkeypatch):
    from nl2code.execution import ray_executor

    problems, samples = mixed_samples(2, ("pass", "fail"))
    limits = {t: LIMITS for t in problems}
    with RayExecutor(ray_address, workers=1) as first, RayExecutor(ray_address, workers=1) as second:  # the head has 2 CPUs
        assert verdicts(first.execute(samples, problems, limits)) == verdicts(second.execute(samples, problems, limits))
        monkeypatch.setattr(ray_executor, "ACTOR_START_S", 3)
        with pytest.raises(ConfigError, match=r"no Ray node started nl2code's executor within 3 s .*held by other work"):
            RayExecutor(ray_address, workers=1).start()


def _codet_inputs(tmp_path):
    """HumanEval/0: right and wrong programs, and generated tests that tell them apart."""
    right = "    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])\n"
    records = [{"task_id": "HumanEval/0", "completion": c} for c in (right, right, "    return True\n", "    return False\n")]
    tests = [{"task_id": "HumanEval/0", "samples": ["has_close_elements([1.0, 1.05], 0.1) == True\nassert has_close_elements([1.0, 3.0], 0.5) == False"]}]
    samples, generated = tmp_path / "samples.jsonl", tmp_path / "tests.jsonl"
    samples.write_text("".join(json.dumps(r) + "\n" for r in records))
    generated.write_text("".join(json.dumps(r) + "\n" for r in tests))
    return samples, generated


def test_rerank_runs_its_checks_on_the_chosen_executor_with_the_local_result(tmp_path, ray_address):
    samples, tests = _codet_inputs(tmp_path)
    db = tmp_path / "runs.db"
    assert cli("evaluate", str(samples), "-b", "humaneval", "--db", str(db), "-q", "--json", str(tmp_path / "e.json")).returncode == 0
    source = json.loads((tmp_path / "e.json").read_text())["run_id"]
    local = cli("rerank", source, "--tests", str(tests), "--db", str(db), "-q", "--json", str(tmp_path / "l.json"))
    assert local.returncode == 0, local.stderr
    remote = cli("rerank", source, "--tests", str(tests), "--isolation", "weak", "--executor", "ray", "--ray-address", ray_address,
                 "--db", str(db), "-q", "--json", str(tmp_path / "r.json"))
    assert remote.returncode == 0, remote.stderr
    assert json.loads((tmp_path / "r.json").read_text())["reranked"] == json.loads((tmp_path / "l.json").read_text())["reranked"]
    spec = json.loads(cli("runs", "show", "latest", "--db", str(db), "--json").stdout)["run"]["spec"]
    assert spec["executor"] == {"name": "ray", "isolation": "weak", "options": {"address": ray_address}}


def test_rerank_refuses_an_unreachable_ray_address_naming_the_flag(tmp_path):
    from pg_server import free_port

    samples, tests = _codet_inputs(tmp_path)
    db = tmp_path / "runs.db"
    assert cli("evaluate", str(samples), "-b", "humaneval", "--db", str(db), "-q").returncode == 0
    address = f"127.0.0.1:{free_port()}"
    result = cli("rerank", "latest", "--tests", str(tests), "--executor", "ray", "--ray-address", address, "--db", str(db), "-q")
    assert result.returncode == 2 and f"--ray-address {address}: cannot connect to a Ray cluster" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one line, no traceback
    assert db_scalar(db, "select status from runs where kind = 'rerank'") == "interrupted"  # not `running` for ever
    refused = cli("rerank", "latest", "--tests", str(tests), "--ray-address", address, "--db", str(db), "-q")
    assert refused.returncode == 2 and "--ray-address needs --executor ray" in refused.stderr


def test_a_benchmark_s_expected_outputs_are_computed_on_the_chosen_executor(tmp_path):
    """EvalPlus's expected outputs, not cached yet, come from the executor the command names: with
    an unreachable Ray address the command stops at once, naming it, before anything ran locally."""
    from pg_server import free_port

    from helpers import DATASETS

    address = f"127.0.0.1:{free_port()}"
    cache = tmp_path / "cache"
    mini = str(DATASETS / "evalplus" / "HumanEvalPlus-Mini-v0.1.10.jsonl.gz")
    result = cli("selfcheck", "humaneval-plus-mini", "--dataset", mini, "--executor", "ray", "--ray-address", address,
                 "--db", str(tmp_path / "r.db"), "-q", env={"NL2CODE_CACHE": str(cache)})
    assert result.returncode == 2 and f"--ray-address {address}: cannot connect to a Ray cluster" in result.stderr, result.stderr
    assert not list(cache.glob("**/ground-truth/*"))  # nothing was computed on this machine's pool instead
