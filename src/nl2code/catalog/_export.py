"""Views of the catalog as plain data: one JSON document, CSV files (one per entity type), a SQLite file."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

from nl2code.catalog._loader import Catalog
from nl2code.catalog._schema import ModelFamily, Result

EXPORT_KEYS = ("models", "benchmarks", "papers", "metrics", "results")


def result_record(result: Result, catalog: Catalog) -> dict[str, Any]:
    """A result as exported: its fields plus a readable name, the metric label and the model family."""
    record = result.model_dump(mode="json")
    family = catalog.family_of(result.model)
    variant = catalog.variants.get(result.model)
    model_name = variant[1].name if variant else result.model
    benchmark = next((b for b in catalog.benchmarks if b.id == result.benchmark), None)
    bench_name = benchmark.name if benchmark else result.benchmark
    record = {"id": result.id, "name": f"{model_name} · {bench_name} · {result.metric_label}", "kind": "result", **record}
    record["metric_label"] = result.metric_label
    record["family"] = family.id if family else None
    return record


def to_dict(catalog: Catalog) -> dict[str, list[dict[str, Any]]]:
    """The JSON export: {"models": [...], "benchmarks": [...], "papers": [...], "metrics": [...], "results": [...]}."""
    out: dict[str, list[dict[str, Any]]] = {}
    for key in EXPORT_KEYS[:-1]:
        out[key] = [_entity_record(entity) for entity in getattr(catalog, key)]
    out["results"] = [result_record(r, catalog) for r in sorted(catalog.results, key=lambda r: r.id)]
    return out


def _entity_record(entity: Any) -> dict[str, Any]:
    record = entity.model_dump(mode="json")
    ordered = {"id": record.pop("id"), "name": record.pop("name"), "kind": record.pop("kind")}
    ordered.update(record)
    if isinstance(entity, ModelFamily):
        ordered["open_weights"] = entity.open_weights
    return ordered


def export_json(catalog: Catalog, out: Path | None) -> str:
    text = json.dumps(to_dict(catalog), indent=2, ensure_ascii=False) + "\n"
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return text


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and key not in ("extra", "config"):
            flat.update(_flatten(value, name + "."))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            flat[name] = "; ".join(value)
        elif isinstance(value, (list, dict)):
            flat[name] = json.dumps(value, ensure_ascii=False)
        else:
            flat[name] = value
    return flat


def tables(catalog: Catalog) -> dict[str, list[dict[str, Any]]]:
    """Flat rows per table: model families and their variants get one table each."""
    data = to_dict(catalog)
    variants: list[dict[str, Any]] = []
    for family in data["models"]:
        for variant in family.pop("variants"):
            variants.append({"family": family["id"], **variant})
    return {
        "models": [_flatten(r) for r in data["models"]],
        "variants": [_flatten(r) for r in variants],
        "benchmarks": [_flatten(r) for r in data["benchmarks"]],
        "papers": [_flatten(r) for r in data["papers"]],
        "metrics": [_flatten(r) for r in data["metrics"]],
        "results": [_flatten(r) for r in data["results"]],
    }


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns)


def export_csv(catalog: Catalog, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in tables(catalog).items():
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=_columns(rows) or ["id"])
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written


def export_sqlite(catalog: Catalog, path: Path) -> Path:
    """One table per entity type (plus `variants`); lists and nested objects are JSON text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    connection = sqlite3.connect(path)
    try:
        with connection:
            for name, rows in tables(catalog).items():
                columns = _columns(rows) or ["id"]
                quoted = ", ".join(f'"{c}"' + (" PRIMARY KEY" if c == "id" else "") for c in columns)
                connection.execute(f'CREATE TABLE "{name}" ({quoted})')
                marks = ", ".join("?" for _ in columns)
                connection.executemany(
                    f'INSERT INTO "{name}" VALUES ({marks})',
                    [tuple(row.get(c) for c in columns) for row in rows],
                )
    finally:
        connection.close()
    return path
