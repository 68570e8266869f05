"""Per-sample limits: the CPU floor chosen from measurement per benchmark, --timeout above it."""

from __future__ import annotations

import json

from helpers import cli, humaneval_completions
from nl2code.pipeline import DEFAULT_TIMEOUT_FLOOR, EvalSettings, limits_for


def test_humaneval_s_floor_is_the_measured_one_raised_per_problem_by_its_table_and_timeout_overrides_both():
    humaneval = EvalSettings(benchmark="humaneval")
    assert limits_for(humaneval, None, "HumanEval/0").cpu_seconds == 0.5
    assert limits_for(humaneval, None).cpu_seconds == 0.5  # no task: the floor
    # 4x the slowest correct CodeGen-16B sample of the problem (0.906 s), from the shipped table
    assert limits_for(humaneval, None, "HumanEval/15").cpu_seconds == 3.63
    assert limits_for(humaneval, 0.5, "HumanEval/0").cpu_seconds == 2.0  # 4 x the reference's time
    assert limits_for(humaneval, 1.0, "HumanEval/15").cpu_seconds == 4.0
    flat = EvalSettings(benchmark="humaneval", timeout=3.0)
    assert limits_for(flat, None, "HumanEval/0").cpu_seconds == limits_for(flat, None, "HumanEval/15").cpu_seconds == 3.0
    assert limits_for(EvalSettings(benchmark="humaneval", timeout=1.0), None, "HumanEval/15").cpu_seconds == 1.0
    assert limits_for(EvalSettings(benchmark="mbpp"), None, "11").cpu_seconds == DEFAULT_TIMEOUT_FLOOR == 3.0
    # the wall clock is generous: a CPU-bound sample on a loaded machine must not hit it first
    assert limits_for(humaneval, None, "HumanEval/0").wall_seconds == 7.0
    fields = humaneval.fingerprint_fields()
    assert fields["timeout"] == 0.5 and fields["timeout_table"].startswith("humaneval_cpu_limits.json@")
    assert "timeout_table" not in EvalSettings(benchmark="humaneval", timeout=0.5).fingerprint_fields()
    assert "timeout_table" not in EvalSettings(benchmark="mbpp").fingerprint_fields()


def test_the_shipped_limit_table_follows_its_rule_from_its_evidence():
    """Each listed limit is max(floor, factor x the slowest correct sample, factor x the reference),
    rounded up to 0.01 s, and every problem the table lists needs more than the floor."""
    import importlib.resources
    import math

    from nl2code.pipeline import TIMEOUT_FLOORS

    table = json.loads(importlib.resources.files("nl2code.benchmarks").joinpath("humaneval_cpu_limits.json").read_text())
    assert table["floor_seconds"] == TIMEOUT_FLOORS["humaneval"]
    evidence = table["evidence"]
    assert set(table["limits"]) == set(evidence["reference_seconds"]) and table["limits"]
    for task, limit in table["limits"].items():
        need = table["factor"] * max(evidence["slowest_correct_seconds"].get(task, 0.0), evidence["reference_seconds"][task])
        # the evidence is stored rounded to the millisecond: the limit is its value rounded up, within that rounding
        assert need > table["floor_seconds"] and need - 0.005 <= limit <= math.ceil(need * 100) / 100 + 0.01, (task, limit, need)


def test_a_correct_sample_that_needs_a_fifth_of_a_second_passes_and_an_endless_one_stops_at_half_a_second(tmp_path):
    def completion(problem):
        body = problem.reference[len(problem.prompt):]
        if problem.task_id == "HumanEval/0":  # correct, after ~0.2 s of CPU (a problem whose slowest real correct sample needs ms)
            return ("    import time\n    if not getattr(has_close_elements, 'spun', False):  # once, not per test\n"
                    "        has_close_elements.spun = True\n        t = time.process_time()\n"
                    "        while time.process_time() - t < 0.2:\n            pass\n" + body)
        if problem.task_id == "HumanEval/1":
            return "    while True:\n        pass\n"
        return body

    samples = humaneval_completions(tmp_path / "s.jsonl", completion=completion, limit=3)
    done = cli("evaluate", str(samples), "-b", "humaneval", "--db", str(tmp_path / "r.db"), "-q", "--results", str(tmp_path / "r.jsonl"),
               "--json", str(tmp_path / "s.json"))
    assert done.returncode == 0, done.stderr
    results = [json.loads(x) for x in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [r["status"] for r in results] == ["passed", "timeout", "passed"], results
    # below RLIMIT_CPU's whole second: kept by the worker, not rounded up to 1 s
    assert results[1]["cpu_limit"] == 0.5 and 0.45 <= results[1]["cpu_time"] < 0.75, results[1]
    limits = json.loads((tmp_path / "s.json").read_text())["limits"]
    assert limits["timeout_floor_s"] == 0.5 and limits["timeout_table"].startswith("humaneval_cpu_limits.json@")
