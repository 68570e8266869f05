"""Renders the static site: HTML pages from Jinja2 templates at build time, plus the data files
(search documents, leaderboards and runs as JSON and CSV) and the static assets."""

from __future__ import annotations

import csv
import io
import json
import logging
import shutil
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from nl2code import __version__
from nl2code.site import _charts
from nl2code.site._data import (
    FACETS,
    KIND_DIRS,
    SIZE_BUCKETS,
    SiteData,
    facet_counts,
    format_params,
    label_slug,
    metric_label,
    size_bucket,
    slug,
)

log = logging.getLogger(__name__)

STATIC = "static"
MAX_SAMPLE_ROWS = 5000  # per-sample verdicts printed on a run page; the CSV has them all


@dataclass(frozen=True, slots=True)
class BuildReport:
    out: Path
    pages: int
    data_files: int
    leaderboards: int
    runs: int


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("nl2code.site", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["params"] = format_params
    env.filters["score"] = lambda v: "" if v is None else f"{v:.1f}"
    env.filters["pct"] = lambda v: "" if v is None else f"{100 * v:.0f}%"
    env.filters["tojson_script"] = _json_for_script
    env.filters["label_slug"] = label_slug
    env.filters["slug"] = slug
    env.globals["version"] = __version__
    return env


def _json_for_script(value: Any) -> Markup:
    """JSON safe inside <script type="application/json">: with every '<' escaped, no text can close the element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return Markup(text)


class _Writer:
    def __init__(self, out: Path, env: jinja2.Environment, data: SiteData) -> None:
        self.out, self.env, self.data = out, env, data
        self.pages = 0
        self.data_files = 0

    def page(self, path: str, template: str, **context: Any) -> None:
        depth = path.count("/")
        root = "../" * depth
        html = self.env.get_template(template).render(root=root, path=path, site=self.data, **context)
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        self.pages += 1

    def json(self, path: str, value: Any) -> None:
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        self.data_files += 1

    def csv(self, path: str, records: list[dict[str, Any]], fields: list[str] | None = None) -> None:
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.StringIO()
        fields = fields or (list(records[0]) if records else [])
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({k: _csv_cell(record.get(k)) for k in fields})
        target.write_text(buffer.getvalue(), encoding="utf-8")
        self.data_files += 1


def _csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def build_site(
    out: str | Path,
    catalog: dict[str, list[dict[str, Any]]],
    runs: list[Any] | None = None,
    computed_stats: dict[str, dict[str, Any]] | None = None,
    analyses: list[dict[str, Any]] | None = None,
    reproductions: str | Path | None = None,
) -> BuildReport:
    """Writes the whole site under `out` (replacing what a previous build left there).

    `catalog` is the catalog export (`nl2code.catalog.to_dict`), `runs` a list of `RunView`,
    `computed_stats` maps a benchmark id to statistics computed from its data
    (`nl2code.benchmarks.stats.compute`), shown next to the published ones; `analyses` are the
    stored analyses and rerankings (`nl2code.analyses.analyses_from_store`), charted with their data;
    `reproductions` a reproductions folder (`nl2code.reproduce`) whose measured records are shown
    beside the published figures they reproduce.
    """
    from nl2code.reproduce import load_records

    out = Path(out)
    records = load_records(Path(reproductions)) if reproductions else []
    data = SiteData(catalog, runs, records)
    _clear(out)
    writer = _Writer(out, _env(), data)
    _copy_static(out / STATIC)
    (out / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve the files as they are

    docs = data.documents()
    writer.json("data/search.json", docs)
    writer.json("data/catalog.json", catalog)
    writer.page("index.html", "home.html", counts=data.counts(), news=data.whats_new(), newest=data.newest_numbers(), boards=data.leaderboards[:6])
    writer.page("explore.html", "explore.html", docs=docs, facets=FACETS, facet_counts=facet_counts(docs))
    size_charts = _write_leaderboards(writer, data)
    _write_charts(writer, data, size_charts, analyses or [])
    _write_entities(writer, data, computed_stats or {})
    for run in data.runs:
        _write_run(writer, run)
    writer.page("runs.html", "runs.html", runs=data.runs)
    _write_reproductions(writer, data, Path(reproductions) if reproductions else None)
    report = BuildReport(out, writer.pages, writer.data_files, len(data.leaderboards), len(data.runs))
    log.info("built %d pages and %d data files under %s", report.pages, report.data_files, out)
    return report


def _clear(out: Path) -> None:
    """Removes what an earlier build wrote (and nothing else a user keeps in the folder)."""
    for child in ("index.html", "explore.html", "leaderboards.html", "charts.html", "runs.html", "reproductions.html", *KIND_DIRS.values(), "leaderboards", "runs", "data", STATIC):
        target = out / child
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    out.mkdir(parents=True, exist_ok=True)


def _write_leaderboards(writer: _Writer, data: SiteData) -> dict[str, _charts.Chart]:
    """One page and its CSV/JSON per leaderboard; returns each board's size-vs-score chart."""
    size_charts = {}
    bucket_order = [label for label, _ in SIZE_BUCKETS]
    for board in data.leaderboards:
        records = [row.record() for row in board.rows]
        writer.json(f"data/leaderboards/{board.key}.json", {"benchmark": board.benchmark["id"], "metric": board.label, "rows": records})
        writer.csv(f"data/leaderboards/{board.key}.csv", records)
        chart = size_charts[board.key] = _charts.size_vs_score(board)
        buckets = sorted({size_bucket(r.parameters) for r in board.rows} - {None}, key=bucket_order.index)
        types = sorted({r.model_type for r in board.rows if r.model_type})
        writer.page(board.url, "leaderboard.html", board=board, records=records, chart=chart, buckets=buckets, bucket_of=size_bucket, types=types)
    writer.page("leaderboards.html", "leaderboards.html", boards=data.leaderboards)
    return size_charts


def _write_charts(writer: _Writer, data: SiteData, size_charts: dict[str, _charts.Chart], analyses: list[dict[str, Any]]) -> None:
    main = _charts.main_benchmark(data)
    main_board = data.leaderboard(main, "pass@1") if main else None
    charts = [
        size_charts[main_board.key] if main_board else None,
        _charts.release_timeline(data),
        _charts.pass_at_k_curves(data, main) if main else None,
        _charts.temperature_vs_score(data),
        _charts.best_over_time(data),
        *_analysis_charts(writer, analyses),
    ]
    writer.page("charts.html", "charts.html", charts=[c for c in charts if c is not None])


ANALYSIS_CHARTS = {"temperature": _charts.temperature_analysis, "text-vs-exec": _charts.text_vs_exec}
RECORD_FIELDS = ("id", "kind", "model", "benchmark", "created_at", "command", "settings", "summary", "partial")


def _analysis_charts(writer: _Writer, analyses: list[dict[str, Any]]) -> list[_charts.Chart]:
    """A chart per stored analysis (temperature, text-vs-exec) and one for the rerankings, each with
    its data as JSON (the stored record) and CSV (the chart's rows), plus the per-sample data files
    of the analyses read from the repository's analyses/ folder (`nl2code.analysis_files`)."""
    charts = []
    for analysis in analyses:
        draw = ANALYSIS_CHARTS.get(analysis["summary"].get("analysis", "")) if analysis["kind"] == "analysis" else None
        if draw is None:
            continue
        chart = _with_downloads(writer, draw(analysis), f"data/analyses/{slug(analysis['id'])}", _record(analysis))
        charts.append(_with_files(writer, chart, [analysis]))
    reranks = [a for a in analyses if a["kind"] == "rerank"]
    if reranks:
        chart = _with_downloads(writer, _charts.rerank_comparison(reranks), "data/analyses/rerank", [_record(r) for r in reranks])
        charts.append(_with_files(writer, chart, reranks))
    return charts


def _record(analysis: dict[str, Any]) -> dict[str, Any]:
    return {k: analysis[k] for k in RECORD_FIELDS if k in analysis}


def _with_downloads(writer: _Writer, chart: _charts.Chart, base: str, record: Any) -> _charts.Chart:
    writer.json(f"{base}.json", record)
    writer.csv(f"{base}.csv", chart.rows, [field for field, _ in chart.columns])
    chart.downloads = [("JSON", f"{base}.json"), ("CSV", f"{base}.csv")]
    return chart


def _with_files(writer: _Writer, chart: _charts.Chart, analyses: list[dict[str, Any]]) -> _charts.Chart:
    """Copy the analyses' data files (from the analyses folder) next to the chart's data and link
    them; add the commands that made each and its note."""
    for analysis in analyses:
        for path, _description in analysis.get("files", []):
            name = Path(path).name
            target = writer.out / "data" / "analyses" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            writer.data_files += 1
            chart.downloads.append((name, f"data/analyses/{name}"))  # described in the manifest and docs/analyses.md
        chart.commands = list(dict.fromkeys(chart.commands + (analysis.get("commands") or ([analysis["command"]] if analysis.get("command") else []))))
        if analysis.get("note"):
            chart.note = " ".join(filter(None, [chart.note, analysis["note"]]))
    return chart


def _write_entities(writer: _Writer, data: SiteData, computed_stats: dict[str, dict[str, Any]]) -> None:
    """A page per model family, benchmark, paper and metric."""
    for family in data.models:
        variant_ids = {v["id"] for v in family.get("variants", [])}
        runs = [r for r in data.runs if r.variant in variant_ids]
        writer.page(f"models/{family['id']}.html", "model.html", family=family, results=data.results_of_model(family), runs=runs)
    for bench in data.benchmarks:
        boards = [b for b in data.leaderboards if b.benchmark["id"] == bench["id"]]
        runs = [r for r in data.runs if r.benchmark == bench["id"]]
        computed = computed_stats.get(bench["id"])
        results = sorted(data.results_of_benchmark(bench["id"]), key=lambda r: (metric_label(r), -r["value"]))
        writer.page(f"benchmarks/{bench['id']}.html", "benchmark.html", bench=bench, boards=boards, runs=runs, results=results, computed=computed, stat_rows=_stat_rows(bench, computed))
    for paper in data.papers:
        results = [r for r in data.results if (r.get("source") or {}).get("paper") == paper["id"]]
        writer.page(f"papers/{paper['id']}.html", "paper.html", paper=paper, cited_by=_cited_by(data, paper["id"]), results=results)
    for metric in data.metrics:
        boards = [b for b in data.leaderboards if b.metric and b.metric["id"] == metric["id"]]
        writer.page(f"metrics/{metric['id']}.html", "metric.html", metric=metric, boards=boards)


def _write_run(writer: _Writer, run: Any) -> None:
    base = f"data/runs/{slug(run.id)}"
    problems = [{"task_id": p.task_id, "samples": p.samples, "passed": p.passed, "pass_rate": round(p.rate, 6)} for p in run.problems]
    samples = [
        {"task_id": s.task_id, "sample_index": s.sample_index, "status": s.status, "duration_s": s.duration_s, "tests_passed": s.tests_passed, "tests_total": s.tests_total, "detail": s.detail}
        for s in run.samples
    ]
    summary = {
        "id": run.id, "model": run.model, "variant": run.variant, "benchmark": run.benchmark,
        "benchmark_version": run.benchmark_version, "backend": run.backend, "status": run.status,
        "started_at": run.started_at, "finished_at": run.finished_at, "temperature": run.temperature,
        "top_p": run.top_p, "n": run.n, "max_new_tokens": run.max_new_tokens, "prompt_style": run.prompt_style,
        "package_version": run.package_version, "isolation": run.isolation, "benchmark_sha256": run.benchmark_sha256,
        "prompt_template_sha256": run.prompt_template_sha256, "command": run.command, "scores": run.scores,
        "config": run.config, "seed": run.seed, "spec": run.spec, "ranks": run.ranks, "not_ranked_because": run.exclusion,
    }
    writer.json(f"{base}.json", {**summary, "problems": problems, "samples": samples})
    writer.csv(f"{base}-problems.csv", problems, ["task_id", "samples", "passed", "pass_rate"])
    writer.csv(f"{base}-samples.csv", samples, ["task_id", "sample_index", "status", "duration_s", "tests_passed", "tests_total", "detail"])
    shown, seen = [], set()
    for sample in run.samples[:MAX_SAMPLE_ROWS]:
        anchor = "s-" + slug(sample.task_id)
        shown.append((sample, None if anchor in seen else anchor))
        seen.add(anchor)
    downloads = {"json": f"{base}.json", "problems": f"{base}-problems.csv", "samples": f"{base}-samples.csv"}
    decoding = run.decoding
    verdicts = Counter(s.status for s in run.samples).most_common()
    writer.page(run.url, "run.html", run=run, sample_rows=shown, downloads=downloads, decoding=decoding, verdicts=verdicts)


def _write_reproductions(writer: _Writer, data: SiteData, directory: Path | None) -> None:
    """The reproductions page: published and reproduced side by side, with each record and its
    per-sample verdicts as downloads."""
    from nl2code.reproduce import samples_file

    rows = []
    for record in data.reproductions:
        base = f"data/reproductions/{slug(record['name'])}"
        writer.json(f"{base}.json", record)
        source = samples_file(directory, record["name"]) if directory else None
        if source is not None:
            target = writer.out / f"{base}-samples.csv.gz"
            shutil.copyfile(source, target)
            writer.data_files += 1
        for label, row in data.reproduction_rows(record).items():
            rows.append((record, label, row, f"{base}.json", f"{base}-samples.csv.gz" if source else None))
    writer.page("reproductions.html", "reproductions.html", rows=rows)


STATISTICS = (
    ("problems", "instances", "Problems"),
    ("avg_tests", "avg_test_cases", "Test cases per problem"),
    ("avg_problem_chars", "avg_problem_chars", "Problem length (characters)"),
    ("avg_problem_lines", "avg_problem_lines", "Problem length (lines)"),
    ("avg_solution_chars", "avg_solution_chars", "Solution length (characters)"),
    ("avg_solution_lines", "avg_solution_lines", "Solution length (lines)"),
)


def _stat_rows(bench: dict[str, Any], computed: dict[str, Any] | None) -> list[tuple[str, Any, Any]]:
    """(label, published, computed) for each statistic either side has."""
    published, computed = {**(bench.get("statistics") or {}), "instances": bench.get("instances")}, computed or {}
    rows = []
    for computed_key, published_key, label in STATISTICS:
        pub = published.get(published_key)
        if pub is not None or computed.get(computed_key) is not None:
            rows.append((label, pub, computed.get(computed_key)))
    for key, value in (published.get("extra") or {}).items():
        rows.append((key, value, None))
    return rows


def _cited_by(data: SiteData, paper_id: str) -> list[dict[str, Any]]:
    entities = [e for e in (*data.models, *data.benchmarks, *data.metrics) if e.get("paper") == paper_id]
    return sorted(entities, key=lambda e: (e["kind"], e["name"].lower()))


def _copy_static(target: Path) -> None:
    source = resources.files("nl2code.site") / STATIC
    with resources.as_file(source) as path:
        shutil.copytree(path, target, ignore=shutil.ignore_patterns("*.md"))
