"""The repository's analyses (`analyses/`): stored analyses exported from a results store, so that
a site built from a fresh checkout, with no database, charts them and offers their data.

Layout (docs/analyses.md):

- `analyses/NAME.yaml`: what the analysis is (`kind`: temperature, rerank or text-vs-exec), its
  title, the exact commands that made it, whether it is `partial` (a long job not finished yet),
  the stored record as the site reads it from a store (`record`: id, kind, summary, ...) and its
  data files;
- `analyses/data/NAME-*.jsonl.gz`: the per-sample (or per-problem) data behind the figures, one
  JSON object a line, each pinned in the manifest by sha256 and row count.

A manifest is checked when it is read: a YAML or schema problem is reported with its file and
line, a data file that is missing or differs from its hash with the command that re-exports it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from nl2code import _manifests
from nl2code.errors import InputError
from nl2code.store import Store

log = logging.getLogger(__name__)

NAME_PATTERN = _manifests.NAME_PATTERN
DERIVED = ("analysis", "rerank")


class DataFile(_manifests.Strict):
    path: str = Field(pattern=r"^data/[A-Za-z0-9._+-]+\.jsonl\.gz$", description="Relative to the analyses folder.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    rows: int = Field(ge=0, description="JSON lines in the file.")
    description: str = Field(min_length=1, description="What one line is.")


class Record(BaseModel):
    """The stored record, as `nl2code.analyses.analyses_from_store` gives it."""

    model_config = ConfigDict(extra="allow")
    id: str = Field(min_length=1)
    kind: Literal["analysis", "rerank"]
    model: str = ""
    benchmark: str = ""
    command: str = ""
    summary: dict[str, Any]


class Manifest(_manifests.Strict):
    name: str = Field(pattern=NAME_PATTERN)
    kind: Literal["temperature", "rerank", "text-vs-exec"]
    title: str = Field(min_length=1)
    commands: list[str] = Field(min_length=1, description="The commands that made the record, in order, then the export.")
    partial: bool = False
    note: str | None = None
    record: Record
    data: list[DataFile] = Field(min_length=1)


def default_dir() -> Path:
    """$NL2CODE_ANALYSES, else the repository's analyses/, else ./analyses."""
    return _manifests.default_dir("NL2CODE_ANALYSES", "analyses")


def kind_of(record: dict[str, Any]) -> str:
    """temperature, text-vs-exec or rerank: what a stored record holds."""
    return "rerank" if record["kind"] == "rerank" else str(record["summary"].get("analysis", ""))


# -- reading ---------------------------------------------------------------------------------------

def load_analyses(folder: Path) -> list[dict[str, Any]]:
    """Every manifest in `folder`, by name, each as its record plus `partial`, `title`, `commands`
    and `files` (absolute paths of its data files with their descriptions)."""
    found = []
    for path in sorted(folder.glob("*.yaml")):
        manifest = read_manifest(path)
        record = manifest.record.model_dump()
        record.update(partial=manifest.partial, title=manifest.title, commands=manifest.commands, note=manifest.note, name=manifest.name,
                      files=[(str(folder / d.path), d.description) for d in manifest.data])
        found.append(record)
    return found


def read_manifest(path: Path) -> Manifest:
    """One manifest, checked: schema (file:line), name, kind against the record, data files' hashes."""
    manifest, fail = _manifests.read_manifest(path, Manifest, "docs/analyses.md for the layout")
    if kind_of(manifest.record.model_dump()) != manifest.kind:
        raise fail(("kind",), f"kind {manifest.kind!r} but the record holds a {kind_of(manifest.record.model_dump())!r} analysis; fix kind or re-export")
    for i, entry in enumerate(manifest.data):
        target = path.parent / entry.path
        if not target.is_file():
            raise fail(("data", i, "path"), f"data file {target} is missing; re-export with `{manifest.commands[-1]}`")
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        if digest != entry.sha256:
            raise fail(("data", i, "sha256"), f"{target} has sha256 {digest}, the manifest says {entry.sha256}; the file changed: re-export with `{manifest.commands[-1]}`")
    return manifest


def read_rows(path: str | Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a data file; a bad line is an error naming the file and line."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number}: not a JSON object ({exc.msg}); re-export the analysis") from exc


# -- writing ---------------------------------------------------------------------------------------

