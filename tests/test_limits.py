"""Per-sample limits: the CPU floor chosen from measurement per benchmark, --timeout above it."""

from __future__ import annotations

import json

from helpers import cli, humaneval_completions
from nl2code.pipeline import DEFAULT_TIMEOUT_FLOOR, EvalSettings, limits_for


def test_humaneval_s_floor_is_the_measured_one_and_timeout_overrides_it():
    assert limits_for(EvalSettings(benchmark="humaneval"), None).cpu_seconds == 1.0
    assert limits_for(EvalSettings(benchmark="humaneval"), 0.5).cpu_seconds == 2.0  # 4 x the reference's time
    assert limits_for(EvalSettings(benchmark="humaneval", timeout=3.0), None).cpu_seconds == 3.0
    assert limits_for(EvalSettings(benchmark="mbpp"), None).cpu_seconds == DEFAULT_TIMEOUT_FLOOR == 3.0
    # the wall clock is generous: a CPU-bound sample on a loaded machine must not hit it first
    assert limits_for(EvalSettings(benchmark="humaneval"), None).wall_seconds == 8.0
    assert EvalSettings(benchmark="humaneval").fingerprint_fields()["timeout"] == 1.0


def test_a_correct_sample_that_needs_half_a_second_passes_and_an_endless_one_stops_at_one_second(tmp_path):
    def completion(problem):
        body = problem.reference[len(problem.prompt):]
        if problem.task_id == "HumanEval/0":  # correct, after ~0.4 s of CPU (twice the slowest real correct sample)
            return ("    import time\n    if not getattr(has_close_elements, 'spun', False):  # once, not per test\n"
                    "        has_close_elements.spun = True\n        t = time.process_time()\n"
                    "        while time.process_time() - t < 0.4:\n            pass\n" + body)
        if problem.task_id == "HumanEval/1":
            return "    while True:\n        pass\n"
        return body

    samples = humaneval_completions(tmp_path / "s.jsonl", completion=completion, limit=3)
    done = cli("evaluate", str(samples), "-b", "humaneval", "--db", str(tmp_path / "r.db"), "-q", "--results", str(tmp_path / "r.jsonl"),
               "--json", str(tmp_path / "s.json"))
    assert done.returncode == 0, done.stderr
    results = [json.loads(x) for x in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [r["status"] for r in results] == ["passed", "timeout", "passed"], results
    assert results[1]["cpu_limit"] == 1.0 and results[1]["cpu_time"] < 2.5
    assert json.loads((tmp_path / "s.json").read_text())["limits"]["timeout_floor_s"] == 1.0
