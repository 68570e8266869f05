"""Vega-Lite specs for the site's charts, with their data inline so a page needs no extra request.

Each chart also returns its rows so the page can print them as a table (readable without JavaScript).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from nl2code.site._data import Leaderboard, SiteData, format_params, metric_label

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier only; never fetched


@dataclass(slots=True)
class Chart:
    id: str
    title: str
    description: str
    spec: dict[str, Any] | None  # None: no data to draw
    columns: list[tuple[str, str]]  # (field, heading) of the fallback table
    rows: list[dict[str, Any]]
    points: int = 0  # symbols drawn by the chart's `points` layer
    downloads: list[tuple[str, str]] = field(default_factory=list)  # (label, site-relative path) of its data
    commands: list[str] = field(default_factory=list)  # how its data was made (analyses)
    note: str = ""


def _base(description: str, height: int = 320) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": height,
        "autosize": {"type": "fit", "contains": "padding"},
    }


SIZE_LABEL = (
    "datum.value >= 1e12 ? format(datum.value / 1e12, '~g') + 'T' : "
    "datum.value >= 1e9 ? format(datum.value / 1e9, '~g') + 'B' : "
    "datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + 'M' : format(datum.value, '~s')"
)


def _size_axis(values: list[float], title: str) -> dict[str, Any]:
    """A log-scale parameter-count axis with ticks at powers of ten, labelled 10M, 1B, 100B."""
    low, high = min(values), max(values)
    ticks = [10.0**e for e in range(int(math.floor(math.log10(low))), int(math.ceil(math.log10(high))) + 1)]
    return {"field": "parameters", "type": "quantitative", "scale": {"type": "log"}, "title": title, "axis": {"values": ticks, "labelExpr": SIZE_LABEL}}


def _weights(open_weights: bool | None) -> str:
    return {True: "open weights", False: "closed"}.get(open_weights, "unknown")


def size_vs_score(board: Leaderboard) -> Chart:
    """Model size against the score, one point per model variant and provenance (its best number),
    with the best-in-size frontier: the models that beat every smaller-or-equal model."""
    best: dict[tuple[str, str], dict[str, Any]] = {}
    families: dict[str, str | None] = {}
    for row in board.rows:
        if not row.parameters:
            continue
        families[row.model] = row.family
        key = (row.model, row.provenance)
        if key not in best or row.value > best[key]["value"]:
            best[key] = {
                "model": row.model_name,
                "parameters": row.parameters,
                "size": format_params(row.parameters),
                "value": row.value,
                "weights": _weights(row.open_weights),
                "provenance": row.provenance,
                "source": row.source_title,
            }
    for (model, provenance), point in best.items():
        point["family"] = families.get(model)
    points = sorted(best.values(), key=lambda p: (p["parameters"], -p["value"]))
    lines = family_lines(points)
    frontier, top = [], float("-inf")
    for point in points:
        if point["value"] > top:
            frontier.append({"parameters": point["parameters"], "value": point["value"], "model": point["model"]})
            top = point["value"]
    if frontier and points[-1]["parameters"] > frontier[-1]["parameters"]:
        # carry the best score on to the largest model, so the step line spans the chart
        frontier.append({**frontier[-1], "parameters": points[-1]["parameters"]})
    title = f"Model size vs {board.label} on {board.benchmark['name']}"
    named = sorted({p["family_name"] for p in lines})
    description = f"{title}: {len(points)} model variants; the dashed line is the best-in-size frontier" + (f", the solid lines join the published sizes of {', '.join(named)}." if named else ".")
    columns = [("model", "Model"), ("size", "Size"), ("value", board.label), ("weights", "Weights"), ("provenance", "Provenance")]
    if not points:
        return Chart(f"size-{board.key}", title, description, None, columns, [])
    x = _size_axis([p["parameters"] for p in points], "Parameters (log scale)")
    y = {"field": "value", "type": "quantitative", "title": f"{board.label} (%)", "scale": {"zero": True}}
    family_layer = {
        "name": "families",
        "data": {"values": lines},
        "mark": {"type": "line", "point": False, "strokeWidth": 1.5, "opacity": 0.8},
        "encoding": {
            "x": x, "y": y, "order": {"field": "parameters", "type": "quantitative"},
            "color": {"field": "family_name", "type": "nominal", "title": "Family", "scale": {"scheme": "tableau10"}},
            "tooltip": [{"field": "family_name", "title": "Family"}, {"field": "model", "title": "Model"}, {"field": "size", "title": "Size"}, {"field": "value", "title": board.label, "format": ".1f"}],
        },
    }
    spec = _base(description) | {
        "resolve": {"scale": {"color": "independent"}},
        "layer": ([family_layer] if lines else []) + [
            {
                "name": "frontier",
                "data": {"values": frontier},
                "mark": {"type": "line", "interpolate": "step-after", "strokeDash": [4, 3], "opacity": 0.7},
                "encoding": {"x": x, "y": y, "color": {"value": "#888"}},
            },
            {
                "name": "points",
                "data": {"values": points},
                "mark": {"type": "point", "filled": True, "size": 70, "opacity": 0.85},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": {"field": "weights", "type": "nominal", "title": "Weights", "scale": {"domain": ["open weights", "closed", "unknown"], "range": ["#2a9d8f", "#e76f51", "#8d99ae"]}},
                    "shape": {"field": "provenance", "type": "nominal", "title": "Provenance", "scale": {"domain": ["published", "reproduced"], "range": ["circle", "diamond"]}},
                    "tooltip": [
                        {"field": "model", "title": "Model"},
                        {"field": "size", "title": "Size"},
                        {"field": "value", "title": board.label, "format": ".1f"},
                        {"field": "provenance"},
                        {"field": "source"},
                    ],
                },
            },
        ],
    }
    return Chart(f"size-{board.key}", title, description, spec, columns, points, len(points))


# The families whose sizes the size chart joins with a line (the issue's list: the survey's
# scaling families and two recent open ones); their catalog ids and display names. StarCoder
# (2023) has one size in the catalog (15.5B: StarCoder and StarCoderBase), so it draws no line
# until its 1B/3B/7B figures are catalogued; StarCoder2 (3B, 7B, 15B) stands in as its successor.
FAMILY_LINES = {"codex": "Codex", "codegen": "CodeGen", "starcoder": "StarCoder", "starcoder2": "StarCoder2", "qwen2.5-coder": "Qwen2.5-Coder", "deepseek-coder": "DeepSeek-Coder"}


def family_lines(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The published points of each family in FAMILY_LINES, by size: a line per family with two
    sizes or more (one number per size, the best, where a size has several variants)."""
    by_family: dict[str, dict[float, dict[str, Any]]] = defaultdict(dict)
    for point in points:
        family = point.get("family")
        if family not in FAMILY_LINES or point["provenance"] != "published":
            continue
        sizes = by_family[family]
        if point["parameters"] not in sizes or point["value"] > sizes[point["parameters"]]["value"]:
            sizes[point["parameters"]] = point
    lines = []
    for family, sizes in by_family.items():
        if len(sizes) < 2:
            continue
        for parameters in sorted(sizes):
            point = sizes[parameters]
            lines.append({"family_name": FAMILY_LINES[family], "parameters": parameters, "value": point["value"], "model": point["model"], "size": point["size"]})
    return lines


