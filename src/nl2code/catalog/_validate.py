"""Checks across files: unique ids and names (aliases included), references that resolve, sane results."""

from __future__ import annotations

import re
from typing import Any

from nl2code.catalog._loader import Catalog, Issue
from nl2code.catalog._schema import ModelFamily, Provenance, Source, SourceKind


def normalize_name(name: str) -> str:
    """Names that differ only in case, spaces, '-', '_' or '.' count as the same name."""
    return re.sub(r"[\s_\-.]+", "", name.casefold())


def cross_check(catalog: Catalog) -> list[Issue]:
    issues: list[Issue] = []
    issues += _unique_ids(catalog)
    issues += _unique_names(catalog)
    issues += _references(catalog)
    issues += _results(catalog)
    issues += _pass_at_k_order(catalog)
    issues += _setting_matches_decoding(catalog)
    return issues


def _issue(catalog: Catalog, entity: Any, path: tuple[Any, ...], message: str, fix: str) -> Issue:
    file, line = catalog.where(entity, *path)
    location = catalog.placed.get(id(entity))
    full = (location.prefix if location else ()) + path
    field = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in full).replace(".[", "[") or None
    return Issue(file, line, field, message, fix)


def _unique_ids(catalog: Catalog) -> list[Issue]:
    issues: list[Issue] = []
    seen: dict[str, Any] = {}
    everything: list[Any] = []
    for family in catalog.models:
        everything.append(family)
        everything += family.variants
    everything += [*catalog.benchmarks, *catalog.papers, *catalog.metrics, *catalog.results]
    for entity in everything:
        first = seen.get(entity.id)
        if first is None:
            seen[entity.id] = entity
            continue
        file, line = catalog.where(first)
        issues.append(_issue(catalog, entity, ("id",), f"id {entity.id!r} is already used ({file}:{line})", "ids are unique across the whole catalog; choose another id"))
    return issues


def _names_of(entity: Any) -> list[tuple[str, tuple[Any, ...]]]:
    out = [(entity.name, ("name",))]
    out += [(alias, ("aliases", i)) for i, alias in enumerate(entity.aliases)]
    return out


def _unique_names(catalog: Catalog) -> list[Issue]:
    """Within one kind, no name or alias may point at two entities (a family may share its variants' names)."""
    issues: list[Issue] = []
    groups: dict[str, list[Any]] = {
        "model": [], "benchmark": catalog.benchmarks, "paper": catalog.papers, "metric": catalog.metrics,
    }
    owner_family: dict[int, str] = {}
    for family in catalog.models:
        groups["model"].append(family)
        owner_family[id(family)] = family.id
        for variant in family.variants:
            groups["model"].append(variant)
            owner_family[id(variant)] = family.id
    for kind, entities in groups.items():
        seen: dict[str, Any] = {}
        for entity in entities:
            own: set[str] = set()
            for name, path in _names_of(entity):
                key = normalize_name(name)
                if key in own:
                    issues.append(_issue(catalog, entity, path, f"{name!r} repeats another name or alias of this entry", "remove the repeated alias"))
                    continue
                own.add(key)
                first = seen.get(key)
                if first is None:
                    seen[key] = entity
                    continue
                if kind == "model" and owner_family.get(id(first)) == owner_family.get(id(entity)):
                    continue  # a family and its own variants may share a name
                file, line = catalog.where(first)
                issues.append(_issue(catalog, entity, path, f"{kind} name/alias {name!r} is already used by {first.id!r} ({file}:{line})", "names and aliases must be unique; merge the two entries or drop the alias"))
    return issues


