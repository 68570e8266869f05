"""Re-running a reproduction: find (or download) the released files and check their hashes, turn
the generations into a samples file, run the manifest's own `nl2code` command on it, and keep a
small result record (scores with their bootstrap intervals, per-problem counts, per-sample
verdicts) next to the manifest, which the site shows without a results store."""

from __future__ import annotations

import csv
import datetime as _dt
import gzip
import io
import json
import logging
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from nl2code import __version__
from nl2code.benchmarks._data import DataFile, cache_dir, download, sha256_file
from nl2code.errors import InputError, NL2CodeError
from nl2code.reproduce._formats import CONVERTERS
from nl2code.reproduce._manifest import ReleasedFile, Reproduction, _samples_name

log = logging.getLogger(__name__)

RESULTS = "results"  # subfolder of the reproductions folder with the measured records


class ReproductionError(NL2CodeError):
    """A reproduction could not be run (missing or altered files, a failed command)."""


def default_roots() -> list[Path]:
    """Folders searched for local copies of released files: $NL2CODE_SHARED (paths separated by
    os.pathsep), then the `shared/` folder next to the repository."""
    roots = [Path(p) for p in os.environ.get("NL2CODE_SHARED", "").split(os.pathsep) if p]
    roots.append(Path(__file__).resolve().parents[4] / "shared")
    return roots


def locate(file: ReleasedFile, roots: list[Path]) -> Path:
    """A local copy with the pinned sha256, else a verified download of the file at its commit."""
    if file.local:
        for root in roots:
            candidate = root / file.local
            if candidate.is_file():
                digest = sha256_file(candidate)
                if digest != file.sha256:
                    raise ReproductionError(f"{candidate}: sha256 {digest} is not the pinned {file.sha256} of {file.url}; use an unmodified copy")
                return candidate
    target = cache_dir().parent / "released" / file.sha256[:16] / file.filename
    if target.is_file() and sha256_file(target) == file.sha256:
        return target
    try:
        return download(DataFile(file.filename, file.raw_url, file.sha256), target)
    except NL2CodeError as exc:
        hint = f" or put a copy at <DIR>/{file.local} and pass --from DIR" if file.local else ""
        raise ReproductionError(f"{file.url}: no local copy and no download ({exc}){hint}") from exc