def release_timeline(data: SiteData) -> Chart:
    """Model releases by date and size (the survey's timeline figure, extended)."""
    points = []
    for variant_id, (family, variant) in data.variants.items():
        date, parameters = data.variant_date(variant_id), variant.get("parameters")
        if not date or not parameters:
            continue
        points.append({
            "model": variant["name"],
            "family": family["name"],
            "date": date if len(date) > 7 else (date + "-01" if len(date) == 7 else date + "-01-01"),
            "released": date,
            "parameters": parameters,
            "size": format_params(parameters),
            "weights": _weights(data.variant_open(variant_id)),
            "survey": "in the survey" if family.get("in_survey") else "since / not in the survey",
        })
    points.sort(key=lambda p: (p["date"], p["model"]))
    title = "Code LLM releases by size"
    description = f"{title}: {len(points)} model variants with a known release date and size."
    columns = [("released", "Released"), ("model", "Model"), ("size", "Size"), ("weights", "Weights")]
    if not points:
        return Chart("timeline", title, description, None, columns, [])
    spec = _base(description, 340) | {
        "name": "points",
        "data": {"values": points},
        "mark": {"type": "point", "filled": True, "size": 60, "opacity": 0.8},
        "encoding": {
            "x": {"field": "date", "type": "temporal", "title": "Release date"},
            "y": _size_axis([p["parameters"] for p in points], "Parameters (log scale)"),
            "color": {"field": "weights", "type": "nominal", "title": "Weights", "scale": {"domain": ["open weights", "closed", "unknown"], "range": ["#2a9d8f", "#e76f51", "#8d99ae"]}},
            "shape": {"field": "survey", "type": "nominal", "title": "Survey"},
            "tooltip": [{"field": "model"}, {"field": "family"}, {"field": "size"}, {"field": "released"}, {"field": "weights"}],
        },
    }
    return Chart("timeline", title, description, spec, columns, points, len(points))