def export(store: Store, ref: str, folder: Path, name: str, *, title: str = "", commands: Iterable[str] = (), note: str | None = None,
           source: str | None = None) -> Path:
    """Write `folder/NAME.yaml` and its data files from the stored analysis or reranking `ref`.
    `commands` are the ones that made the record (its own stored command comes first when not
    given). `source` is the generated-tests file a reranking needs to rebuild its ranking."""
    from nl2code.analyses import analyses_from_store

    row = store.get_run(ref)
    records = {r["id"]: r for r in analyses_from_store(store)}
    if row["kind"] not in DERIVED or row["id"] not in records:
        raise InputError(f"run {row['id']} is not a stored analysis or reranking with results; pass the id `nl2code analyze ...` or `nl2code rerank` printed")
    record = records[row["id"]]
    kind = kind_of(record)
    writers = {"temperature": _temperature_rows, "text-vs-exec": _text_rows, "rerank": _rerank_rows}
    if kind not in writers:
        raise InputError(f"run {row['id']}: no export for a {kind!r} analysis")
    files = writers[kind](store, record, source)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    data = []
    for suffix, description, rows in files:
        relative = f"data/{name}-{suffix}.jsonl.gz"
        count = _write_gzip_jsonl(folder / relative, rows)
        data.append({"path": relative, "sha256": hashlib.sha256((folder / relative).read_bytes()).hexdigest(), "rows": count, "description": description})
    export_command = f"nl2code analyze export {row['id']} --db DB --name {name}"
    manifest = {
        "name": name, "kind": kind, "title": title or f"{kind}: {record['model']} on {record['benchmark']}",
        "commands": [*(list(commands) or [record["command"]]), export_command], "partial": bool(record.get("partial")),
        **({"note": note} if note else {}),
        "record": {k: record[k] for k in ("id", "kind", "model", "benchmark", "created_at", "command", "settings", "summary")},
        "data": data,
    }
    Manifest.model_validate(manifest)  # what is written can be read back
    target = folder / f"{name}.yaml"
    target.write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    read_manifest(target)
    return target


def _write_gzip_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Deterministic bytes (no file name or time in the gzip header), so a re-export of the same
    data keeps its hash."""
    buffer, count = io.StringIO(), 0
    for row in rows:
        buffer.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as handle:
        handle.write(buffer.getvalue().encode("utf-8"))
    return count


Files = list[tuple[str, str, list[dict[str, Any]]]]


def _temperature_rows(store: Store, record: dict[str, Any], source: str | None) -> Files:
    rows = []
    for row in record["summary"].get("rows", []):
        for e in store.execution_rows(row["run_id"]):
            rows.append({"temperature": row["temperature"], "run": row["run_id"], "task_id": e["task_id"], "sample": e["sample_id"],
                         "status": e["status"], "passed": bool(e["passed"]), "raw": e["raw"]})
    return [("samples", "one generated sample: temperature, run, task_id, sample index, verdict (status, passed) and the model's raw output", rows)]


def _text_rows(store: Store, record: dict[str, Any], source: str | None) -> Files:
    run = record["summary"]["inputs"]["run"]
    scores = store.text_scores(run)
    rows = []
    for e in store.execution_rows(run):
        rows.append({"task_id": e["task_id"], "sample": e["sample_id"], "status": e["status"], "passed": bool(e["passed"]),
                     "scores": {metric: round(values[e["idx"]], 4) for metric, values in sorted(scores.items()) if e["idx"] in values}})
    return [("samples", "one sample of the run: task_id, sample index, verdict (status, passed) and its score (0-100) under each text metric", rows)]


def _rerank_rows(store: Store, record: dict[str, Any], source: str | None) -> Files:
    """Per problem: the ranking's tiers (score, samples, correct ones), best first, from which the
    reranked pass@k follows; rebuilt from the stored executions (nothing is run again)."""
    from nl2code.rerank import RerankSettings, rerank

    settings = record["settings"]
    tests = source or (store.get_run(record["id"])["samples_path"] or None)
    if settings["method"] != "examples" and not (tests and Path(tests).is_file()):
        raise InputError(f"reranking {record['id']} needs its generated tests to rebuild the ranking: pass --tests FILE (it was {tests or 'not recorded'})")
    report = rerank(store, settings["source_run"], tests, RerankSettings(
        method=settings["method"], test_seconds=settings.get("test_seconds", 0.1), tests_per_sample=settings.get("tests_per_sample", 5),
        isolation=settings.get("isolation", "auto"), ks=tuple(settings.get("ks") or (1, 2, 10))))
    if report.run_id != record["id"] or report.executed:
        raise InputError(f"reranking {record['id']} could not be rebuilt from its stored executions (it matched {report.run_id}, ran {report.executed}); rerun `nl2code rerank` first")
    from nl2code.rerank._ranking import merge_ties, ranked_pass_at_k
    from nl2code.rerank._run import source_solutions

    verdicts = source_solutions(store, settings["source_run"]).verdicts
    rows = []
    for task_id in sorted(verdicts, key=_task_order):
        tiers = merge_ties(report.rankings.get(task_id) or [])
        n, c = len(verdicts[task_id]), sum(verdicts[task_id])
        ranked = ranked_pass_at_k(tiers, 1) if tiers else None
        # an unranked problem keeps the unranked estimate (c/n), as the reranked pass@1 counts it
        rows.append({"task_id": task_id, "samples": n, "correct": c, "ranked": bool(tiers),
                     "pass@1": round(c / n if ranked is None else ranked, 6),
                     "tiers": [{"score": round(t.score, 6), "samples": len(t.verdicts), "correct": sum(t.verdicts)} for t in tiers]})
    return [("problems", "one problem: its samples and correct ones, whether it was ranked, the top pick's pass@1 (unranked: correct/samples), and the ranking's tiers best first (score, samples, correct)", rows)]


def _task_order(task_id: str) -> tuple[str, int]:
    head, _, tail = task_id.rpartition("/")
    return (head, int(tail)) if tail.isdigit() else (task_id, -1)
