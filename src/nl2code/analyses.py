"""Stored analyses: a record in the results store that ties several runs into one question (how
does pass@k move with the sampling temperature?) and keeps the answer's table, so that the site
draws each analysis from stored runs and a rerun of the same command reuses them.

An analysis is a row of the runs table with kind "analysis": its settings name the analysis and
its inputs, its summary holds the rows of the table, each row naming the run it comes from.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from nl2code import __version__
from nl2code.store import Store

log = logging.getLogger(__name__)

KIND = "analysis"


def temperature_rows(runs: Sequence[tuple[float, dict]], ks: Sequence[int]) -> list[dict[str, Any]]:
    """One row per temperature from each run's evaluation summary: pass@k and its bootstrap interval."""
    rows = []
    for temperature, summary in sorted(runs, key=lambda item: item[0]):
        row: dict[str, Any] = {"temperature": temperature, "run_id": summary["run_id"], "problems": summary["problems"], "samples": summary["samples"]}
        for k in ks:
            name = f"pass@{k}"
            row[name] = summary["pass_at_k"].get(name)
            row[f"{name}_ci"] = (summary.get("pass_at_k_ci") or {}).get(name)
        rows.append(row)
    return rows


def save_analysis(store: Store, name: str, inputs: dict[str, Any], rows: list[dict[str, Any]], *, benchmark: Any, model: str,
                  command: str = "", pending: Sequence[Any] = ()) -> str:
    """Store (or replace) the analysis of these inputs; returns its id. The same inputs are one
    analysis: running the command again updates its rows instead of adding another. `pending`
    names the inputs (temperatures) still to run: the record is then stored as partial (status
    running), so that a long job's finished part is on the site before the rest is done."""
    from nl2code.pipeline import machine_info

    fingerprint = hashlib.sha256(json.dumps({"kind": KIND, "analysis": name, **inputs}, sort_keys=True, default=str).encode()).hexdigest()
    summary = {"analysis": name, "rows": rows, "inputs": inputs, "nl2code_version": __version__, "pending": list(pending)}
    status = "running" if pending else "complete"
    existing = store.find_run(fingerprint)
    if existing:
        store.update_run(existing["id"], status=status, summary=summary, command=command or " ".join(sys.argv))
        return existing["id"]
    run_id = store.create_run(
        kind=KIND, fingerprint=fingerprint, benchmark=benchmark.name, benchmark_version=benchmark.version,
        data_sha256=benchmark.data_sha256, dataset_path=benchmark.source, samples_path="", samples_sha256="",
        samples_format="", model=model, n_samples=sum(r.get("samples", 0) for r in rows), n_problems=max((r.get("problems", 0) for r in rows), default=0),
        nl2code_version=__version__, settings={"analysis": name, **inputs}, machine=machine_info(),
        command=command or " ".join(sys.argv), summary=summary,
    )
    store.update_run(run_id, status=status)
    return run_id


def analyses_from_store(db: str | Store) -> list[dict[str, Any]]:
    """Every complete analysis and reranking in the store, oldest first, as plain dicts (the site's
    input); an analysis not finished (its job running, or killed) is included once it has rows,
    marked `partial`."""
    store = db if isinstance(db, Store) else Store(db)
    found = []
    for run in store.list_runs():
        summary = run.get("summary") or {}
        # a partial analysis is shown whether the job that stores it still runs or was killed (interrupted)
        partial = run.get("kind") == KIND and run.get("status") in ("running", "interrupted") and bool(summary.get("rows"))
        if (run.get("status") != "complete" and not partial) or run.get("kind") not in (KIND, "rerank"):
            continue
        found.append({"id": run["id"], "kind": run["kind"], "model": run.get("model") or "", "benchmark": run.get("benchmark", ""),
                      "created_at": run.get("created_at"), "command": run.get("command") or "", "settings": run.get("settings") or {},
                      "summary": summary, "partial": partial})
    return found


def temperature_finding(rows: Sequence[dict[str, Any]], ks: Sequence[int]) -> list[str]:
    """The survey's finding checked on these rows: from the lowest to the highest temperature,
    does pass@1 fall and pass@N (the largest k) rise, and by how much (in points)?"""
    if len(rows) < 2:
        return []
    low, high = rows[0], rows[-1]
    lines = []
    for k, expected in ((ks[0], "falls"), (ks[-1], "rises")):
        name = f"pass@{k}"
        a, b = low.get(name), high.get(name)
        if a is None or b is None:
            continue
        moved = "rises" if b > a else "falls" if b < a else "stays"
        verdict = "as the survey finds" if moved == expected else "unlike the survey's finding"
        lines.append(f"{name} {moved} from {100 * a:.1f}% at T={low['temperature']:g} to {100 * b:.1f}% at T={high['temperature']:g} ({100 * (b - a):+.1f} points): {verdict} ({name} {expected}).")
    return lines