def _references(catalog: Catalog) -> list[Issue]:
    issues: list[Issue] = []
    papers = {p.id for p in catalog.papers}
    benchmarks = {b.id for b in catalog.benchmarks}
    models = {f.id for f in catalog.models} | set(catalog.variants)

    def check(entity: Any, path: tuple[Any, ...], value: str | None, known: set[str], what: str) -> None:
        if value is not None and value not in known and value not in catalog.unloaded_ids:
            hint = _closest(value, known)
            issues.append(_issue(catalog, entity, path, f"{what} {value!r} does not exist", f"use an existing {what} id{hint} or add catalog/{what}s/{value}.yaml"))

    for entity in catalog.entities():
        check(entity, ("paper",), getattr(entity, "paper", None), papers, "paper")
        for i, source in enumerate(entity.sources):
            check(entity, ("sources", i, "paper"), source.paper, papers, "paper")
            issues += _source_issues(catalog, entity, ("sources", i), source)
        if isinstance(entity, ModelFamily):
            check(entity, ("base_model",), entity.base_model, models, "model")
            for i, variant in enumerate(entity.variants):
                for j, source in enumerate(variant.sources):
                    check(entity, ("variants", i, "sources", j, "paper"), source.paper, papers, "paper")
                    issues += _source_issues(catalog, entity, ("variants", i, "sources", j), source)
        for i, parent in enumerate(getattr(entity, "derived_from", [])):
            check(entity, ("derived_from", i), parent, benchmarks, "benchmark")
    for result in catalog.results:
        check(result, ("source", "paper"), result.source.paper, papers, "paper")
    return issues


def _source_issues(catalog: Catalog, entity: Any, path: tuple[Any, ...], source: Source) -> list[Issue]:
    if source.verified and not source.url:
        return [_issue(catalog, entity, path + ("verified",), "a verified source needs the URL that was read", "add `url:` or set `verified: false`")]
    return []


def _results(catalog: Catalog) -> list[Issue]:
    issues: list[Issue] = []
    variants = catalog.variants
    families = {f.id: f for f in catalog.models}
    benchmarks = {b.id for b in catalog.benchmarks}
    metrics = {m.id: m for m in catalog.metrics}
    seen: dict[tuple[Any, ...], Any] = {}
    for result in catalog.results:
        if result.model not in variants and result.model not in catalog.unloaded_ids:
            if result.model in families:
                names = ", ".join(v.id for v in families[result.model].variants) or "(none yet: add one)"
                fix = f"results name a variant, not a family; use one of: {names}"
            else:
                fix = f"use an existing variant id{_closest(result.model, set(variants))} or add the model"
            issues.append(_issue(catalog, result, ("model",), f"model variant {result.model!r} does not exist", fix))
        if result.benchmark not in benchmarks and result.benchmark not in catalog.unloaded_ids:
            issues.append(_issue(catalog, result, ("benchmark",), f"benchmark {result.benchmark!r} does not exist", f"use an existing benchmark id{_closest(result.benchmark, benchmarks)} or add catalog/benchmarks/{result.benchmark}.yaml"))
        metric = metrics.get(result.metric)
        if metric is None and result.metric in catalog.unloaded_ids:
            pass
        elif metric is None:
            issues.append(_issue(catalog, result, ("metric",), f"metric {result.metric!r} does not exist", f"use one of: {', '.join(sorted(metrics))}"))
        elif "k" in metric.parameters and result.k is None:
            issues.append(_issue(catalog, result, ("k",), f"metric {metric.id!r} needs k", "add `k: 1` (or 10, 100, ...)"))
        elif "k" not in metric.parameters and result.k is not None:
            issues.append(_issue(catalog, result, ("k",), f"metric {metric.id!r} takes no k", "remove `k:`"))
        if metric is not None and metric.range is not None:
            low, high = metric.range
            if not low <= result.value <= high:
                issues.append(_issue(catalog, result, ("value",), f"{result.value} is outside the metric's range [{low}, {high}]", "pass@k is in percent: write 33.6, not 0.336"))
        if result.verified and not result.source.url:
            issues.append(_issue(catalog, result, ("verified",), "a verified result needs the source URL that was read", "add `source.url` (and `source.table`) or set `verified: false`"))
        if result.provenance == Provenance.PUBLISHED and result.source.kind == SourceKind.NL2CODE_RUN:
            issues.append(_issue(catalog, result, ("source", "kind"), "a published result cannot come from an nl2code run", "set `provenance: reproduced` with `run:`"))
        key = (result.model, result.benchmark, result.benchmark_version, result.language, result.metric, result.k, result.setting,
               result.prompt_style, result.source.title, result.source.table,
               result.decoding.model_dump_json() if result.decoding else None, result.run.run_id if result.run else None)
        first = seen.get(key)
        if first is not None:
            file, line = catalog.where(first)
            issues.append(_issue(catalog, result, ("id",), f"same model, benchmark, metric, setting and source as {first.id!r} ({file}:{line})", "delete one of the two results"))
        else:
            seen[key] = result
    return issues