def pass_at_k_curves(data: SiteData, benchmark_id: str) -> Chart:
    """pass@k against k for every model variant with at least two published k from one source."""
    by_curve: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for result in data.results_of_benchmark(benchmark_id):
        if result.get("metric") != "pass-at-k" or not result.get("k"):
            continue
        source = (result.get("source") or {}).get("title", "")
        by_curve[(result["model"], source)].append({"k": result["k"], "value": result["value"]})
    points = []
    for (model, source), values in sorted(by_curve.items()):
        if len({v["k"] for v in values}) < 2:
            continue
        for value in sorted(values, key=lambda v: v["k"]):
            points.append({"model": data.name(model), "k": value["k"], "value": value["value"], "source": source})
    name = data.name(benchmark_id)
    title = f"pass@k curves on {name}"
    description = f"{title}: {len({p['model'] for p in points})} models with at least two values of k; click a legend entry to highlight one."
    columns = [("model", "Model"), ("k", "k"), ("value", "pass@k (%)"), ("source", "Source")]
    if not points:
        return Chart(f"passk-{benchmark_id}", title, description, None, columns, [])
    spec = _base(description, 360) | {
        "data": {"values": points},
        "params": [{"name": "pick", "select": {"type": "point", "fields": ["model"]}, "bind": "legend"}],
        "mark": {"type": "line", "point": True},
        "encoding": {
            "opacity": {"condition": {"param": "pick", "value": 1}, "value": 0.12},
            "x": {"field": "k", "type": "quantitative", "scale": {"type": "log"}, "title": "k (log scale)", "axis": {"values": sorted({p["k"] for p in points})}},
            "y": {"field": "value", "type": "quantitative", "title": "pass@k (%)"},
            "color": {"field": "model", "type": "nominal", "title": "Model", "legend": {"columns": 2, "symbolLimit": 120}},
            "detail": {"field": "source"},
            "tooltip": [{"field": "model"}, {"field": "k"}, {"field": "value", "format": ".1f"}, {"field": "source"}],
        },
    }
    return Chart(f"passk-{benchmark_id}", title, description, spec, columns, points, len(points))


