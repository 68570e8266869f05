"""Ranked, typo-tolerant search over catalog entities (names, aliases, ids, variants, then free text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from nl2code.catalog._loader import Catalog
from nl2code.catalog._schema import Benchmark, Metric, ModelFamily, Paper
from nl2code.catalog._validate import normalize_name

KINDS = ("model", "benchmark", "paper", "metric")
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}
MIN_SCORE = 60.0


@dataclass(slots=True)
class Hit:
    entity: ModelFamily | Benchmark | Paper | Metric
    score: float
    matched: str  # the name, alias or field that matched best
    year: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.entity.kind

    def to_json(self) -> dict[str, Any]:
        entity = self.entity
        return {
            "id": entity.id, "name": entity.name, "kind": entity.kind, "score": round(self.score, 1),
            "matched": self.matched, "year": self.year, "aliases": entity.aliases, "tags": entity.tags,
            "url": getattr(entity, "url", None), **self.extra,
        }


def entity_year(entity: Any) -> int | None:
    for attr in ("release_date", "date"):
        value = getattr(entity, attr, None)
        if value:
            return int(str(value)[:4])
    year = getattr(entity, "year", None)
    return int(year) if year else None


def is_open(entity: Any) -> bool:
    return isinstance(entity, ModelFamily) and bool(entity.open_weights)


def _names(entity: Any) -> list[tuple[str, float]]:
    """(text, weight): the entity's own names count fully, its variants' names slightly less."""
    out = [(entity.name, 1.0), (entity.id, 0.98)] + [(alias, 0.99) for alias in entity.aliases]
    if isinstance(entity, ModelFamily):
        for variant in entity.variants:
            out += [(variant.name, 0.95), (variant.id, 0.94)] + [(alias, 0.94) for alias in variant.aliases]
    if isinstance(entity, Paper) and entity.title:
        out.append((entity.title, 0.9))
    return out


def _text(entity: Any) -> str:
    parts = [entity.description or "", " ".join(entity.tags), " ".join(getattr(entity, "organization", []) or [])]
    for attr in ("definition", "training_data", "scenario", "contribution", "venue"):
        value = getattr(entity, attr, None)
        if value:
            parts.append(str(value))
    parts += getattr(entity, "programming_languages", []) or []
    return " ".join(parts).casefold()


def _name_score(query: str, name: str) -> float:
    q, n = normalize_name(query), normalize_name(name)
    if not q or not n:
        return 0.0
    if q == n:
        return 100.0
    if n.startswith(q):
        return 90.0 + 8.0 * len(q) / len(n)  # "starcoder" ranks StarCoder above StarCoder2-15B
    score = fuzz.ratio(q, n)
    if len(q) >= 4 and len(n) > len(q):
        # the query (maybe with a typo) inside a longer name: "starcder" in "starcoder2"
        score = max(score, 0.92 * fuzz.partial_ratio(q, n) - 2.0 * (len(n) - len(q)) / len(n))
    return score


def _field_score(query: str, entity: Any) -> float:
    """A query naming a tag, scenario, contribution or language of the entity."""
    wanted = normalize_name(query)
    values = [*entity.tags, *(getattr(entity, "programming_languages", []) or [])]
    values += [str(getattr(entity, a)) for a in ("scenario", "contribution", "architecture", "metric_kind") if getattr(entity, a, None)]
    return 88.0 if wanted and wanted in {normalize_name(v) for v in values} else 0.0


def _text_score(query: str, text: str) -> float:
    words = [w for w in query.casefold().split() if len(w) >= 3]
    if not words or not text:
        return 0.0
    hits = sum(1 for w in words if w in text)
    if hits == len(words):
        return 70.0
    return 60.0 * hits / len(words) if hits else 0.0


def score_entity(query: str, entity: Any) -> tuple[float, str]:
    best, matched = 0.0, ""
    for name, weight in _names(entity):
        score = _name_score(query, name) * weight
        if score > best:
            best, matched = score, name
    field = _field_score(query, entity)
    if field > best:
        best, matched = field, "tag/scenario"
    text = _text_score(query, _text(entity))
    if text > best:
        best, matched = text, "description"
    return best, matched


def search(catalog: Catalog, query: str = "", *, kind: str | None = None, tag: str | None = None,
           year: int | None = None, open_only: bool = False, limit: int | None = 20,
           min_score: float = MIN_SCORE) -> list[Hit]:
    """Entities matching the filters, best first; an empty query lists them all by name."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    hits: list[Hit] = []
    for entity in catalog.entities():
        if kind and entity.kind != kind:
            continue
        if tag and tag.casefold() not in {t.casefold() for t in entity.tags}:
            continue
        entity_y = entity_year(entity)
        if year is not None and entity_y != year:
            continue
        if open_only and not is_open(entity):
            continue
        if query.strip():
            score, matched = score_entity(query, entity)
            if score < min_score:
                continue
        else:
            score, matched = 0.0, ""
        hits.append(Hit(entity, score, matched, entity_y))
    hits.sort(key=lambda h: (-h.score, _KIND_ORDER[h.kind], len(h.entity.name), h.entity.name.casefold()))
    return hits[:limit] if limit else hits


def resolve(catalog: Catalog, key: str) -> Any | None:
    """An entity, variant or result by id, or an entity by exact (normalized) name or alias."""
    found = catalog.get(key)
    if found is not None:
        return found
    wanted = normalize_name(key)
    for entity in catalog.entities():
        if wanted in {normalize_name(n) for n in [entity.name, *entity.aliases]}:
            return entity
    for family in catalog.models:
        for variant in family.variants:
            if wanted in {normalize_name(n) for n in [variant.name, *variant.aliases]}:
                return variant
    return None
