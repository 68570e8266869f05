"""Publishing a run from the results store into the catalog as reproduced results with full provenance."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from nl2code.catalog._loader import read_catalog
from nl2code.catalog._schema import ModelVariant, Result
from nl2code.catalog._search import resolve
from nl2code.catalog._write import PUBLISHED_RUNS, add_results
from nl2code.errors import InputError


def _variant_for(catalog: Any, run_model: str, override: str | None) -> str:
    key = override or run_model
    if not key:
        raise InputError("the run records no model name; pass --model VARIANT_ID (see `nl2code catalog search`)")
    candidates = [key, key.split("/")[-1]]  # 'bigcode/starcoder2-3b' -> 'starcoder2-3b'
    for candidate in candidates:
        found = resolve(catalog, candidate)
        if isinstance(found, ModelVariant):
            return found.id
        found_by_hf = next((v for f in catalog.models for v in f.variants if v.huggingface and v.huggingface.lower() == candidate.lower()), None)
        if found_by_hf:
            return found_by_hf.id
    raise InputError(f"model {key!r} is no model variant of the catalog; pass --model VARIANT_ID "
                     "(find it with `nl2code catalog search`, or add it with `nl2code catalog add model`)")


def _benchmark_for(catalog: Any, run_benchmark: str, override: str | None) -> str:
    key = override or run_benchmark
    found = resolve(catalog, key)
    if found is None or getattr(found, "kind", None) != "benchmark":
        raise InputError(f"benchmark {key!r} is not in the catalog; pass --benchmark ID")
    return found.id


def results_for_run(run: dict[str, Any], variant: str, benchmark: str, store_url: str) -> list[dict[str, Any]]:
    """The catalog results of one stored run: every pass@k of its summary, and its test-case average."""
    summary = run.get("summary") or {}
    if run.get("status") != "complete" or not summary:
        raise InputError(f"run {run['id']} is not complete; finish it (rerun the same command) before publishing")
    n_problems = summary.get("problems") or run.get("n_problems") or 0
    per_problem = round(summary.get("samples", run.get("n_samples", 0)) / n_problems) if n_problems else None
    link = {
        "run_id": run["id"], "store": store_url, "package_version": run.get("nl2code_version"),
        "benchmark_sha256": run.get("data_sha256"), "isolation": run.get("isolation") or summary.get("isolation"),
        "started_at": run.get("created_at"),
        "config": {"settings": run.get("settings") or {}, "samples_sha256": run.get("samples_sha256"),
                   "samples_format": run.get("samples_format"), "machine": run.get("machine") or {},
                   "limits": summary.get("limits") or {}},
    }
    source = {"kind": "nl2code-run", "title": f"nl2code run {run['id']}", "url": store_url, "verified": True,
              "note": f"{summary.get('problems')} problems, {summary.get('samples')} samples"}
    common = {"model": variant, "benchmark": benchmark, "benchmark_version": run.get("benchmark_version"),
              "provenance": "reproduced", "run": link, "source": source, "verified": True,
              "date": str(run.get("created_at") or "")[:10] or None, "decoding": {"n": per_problem} if per_problem else None}
    out = []
    for label, value in sorted((summary.get("pass_at_k") or {}).items(), key=lambda item: int(re.sub(r"\D", "", item[0]) or 0)):
        if value is None:
            continue
        k = int(re.sub(r"\D", "", label))
        ci = (summary.get("pass_at_k_ci") or {}).get(label)
        note = f"95% bootstrap CI [{ci[0] * 100:.2f}, {ci[1] * 100:.2f}]" if ci else None
        out.append({**common, "id": f"{variant}--{benchmark}--pass{k}--run-{run['id']}", "metric": "pass-at-k", "k": k,
                    "value": round(value * 100, 2), "note": note})
    if summary.get("test_case_average") is not None:
        out.append({**common, "id": f"{variant}--{benchmark}--tca--run-{run['id']}", "metric": "test-case-average",
                    "value": round(summary["test_case_average"] * 100, 2)})
    if not out:
        raise InputError(f"run {run['id']} has no pass@k to publish")
    return out


def publish_run(root: Path, run_ref: str, db: str, *, model: str | None = None, benchmark: str | None = None) -> tuple[Path, list[Result]]:
    from nl2code.store import Store

    store = Store(db)
    run = store.get_run(run_ref)
    catalog, _ = read_catalog(root)
    if any(r.run and r.run.run_id == run["id"] for r in catalog.results):
        raise InputError(f"run {run['id']} is already published in {root / 'results'}; delete those results first to republish")
    variant = _variant_for(catalog, run.get("model") or "", model)
    bench = _benchmark_for(catalog, run.get("benchmark") or "", benchmark)
    return add_results(root, results_for_run(run, variant, bench, store.url), PUBLISHED_RUNS)
