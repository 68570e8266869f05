"""`nl2code analyze temperature` against a real OpenAI-compatible server on 127.0.0.1, whose
answers depend on the request's temperature and seed; a real SQLite store; the real CLI."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

from llm_server import LLMServer
from nl2code.benchmarks import load

PROBLEMS = 4
N = 4


def answers():
    """At T=0.2 problems 0 and 1 are always right and the others always wrong (pass@1 = pass@4 = 0.5);
    at T=1.0 each problem is right in exactly one of its 4 samples (pass@1 = 0.25, pass@4 = 1)."""
    problems = {p.prompt: (i, p) for i, p in enumerate(load("humaneval").problems[:PROBLEMS])}

    def answer(body: dict) -> str:
        number, problem = problems[body["prompt"]]
        right = number < 2 if body["temperature"] < 0.5 else body["seed"] == number
        return problem.reference[len(problem.prompt):] if right else "    return None\n"

    return answer


def nl2code(*args: str, cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nl2code", *args], cwd=cwd, env={**os.environ, "NL2CODE_API_KEY": ""},
                          capture_output=True, text=True, timeout=300)


def test_temperature_analysis_reports_pass_at_k_per_temperature_stores_it_and_reuses_its_runs(tmp_path):
    args = ["analyze", "temperature", "-m", "canned", "-b", "humaneval", "--limit", str(PROBLEMS), "--n", str(N),
            "--temperatures", "1.0,0.2", "-q", "--db", str(tmp_path / "r.db"), "--samples-dir", str(tmp_path / "samples"),
            "--json", str(tmp_path / "t.json")]
    with LLMServer(answer=answers()) as server:
        done = nl2code(*args, "--base-url", server.url, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        asked = len(server.requests)
        assert asked == 2 * PROBLEMS * N
        data = json.loads((tmp_path / "t.json").read_text())
        rows = data["rows"]
        assert [r["temperature"] for r in rows] == [0.2, 1.0]  # sorted by temperature
        assert [(r["pass@1"], r["pass@4"]) for r in rows] == [(0.5, 0.5), (0.25, 1.0)]
        assert "pass@10" not in rows[0]  # k above n is not reported
        low, high = rows[1]["pass@4_ci"]
        assert low <= 1.0 <= high and rows[0]["pass@1_ci"][0] <= 0.5 <= rows[0]["pass@1_ci"][1]
        assert "pass@1 falls from 50.0% at T=0.2 to 25.0% at T=1 (-25.0 points): as the survey finds" in done.stdout.replace("\n", " ")
        assert "pass@4 rises from 50.0% at T=0.2 to 100.0% at T=1 (+50.0 points): as the survey finds" in done.stdout.replace("\n", " ")
        again = nl2code(*args, "--base-url", server.url, cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        assert len(server.requests) == asked  # every sample came from the cache
    assert json.loads((tmp_path / "t.json").read_text())["id"] == data["id"]
    with sqlite3.connect(tmp_path / "r.db") as conn:
        kinds = dict(conn.execute("SELECT kind, count(*) FROM runs GROUP BY kind").fetchall())
        assert kinds == {"run": 2, "analysis": 1}  # the rerun reused both runs and the analysis
        summary = json.loads(conn.execute("SELECT summary FROM runs WHERE kind = 'analysis'").fetchone()[0])
        run_ids = {r[0] for r in conn.execute("SELECT id FROM runs WHERE kind = 'run'")}
    assert {r["run_id"] for r in summary["rows"]} == run_ids


def test_temperature_analysis_rejects_bad_temperatures_and_a_single_sample(tmp_path):
    bad = nl2code("analyze", "temperature", "-m", "x", "-b", "humaneval", "--n", "4", "--temperatures", "0.2,hot", "--base-url", "http://127.0.0.1:9/v1", cwd=tmp_path)
    assert bad.returncode == 2 and "--temperatures" in bad.stderr and "0.2,hot" in bad.stderr
    single = nl2code("analyze", "temperature", "-m", "x", "-b", "humaneval", "--n", "1", "--base-url", "http://127.0.0.1:9/v1", cwd=tmp_path)
    assert single.returncode == 2 and "--n" in single.stderr


def test_a_killed_temperature_analysis_keeps_its_finished_part_and_a_rerun_asks_only_for_the_rest(tmp_path):
    """SIGKILL in the middle of the second temperature: the first temperature's run and the partial
    analysis are stored, every sample answered before the kill (but the one in flight) is kept, and
    the rerun requests exactly the samples that are missing and rewrites none that were stored."""
    import signal
    import time

    problems = {p.prompt: p for p in load("humaneval").problems[:3]}

    def answer(body: dict) -> str:  # right at the low temperature, wrong at the high one
        problem = problems[body["prompt"]]
        return problem.reference[len(problem.prompt):] if body["temperature"] < 0.5 else "    return None\n"

    args = ["-m", "nl2code", "analyze", "temperature", "-m", "canned", "-b", "humaneval", "--limit", "3", "--n", "2",
            "--temperatures", "0.2,1.0", "--concurrency", "1", "-q", "--db", str(tmp_path / "r.db"),
            "--samples-dir", str(tmp_path / "samples"), "--json", str(tmp_path / "t.json")]
    env = {**os.environ, "NL2CODE_API_KEY": ""}
    # each answer takes longer than the cache's write interval (0.5 s), so each is written as it comes
    with LLMServer(answer=answer, latency=0.6, honour_n=False) as server:
        first = subprocess.Popen([sys.executable, *args, "--base-url", server.url], cwd=tmp_path, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while len(server.served) < 8 and time.monotonic() < deadline:  # 6 samples at T=0.2, then 2 at T=1.0
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=60)
        assert first.returncode == -signal.SIGKILL
        while server.in_flight and time.monotonic() < deadline:  # the request the kill abandoned is answered to no one
            time.sleep(0.05)
        served_before = len(server.served)
        with sqlite3.connect(tmp_path / "r.db") as conn:
            before = dict(conn.execute("SELECT key, raw || created_at FROM generations").fetchall())
            status, summary = conn.execute("SELECT status, summary FROM runs WHERE kind = 'analysis'").fetchone()
        assert served_before - 1 <= len(before) <= served_before  # at most the answer in flight is lost
        partial = json.loads(summary)
        assert status == "running" and partial["pending"] == [1.0]
        assert [(r["temperature"], r["pass@1"]) for r in partial["rows"]] == [(0.2, 1.0)]
        from nl2code.analyses import analyses_from_store

        (shown,) = analyses_from_store(str(tmp_path / "r.db"))  # its process is gone: shown all the same, as partial
        assert shown["partial"] is True and shown["summary"]["pending"] == [1.0]

        again = subprocess.run([sys.executable, *args, "--base-url", server.url], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        assert len(server.served) - served_before == 12 - len(before)  # only the missing samples
    with sqlite3.connect(tmp_path / "r.db") as conn:
        after = dict(conn.execute("SELECT key, raw || created_at FROM generations").fetchall())
        status, summary = conn.execute("SELECT status, summary FROM runs WHERE kind = 'analysis'").fetchone()
    assert len(after) == 12 and all(after[key] == value for key, value in before.items())  # none regenerated
    assert status == "complete" and json.loads(summary)["pending"] == []
    rows = json.loads((tmp_path / "t.json").read_text())["rows"]
    assert [(r["temperature"], r["pass@1"], r["pass@2"]) for r in rows] == [(0.2, 1.0, 1.0), (1.0, 0.0, 0.0)]