def temperature_vs_score(data: SiteData) -> Chart:
    """Sampling temperature against pass@1 and pass@100: published numbers that report it, and our runs."""
    points = []
    for result in data.results:
        temperature = (result.get("decoding") or {}).get("temperature")
        label = metric_label(result)
        if temperature is None or label not in ("pass@1", "pass@100"):
            continue
        points.append({"model": data.name(result["model"]), "benchmark": data.name(result["benchmark"]), "temperature": temperature, "metric": label, "value": result["value"], "provenance": result.get("provenance", "published")})
    for run in data.runs:
        if run.temperature is None or not run.ranks:
            continue
        for label in ("pass@1", "pass@100"):
            if label in run.scores:
                points.append({"model": data.name(run.variant) if run.variant else run.model, "benchmark": data.name(run.benchmark), "temperature": run.temperature, "metric": label, "value": run.scores[label], "provenance": "reproduced"})
    title = "Temperature vs pass@1 and pass@100"
    description = f"{title}: {len(points)} numbers that report their sampling temperature."
    columns = [("model", "Model"), ("benchmark", "Benchmark"), ("temperature", "Temperature"), ("metric", "Metric"), ("value", "Value (%)"), ("provenance", "Provenance")]
    if not points:
        return Chart("temperature", title, description, None, columns, [])
    spec = _base(description) | {
        "name": "points",
        "data": {"values": points},
        "mark": {"type": "point", "filled": True, "size": 70},
        "encoding": {
            "x": {"field": "temperature", "type": "quantitative", "title": "Temperature"},
            "y": {"field": "value", "type": "quantitative", "title": "Score (%)"},
            "color": {"field": "metric", "type": "nominal", "title": "Metric"},
            "shape": {"field": "provenance", "type": "nominal", "title": "Provenance"},
            "tooltip": [{"field": "model"}, {"field": "benchmark"}, {"field": "temperature"}, {"field": "metric"}, {"field": "value", "format": ".1f"}],
        },
    }
    return Chart("temperature", title, description, spec, columns, points, len(points))


def best_over_time(data: SiteData, label: str = "pass@1", limit: int = 6) -> Chart:
    """The best score so far on each benchmark, by the date of the number (or of the model's release)."""
    boards = [b for b in data.leaderboards if b.label == label][:limit]
    points = []
    for board in boards:
        dated = []
        for row in board.rows:
            date = row.date or data.variant_date(row.model)
            if date:
                dated.append((_full_date(date), row))
        best = float("-inf")
        for date, row in sorted(dated, key=lambda item: (item[0], -item[1].value)):
            if row.value > best:
                best = row.value
                points.append({"benchmark": board.benchmark["name"], "date": date, "value": row.value, "model": row.model_name})
    title = f"Best {label} over time"
    description = f"{title}, per benchmark: each point is a new best ({len(points)} in all)."
    columns = [("benchmark", "Benchmark"), ("date", "Date"), ("model", "Model"), ("value", f"{label} (%)")]
    if not points:
        return Chart("best-over-time", title, description, None, columns, [])
    spec = _base(description) | {
        "data": {"values": points},
        "mark": {"type": "line", "interpolate": "step-after", "point": True},
        "encoding": {
            "x": {"field": "date", "type": "temporal", "title": "Date"},
            "y": {"field": "value", "type": "quantitative", "title": f"Best {label} (%)"},
            "color": {"field": "benchmark", "type": "nominal", "title": "Benchmark"},
            "tooltip": [{"field": "benchmark"}, {"field": "model"}, {"field": "date", "type": "temporal"}, {"field": "value", "format": ".1f"}],
        },
    }
    return Chart("best-over-time", title, description, spec, columns, points, len(points))


def _full_date(date: str) -> str:
    return date if len(date) == 10 else (date + "-01" if len(date) == 7 else date + "-01-01")


def main_benchmark(data: SiteData) -> str | None:
    """The benchmark the overview charts use: HumanEval when present, else the one with most results."""
    if "humaneval" in data.by_id:
        return "humaneval"
    return data.leaderboards[0].benchmark["id"] if data.leaderboards else None