def _pass_at_k_order(catalog: Catalog) -> list[Issue]:
    """pass@k cannot fall as k grows for one model, benchmark, setting and source: a number that
    does was typed into the wrong row or column (two values swapped)."""
    issues: list[Issue] = []
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for result in catalog.results:
        if result.metric == "pass-at-k" and result.k is not None:
            key = (result.model, result.benchmark, result.benchmark_version, result.language, result.setting, result.prompt_style,
                   result.source.title, result.source.table, result.provenance)
            groups.setdefault(key, []).append(result)
    for group in groups.values():
        ordered = sorted(group, key=lambda r: r.k)
        for smaller, larger in zip(ordered, ordered[1:]):
            if larger.k > smaller.k and larger.value < smaller.value:
                file, line = catalog.where(smaller)
                issues.append(_issue(catalog, larger, ("value",), f"pass@{larger.k} {larger.value} is below pass@{smaller.k} {smaller.value} of the same model and source ({file}:{line})",
                                     "check both values against the source: one of them is in the wrong row or column"))
    return issues


_SETTING_DECODING = ((re.compile(r"\bT\s*=\s*([0-9.]+)"), "temperature", float), (re.compile(r"\bn\s*=\s*([0-9]+)"), "n", int))


def _setting_matches_decoding(catalog: Catalog) -> list[Issue]:
    """A setting that states decoding values in words ('T=0.8, n=100') has them in `decoding`
    too, equal: the site and the charts read `decoding`, not the words."""
    issues: list[Issue] = []
    for result in catalog.results:
        for pattern, field, kind in _SETTING_DECODING:
            match = pattern.search(result.setting or "")
            if not match:
                continue
            stated = kind(match.group(1).rstrip("."))
            recorded = getattr(result.decoding, field, None) if result.decoding else None
            if recorded != stated:
                issues.append(_issue(catalog, result, ("decoding",), f"the setting says {field} {stated} but decoding.{field} is {recorded}",
                                     f"add `decoding: {{{field}: {stated}}}` (or correct the setting)"))
    return issues


def source_urls(catalog: Catalog) -> list[tuple[str, Any, tuple[Any, ...]]]:
    """Every URL the catalog cites: (url, entity, field path), for a link check."""
    found: list[tuple[str, Any, tuple[Any, ...]]] = []
    for entity in catalog.entities():
        for name in ("url", "code_url", "leaderboard_url"):
            if getattr(entity, name, None):
                found.append((getattr(entity, name), entity, (name,)))
        for i, source in enumerate(entity.sources):
            if source.url:
                found.append((source.url, entity, ("sources", i, "url")))
        for i, variant in enumerate(getattr(entity, "variants", [])):
            for j, source in enumerate(variant.sources):
                if source.url:
                    found.append((source.url, entity, ("variants", i, "sources", j, "url")))
    for result in catalog.results:
        if result.source.url:
            found.append((result.source.url, result, ("source", "url")))
    return found


def check_links(catalog: Catalog, *, timeout: float = 5.0, workers: int = 16) -> list[Issue]:
    """A warning for each cited URL that does not answer (offline, moved, or gone). Never an
    error: a source that cannot be reached from here may still be right, and the check is made
    where the network may be closed."""
    import urllib.error
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    cited = source_urls(catalog)

    def probe(url: str) -> str | None:
        request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "nl2code-catalog-check"})
        try:
            with urllib.request.urlopen(request, timeout=timeout):
                return None
        except urllib.error.HTTPError as exc:
            return None if exc.code in (403, 405, 429) else f"HTTP {exc.code}"  # refused HEAD or throttled: it exists
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return str(getattr(exc, "reason", exc))

    unique = sorted({url for url, _, _ in cited})
    with ThreadPoolExecutor(max_workers=workers) as pool:
        failures = dict(zip(unique, pool.map(probe, unique), strict=True))
    issues = []
    for url, entity, path in cited:
        if failures.get(url):
            issue = _issue(catalog, entity, path, f"source unreachable from here: {url} ({failures[url]})",
                           "nothing to do if you are offline; otherwise update the URL (a permanent copy, e.g. a commit link, lasts)")
            issues.append(Issue(issue.file, issue.line, issue.field, issue.message, issue.fix, warning=True))
    return issues


def _closest(value: str, known: set[str]) -> str:
    from rapidfuzz import process

    match = process.extractOne(value, list(known), score_cutoff=70) if known else None
    return f" (did you mean {match[0]!r}?)" if match else ""
