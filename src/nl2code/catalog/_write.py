"""Adding entries to the catalog: writes YAML files that validate, or leaves the catalog untouched."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from nl2code.catalog._loader import Catalog, CatalogError, Issue, read_catalog
from nl2code.catalog._schema import Benchmark, ModelFamily, Result, ResultSet
from nl2code.errors import InputError

log = logging.getLogger(__name__)

CONTRIBUTED_RESULTS = "contributed"  # results/<name>.yaml for `catalog add result`
PUBLISHED_RUNS = "nl2code-runs"  # results/<name>.yaml for `catalog publish`


def slugify(text: str) -> str:
    text = text.lower().replace("+", "-plus")
    text = re.sub(r"[^a-z0-9.]+", "-", text).strip("-.")
    return re.sub(r"-+", "-", text) or "entry"


def parse_size(text: str) -> int:
    """'1.3B' -> 1300000000, '350M' -> 350000000, '7000000000' -> 7000000000."""
    match = re.fullmatch(r"\s*([\d.]+)\s*([kKmMbBtT]?)\s*", text)
    if not match:
        raise InputError(f"size {text!r}: write a number with an optional K/M/B/T suffix, e.g. 1.3B or 350M")
    scale = {"": 1, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}[match.group(2).lower()]
    return int(round(float(match.group(1)) * scale))


# --- YAML output -------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(x, (str, int, float)) for x in data) and sum(len(str(x)) for x in data) < 100
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def prune(value: Any) -> Any:
    """Drop empty and default-valued fields so files stay short."""
    if isinstance(value, dict):
        return {k: prune(v) for k, v in value.items() if v not in (None, [], {}) and not (k in ("in_survey", "instances_per_language", "known_leak") and v is False)}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def to_yaml(data: dict[str, Any], kind: str | None = None) -> str:
    """YAML text; with `kind` (a folder name) a first line points editors at that JSON Schema."""
    header = f"# yaml-language-server: $schema=../schema/{kind}.schema.json\n" if kind else ""
    return header + yaml.dump(prune(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def entity_data(entity: BaseModel) -> dict[str, Any]:
    data = entity.model_dump(mode="json", exclude_defaults=False)
    data.pop("kind", None)
    return data


# --- writing with validation -------------------------------------------------------------


def _validated_write(root: Path, path: Path, text: str) -> Catalog:
    """Write `text` to `path`, re-read the whole catalog; on any new problem restore the old state."""
    _, before = read_catalog(root)
    old = path.read_text(encoding="utf-8") if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    catalog, after = read_catalog(root)
    known = {str(issue) for issue in before}
    new = [issue for issue in after if str(issue) not in known]
    if new:
        if old is None:
            path.unlink()
        else:
            path.write_text(old, encoding="utf-8")
        raise CatalogError(new)
    log.info("wrote %s", path)
    return catalog


def _typed(model: type[BaseModel], data: dict[str, Any], what: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [Issue(what, None, ".".join(str(p) for p in e["loc"]), e["msg"], "correct the flag or answer") for e in exc.errors()]
        raise CatalogError(problems) from None


def _add_entity(root: Path, data: dict[str, Any], model: type[BaseModel], folder: str, what: str) -> Path:
    """Write catalog/<folder>/<id>.yaml for a new entity, validated with the whole catalog."""
    data = {k: v for k, v in data.items() if v not in (None, [], ())}
    data.setdefault("id", slugify(data.get("name", "")))
    entity = _typed(model, data, f"{what} {data['id']}")
    path = root / folder / f"{entity.id}.yaml"
    if path.exists():
        raise InputError(f"{path} exists already; edit it, or choose another --id")
    _validated_write(root, path, to_yaml(entity_data(entity), folder))
    return path


def add_model(root: Path, data: dict[str, Any]) -> Path:
    """Write catalog/models/<id>.yaml for a new model family (with its variants)."""
    return _add_entity(root, data, ModelFamily, "models", "model")


def add_benchmark(root: Path, data: dict[str, Any]) -> Path:
    return _add_entity(root, data, Benchmark, "benchmarks", "benchmark")


def result_id(data: dict[str, Any], existing: set[str]) -> str:
    label = f"pass{data['k']}" if data.get("k") else slugify(str(data.get("metric", "metric")))
    source = data.get("source") or {}
    tail = slugify(source.get("paper") or source.get("title") or "src")[:20]
    base = f"{data['model']}--{data['benchmark']}--{label}--{tail}"[:76].rstrip("-")
    candidate, n = base, 2
    while candidate in existing:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def add_results(root: Path, results: list[dict[str, Any]], file_name: str = CONTRIBUTED_RESULTS) -> tuple[Path, list[Result]]:
    """Append results to catalog/results/<file_name>.yaml; ids are generated when missing."""
    catalog, _ = read_catalog(root)
    existing = {r.id for r in catalog.results}
    typed: list[Result] = []
    for data in results:
        data = {k: v for k, v in data.items() if v is not None}
        if not data.get("id"):
            data["id"] = result_id(data, existing)
        existing.add(data["id"])
        typed.append(_typed(Result, data, f"result {data['id']}"))
    path = root / "results" / f"{file_name}.yaml"
    current: list[dict[str, Any]] = []
    if path.exists():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        current = list(loaded.get("results") or [])
    records = current + [r.model_dump(mode="json") for r in typed]
    _typed(ResultSet, {"results": records}, str(path))
    _validated_write(root, path, to_yaml({"results": records}, "results"))
    return path, typed