def temperature_analysis(analysis: dict[str, Any]) -> Chart:
    """One stored temperature analysis (`nl2code analyze temperature`): pass@k against the
    temperature, a line per k, each point with its bootstrap interval over problems."""
    inputs = analysis["summary"].get("inputs", {})
    ks = inputs.get("ks") or [1]
    points = []
    for row in analysis["summary"].get("rows", []):
        for k in ks:
            value, ci = row.get(f"pass@{k}"), row.get(f"pass@{k}_ci")
            if value is None:
                continue
            points.append({
                "temperature": row["temperature"], "metric": f"pass@{k}", "value": 100 * value,
                "low": 100 * ci[0] if ci else None, "high": 100 * ci[1] if ci else None,
                "run": row["run_id"], "problems": row.get("problems"),
            })
    model, benchmark = analysis.get("model") or inputs.get("model", ""), analysis.get("benchmark", "")
    model = model.rsplit("/", 1)[-1]  # a local model file's name, not where it sits
    pending = analysis["summary"].get("pending") or []
    title = f"Temperature vs pass@k: {model} on {benchmark}"
    if pending:
        done = len(inputs.get("temperatures") or []) - len(pending)
        title += f" (partial: {done} of {done + len(pending)} temperatures)"
    problems = max((p["problems"] or 0 for p in points), default=0)
    description = f"{title} ({problems} problems, n={inputs.get('n')} samples each): a stored analysis of {len({p['run'] for p in points})} runs; bars are 95% bootstrap intervals over problems."
    if pending:
        description += f" Still to run: T={', '.join(f'{t:g}' for t in pending)}."
    columns = [("temperature", "Temperature"), ("metric", "Metric"), ("value", "Value (%)"), ("low", "CI low"), ("high", "CI high"), ("run", "Run")]
    chart_id = f"analysis-{_chart_slug(analysis['id'])}"
    if not points:
        return Chart(chart_id, title, description, None, columns, [])
    x = {"field": "temperature", "type": "quantitative", "title": "Sampling temperature"}
    color = {"field": "metric", "type": "nominal", "title": "Metric", "sort": [f"pass@{k}" for k in ks]}
    spec = _base(description) | {
        "data": {"values": points},
        "layer": [
            {"name": "intervals", "mark": {"type": "rule", "opacity": 0.6}, "encoding": {"x": x, "y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}, "color": color}},
            {"name": "points", "mark": {"type": "line", "point": True}, "encoding": {
                "x": x, "y": {"field": "value", "type": "quantitative", "title": "pass@k (%)", "scale": {"domain": [0, 100]}}, "color": color,
                "tooltip": [{"field": "metric"}, {"field": "temperature"}, {"field": "value", "format": ".1f"}, {"field": "low", "format": ".1f"}, {"field": "high", "format": ".1f"}, {"field": "run"}],
            }},
        ],
    }
    return Chart(chart_id, title, description, spec, columns, points, len(points))


def rerank_comparison(reranks: list[dict[str, Any]]) -> Chart:
    """Stored rerankings (`nl2code rerank`): pass@1 of the top-ranked sample beside the unranked
    estimate, one pair of bars per reranking."""
    points = []
    for record in reranks:
        summary = record["summary"]
        label = f"{summary.get('method')}: {record.get('model') or '?'} ({record['id']})"  # the method first: long labels are cut
        for kind, key in (("reranked", "reranked"), ("unranked", "baseline")):
            value = (summary.get(key) or {}).get("pass@1")
            if value is None:
                continue
            points.append({"reranking": label, "benchmark": record.get("benchmark"), "method": summary.get("method"), "kind": kind,
                           "value": 100 * value, "checks": summary.get("checks"), "seconds": summary.get("seconds"), "source_run": summary.get("source_run")})
    title = "Judging samples by execution: pass@1 reranked vs unranked"
    description = f"{title}: {len(reranks)} stored rerankings; each ranks a run's samples (CodeT's dual agreement, MBR-exec, or the prompt's examples) and scores the top pick."
    columns = [("reranking", "Reranking"), ("benchmark", "Benchmark"), ("kind", "Pick"), ("value", "pass@1 (%)"), ("checks", "Checks"), ("seconds", "Seconds"), ("source_run", "Source run")]
    if not points:
        return Chart("rerank", title, description, None, columns, [])
    spec = _base(description, 60 + 50 * len(reranks)) | {
        "name": "points",
        "data": {"values": points},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "reranking", "type": "nominal", "title": None, "axis": {"labelLimit": 360}},
            "yOffset": {"field": "kind", "sort": ["unranked", "reranked"]},
            "x": {"field": "value", "type": "quantitative", "title": "pass@1 (%)", "scale": {"domain": [0, 100]}},
            "color": {"field": "kind", "type": "nominal", "title": "Pick", "scale": {"domain": ["unranked", "reranked"], "range": ["#8d99ae", "#2a9d8f"]}},
            "tooltip": [{"field": "reranking"}, {"field": "kind"}, {"field": "value", "format": ".1f"}, {"field": "checks"}, {"field": "seconds"}],
        },
    }
    return Chart("rerank", title, description, spec, columns, points, len(points))