def run(manifest: Reproduction, *, roots: list[Path], db: str, work: Path, results_dir: Path, workers: int | None = None,
        progress: bool = False) -> dict[str, Any]:
    """Re-run one reproduction; returns the record it wrote to `results_dir`/NAME.json.
    progress: let the evaluation's progress bar through to this process's stderr."""
    generations = locate(manifest.generations, roots)
    prompts = locate(manifest.generations.prompts, roots) if manifest.generations.prompts else None
    dataset = locate(manifest.dataset, roots) if manifest.dataset else None
    work.mkdir(parents=True, exist_ok=True)
    converter = CONVERTERS.get(manifest.generations.format)
    if converter is None:
        raise InputError(f"reproduction {manifest.name}: unknown generations format {manifest.generations.format!r}; use one of {', '.join(CONVERTERS)}")
    samples = work / _samples_name(manifest)
    count = converter(generations, prompts, samples)
    log.info("%s: %d samples from %s", manifest.name, count, generations)
    summary_path, results_path = work / "summary.json", work / "results.jsonl"
    argv = shlex.split(manifest.command.format(samples=str(samples), dataset=str(dataset or "")))
    argv = [sys.executable, "-m", "nl2code", *argv[1:], "--db", db, "--json", str(summary_path), "--results", str(results_path)]
    argv += [] if progress else ["-q"]
    if workers:
        argv += ["--workers", str(workers)]
    log.info("running %s", shlex.join(argv))
    completed = subprocess.run(argv, stdout=subprocess.PIPE, stderr=None if progress else subprocess.PIPE, text=True)
    if completed.returncode != 0:
        detail = f": {completed.stderr.strip()[-600:]}" if completed.stderr else " (its error is above)"
        raise ReproductionError(f"reproduction {manifest.name}: `{manifest.display_command()}` failed (exit {completed.returncode}){detail}")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    verdicts = [json.loads(line) for line in results_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    record = _record(manifest, summary, verdicts, samples)
    write_record(results_dir, record, verdicts)
    return record


def _record(manifest: Reproduction, summary: dict[str, Any], verdicts: list[dict[str, Any]], samples: Path) -> dict[str, Any]:
    counts: dict[str, list[int]] = {}
    for verdict in verdicts:
        n_c = counts.setdefault(verdict["task_id"], [0, 0])
        n_c[0] += 1
        n_c[1] += int(bool(verdict["passed"]))
    scores = {}
    for label, value in summary["pass_at_k"].items():
        if value is None:
            continue
        ci = (summary.get("pass_at_k_ci") or {}).get(label)
        scores[label] = {"value": round(100 * value, 4), "ci": [round(100 * ci[0], 4), round(100 * ci[1], 4)] if ci else None}
    released = {k: v for k, v in manifest.generations.model_dump().items() if k in ("repository", "commit", "path", "sha256")}
    return {
        "name": manifest.name,
        "title": manifest.title,
        "model": manifest.model,
        "benchmark": manifest.benchmark,
        "benchmark_version": summary.get("benchmark_version"),
        "data_sha256": summary.get("data_sha256"),
        "measured_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "nl2code_version": __version__,
        "command": manifest.display_command(),
        "reproduce": f"nl2code reproduce {manifest.name}",
        "run_id": summary.get("run_id"),
        "generations": {**released, "url": manifest.generations.url},
        "samples_sha256": sha256_file(samples),
        "isolation": summary.get("isolation"),
        "problems": summary.get("problems"),
        "problems_in_benchmark": summary.get("problems_in_benchmark"),
        "samples": summary.get("samples"),
        "status_counts": {k: v for k, v in (summary.get("status_counts") or {}).items() if v},
        "decoding": manifest.decoding,
        "prompt_style": manifest.prompt_style,
        "scores": scores,
        "published": [p.model_dump() for p in manifest.published],
        "per_problem": [[task, n, c] for task, (n, c) in counts.items()],
    }


def write_record(results_dir: Path, record: dict[str, Any], verdicts: list[dict[str, Any]]) -> None:
    """NAME.json (the record) and NAME-samples.csv.gz (one verdict per sample), both byte-stable
    for the same content so that a re-run that changes nothing changes no file but the date."""
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / f"{record['name']}.json").write_text(record_json(record), encoding="utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["task_id", "sample_id", "status", "passed"])
    for verdict in verdicts:
        writer.writerow([verdict["task_id"], verdict["sample_id"], verdict["status"], "true" if verdict["passed"] else "false"])
    with open(results_dir / f"{record['name']}-samples.csv.gz", "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(buffer.getvalue().encode("utf-8"))


def record_json(record: dict[str, Any]) -> str:
    """The record as JSON, one per-problem count a line (a diff of two measurements stays readable)."""
    head = {k: v for k, v in record.items() if k != "per_problem"}
    text = json.dumps(head, indent=1, ensure_ascii=False)
    rows = ",\n  ".join(json.dumps(row, ensure_ascii=False) for row in record.get("per_problem", []))
    return text[:-2] + f',\n "per_problem": [\n  {rows}\n ]\n}}\n'


def load_records(directory: Path) -> list[dict[str, Any]]:
    """The measured records under `directory`/results (none when nothing was reproduced yet)."""
    folder = directory / RESULTS
    if not folder.is_dir():
        return []
    records = []
    for path in sorted(folder.glob("*.json")):
        try:
            records.append(json.loads(path.read_text(encoding="utf-8")))
        except ValueError as exc:
            raise InputError(f"{path}: not valid JSON ({exc}); re-create it with `nl2code reproduce {path.stem}`") from exc
    return records


def samples_file(directory: Path, name: str) -> Path | None:
    path = directory / RESULTS / f"{name}-samples.csv.gz"
    return path if path.is_file() else None