def _chart_slug(text: str) -> str:
    return "".join(c if c.isalnum() or c == "-" else "-" for c in text)


def text_vs_exec(analysis: dict[str, Any]) -> Chart:
    """One stored text-vs-exec analysis (`nl2code analyze text-vs-exec`): per text metric, how well
    its per-sample score separates passing from failing samples (ROC AUC over all samples and the
    mean within-problem AUC), each with its bootstrap interval; 0.5 is chance, 1.0 a verdict."""
    summary = analysis["summary"]
    points = []
    for row in summary.get("rows", []):
        for measure, key in (("ROC AUC", "roc_auc"), ("within-problem AUC", "within_problem_auc")):
            value, ci = row.get(key), row.get(f"{key}_ci")
            if value is None:
                continue
            points.append({"metric": row["metric"], "measure": measure, "value": value, "low": ci[0] if ci else None, "high": ci[1] if ci else None,
                           "spearman": row.get("spearman"), "samples": row.get("samples"), "passed": row.get("passed")})
    model = (analysis.get("model") or "").rsplit("/", 1)[-1]
    title = f"Text metrics vs execution: {model} on {analysis.get('benchmark', '')}"
    first = (summary.get("rows") or [{}])[0]
    description = (f"{title} ({first.get('samples')} samples, {first.get('passed')} passing, run {summary.get('inputs', {}).get('run')}): how well each text "
                   "metric's score tells passing from failing samples; 0.5 is chance, 1.0 would be as good as running the tests. Bars are 95% bootstrap intervals over problems.")
    columns = [("metric", "Metric"), ("measure", "Measure"), ("value", "Value"), ("low", "CI low"), ("high", "CI high"), ("spearman", "Spearman rho")]
    chart_id = f"analysis-{_chart_slug(analysis['id'])}"
    if not points:
        return Chart(chart_id, title, description, None, columns, [])
    y = {"field": "metric", "type": "nominal", "title": None, "sort": {"field": "value", "op": "max", "order": "descending"}}
    color = {"field": "measure", "type": "nominal", "title": "Measure", "sort": ["ROC AUC", "within-problem AUC"]}
    x = {"field": "value", "type": "quantitative", "title": "AUC (0.5 = chance)", "scale": {"domain": [0.4, 1.0]}}
    spec = _base(description, 40 + 34 * len({p["metric"] for p in points})) | {
        "data": {"values": points},
        "layer": [
            {"name": "intervals", "mark": {"type": "rule", "opacity": 0.7}, "encoding": {"y": y, "yOffset": {"field": "measure"}, "x": {"field": "low", "type": "quantitative"}, "x2": {"field": "high"}, "color": color}},
            {"name": "points", "mark": {"type": "point", "filled": True, "size": 70}, "encoding": {
                "y": y, "yOffset": {"field": "measure"}, "x": x, "color": color,
                "tooltip": [{"field": "metric"}, {"field": "measure"}, {"field": "value", "format": ".3f"}, {"field": "low", "format": ".3f"}, {"field": "high", "format": ".3f"}, {"field": "spearman", "format": ".3f"}],
            }},
            {"name": "chance", "data": {"values": [{"value": 0.5}]}, "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#888"}, "encoding": {"x": {"field": "value", "type": "quantitative"}}},
        ],
    }
    return Chart(chart_id, title, description, spec, columns, points, len(points))
