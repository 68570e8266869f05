"""The site's view of its inputs: the catalog export (plain dicts) and our runs, turned into
pages, search documents, facets and leaderboards. Pure data; no HTML here."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

KINDS = ("model", "benchmark", "paper", "metric")
KIND_DIRS = {"model": "models", "benchmark": "benchmarks", "paper": "papers", "metric": "metrics"}
OPEN_WEIGHTS = {"open", "on-request"}
# Run kinds that test the harness, not a model (the store's `kind`), and what the Runs page says.
HARNESS_KINDS = {"selfcheck": "reference solutions (self-check)", "demo": "demo file, not a model's output"}
# Model labels that name a benchmark's own solutions rather than a model (e.g. "codegeex-ref").
_REFERENCE_LABEL = re.compile(r"(^|[-_ /.])(ref|refs|reference|references|canonical|gold|oracle)([-_ /.]|$)", re.I)
# nl2code's multilingual benchmark families ("humaneval-x-rust") and the catalog benchmark each
# language's runs belong to; the language codes they use and how the site names them.
BENCHMARK_FAMILIES = {"humaneval-x": "humaneval-x", "multipl-e": "multipl-humaneval", "mbxp": "mbxp",
                      "multi-humaneval": "mbxp-humaneval", "mathqa-x": "mbxp-mathqa"}
LANGUAGE_NAMES = {
    "cpp": "C++", "cs": "C#", "csharp": "C#", "d": "D", "go": "Go", "java": "Java", "jl": "Julia", "js": "JavaScript",
    "javascript": "JavaScript", "kotlin": "Kotlin", "lua": "Lua", "perl": "Perl", "php": "PHP", "pl": "Perl", "py": "Python",
    "python": "Python", "r": "R", "rb": "Ruby", "rkt": "Racket", "rs": "Rust", "ruby": "Ruby", "rust": "Rust", "scala": "Scala",
    "sh": "Bash", "swift": "Swift", "ts": "TypeScript", "typescript": "TypeScript",
}
# Which of a variant's reported values a default view shows: the standard setting, a number read
# at its source, the most primary kind of source, then the earliest.
SOURCE_ORDER = ("paper", "model-card", "repository", "leaderboard", "blog", "site", "survey", "nl2code-reproduction", "nl2code-run")

# (label, upper bound in parameters, exclusive); the last bucket has no bound.
SIZE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("< 1B", 1e9),
    ("1B–7B", 7.5e9),
    ("7B–20B", 20.5e9),
    ("20B–70B", 70.5e9),
    ("≥ 70B", float("inf")),
)
FACETS: tuple[tuple[str, str], ...] = (
    ("kind", "Type"),
    ("architecture", "Architecture"),
    ("weights", "Open weights"),
    ("size", "Size"),
    ("year", "Year"),
    ("language", "Programming language"),
    ("scenario", "Scenario"),
    ("tag", "Tag"),
)


class Record(dict):
    """A catalog entity whose absent fields read as None (templates need not test for each key)."""

    def __missing__(self, key: str) -> None:
        return None


def _records(value: Any) -> Any:
    if isinstance(value, dict):
        return Record((k, _records(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_records(v) for v in value]
    return value


def slug(text: str) -> str:
    """A file-name-safe form of an id (catalog ids already are; run ids may not be)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return cleaned or "x"


def size_bucket(parameters: float | None) -> str | None:
    if not parameters:
        return None
    return next(label for label, bound in SIZE_BUCKETS if parameters < bound)


def format_params(parameters: float | None) -> str:
    """1_300_000_000 -> '1.3B', 350_000_000 -> '350M'."""
    if not parameters:
        return ""
    for unit, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if parameters >= scale:
            value = parameters / scale
            text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 100 else f"{value:.0f}"
            return text + unit
    return str(int(parameters))


def year_of(date: str | None) -> str | None:
    return date[:4] if date else None


def metric_label(result: dict[str, Any]) -> str:
    if result.get("metric_label"):
        return result["metric_label"]
    metric, k = result.get("metric", ""), result.get("k")
    if metric == "pass-at-k" and k:
        return f"pass@{k}"
    if metric == "n-at-k" and k:
        return f"n@{k}"
    return metric


def label_slug(label: str) -> str:
    """'pass@1' -> 'pass-1' (file names and URLs)."""
    return slug(label.replace("@", "-"))


@dataclass(frozen=True, slots=True)
class ProblemRow:
    task_id: str
    samples: int
    passed: int

    @property
    def rate(self) -> float:
        return self.passed / self.samples if self.samples else 0.0


@dataclass(frozen=True, slots=True)
class SampleRow:
    task_id: str
    sample_index: int
    status: str
    duration_s: float | None = None
    tests_passed: int | None = None
    tests_total: int | None = None
    detail: str = ""


@dataclass(slots=True)
class RunView:
    """One of our runs as the site shows it, read from the results store."""

    id: str
    model: str  # the backend's model id, as the run recorded it
    benchmark: str
    benchmark_version: str | None = None
    backend: str | None = None
    status: str | None = None
    kind: str | None = None  # evaluate | run | selfcheck | demo (the store's run kind)
    started_at: str | None = None
    finished_at: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    n: int | None = None
    max_new_tokens: int | None = None
    prompt_style: str | None = None
    package_version: str | None = None
    isolation: str | None = None
    benchmark_sha256: str | None = None
    prompt_template_sha256: str | None = None
    command: str | None = None
    scores: dict[str, float] = field(default_factory=dict)  # "pass@1" -> percent
    problems: list[ProblemRow] = field(default_factory=list)
    samples: list[SampleRow] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    variant: str | None = None  # catalog variant id, when the run's model is in the catalog
    problems_in_benchmark: int | None = None  # as the run's summary recorded it (None in old stores)
    seed: int | None = None
    language: str | None = None  # of a multilingual benchmark's run ("Rust" for humaneval-x-rust)
    spec: dict[str, Any] | None = None  # the run spec stored at creation (schema 3); None in older stores
    generated_by: str | None = None  # "openai (generic)": the backend that generated the samples
    generated_model: str | None = None  # the model id the backend was asked for
    exclusion: str | None = None  # why the run does not rank (None: it ranks); set by SiteData
    status_detail: str | None = None  # for a run not complete: which process runs it, or why it is taken as interrupted
    samples_expected: int | None = None  # the samples the run is to judge (its samples file's)

    @property
    def ranks(self) -> bool:
        return self.exclusion is None

    @property
    def from_file(self) -> bool:
        """The spec says the samples were read from a file, not generated by nl2code."""
        return self.spec is not None and not self.spec.get("generation")

    @property
    def decoding(self) -> str:
        """The decoding settings as the run stored them."""
        if self.from_file:
            return "not recorded: the samples came from a file"
        per_problem = self.n or max((p.samples for p in self.problems), default=None)
        return describe_decoding({"temperature": self.temperature, "top_p": self.top_p, "n": per_problem,
                                  "seed": self.seed, "max_new_tokens": self.max_new_tokens})

    @property
    def url(self) -> str:
        return f"runs/{slug(self.id)}.html"

    @property
    def scores_a_model(self) -> bool:
        """Self-checks run the benchmark's own solutions and the demo a synthetic file: they test
        the harness, not a model."""
        return self.kind not in {"selfcheck", "demo"}

    @property
    def date(self) -> str | None:
        return (self.started_at or "")[:10] or None


@dataclass(frozen=True, slots=True)
class Comparison:
    published: float
    source_title: str
    source_url: str | None
    reproduced: float
    ci: tuple[float, float] | None  # bootstrap interval of the reproduced number

    @property
    def difference(self) -> float:
        return self.reproduced - self.published

    @property
    def difference_ci(self) -> tuple[float, float] | None:
        """The published figure is a fixed number, so the difference's interval is the reproduced
        number's bootstrap interval shifted by it."""
        return (self.ci[0] - self.published, self.ci[1] - self.published) if self.ci else None

    def text(self) -> str:
        interval = f" [{self.difference_ci[0]:+.1f}, {self.difference_ci[1]:+.1f}]" if self.difference_ci else ""
        return f"{self.difference:+.1f}{interval}"


@dataclass(slots=True)
class Row:
    """One leaderboard row: a number and everything needed to trust it."""

    model: str  # variant id or run model
    model_name: str
    model_url: str | None
    family: str | None
    parameters: float | None
    open_weights: bool | None
    value: float
    provenance: str  # published | reproduced
    source_title: str
    source_url: str | None
    source_table: str | None
    source_kind: str | None
    verified: bool
    decoding: str
    prompt_style: str
    harness: str
    setting: str | None
    date: str | None
    note: str | None
    run_id: str | None = None
    run_url: str | None = None
    command: str | None = None
    result_id: str | None = None
    language: str | None = None  # a multilingual benchmark's subset
    model_type: str | None = None  # base | instruct | python | other (the variant's)
    open_data: bool | None = None
    released: str | None = None  # the variant's (else its family's) release date
    contaminated: bool = False  # released after a known-to-leak benchmark's data was public
    published_here: str | None = None  # for a reproduced number: the published ones for the same model
    # One row per model variant in a default view: `primary` over every row, and over the rows of
    # each provenance alone (what the published / reproduced toggles show).
    primary: bool = False
    primary_published: bool = False
    primary_reproduced: bool = False
    others: list[str] = field(default_factory=list)  # the variant's other reported values, as text
    # A reproduced number compared with the published figure it reproduces: published value,
    # its source, the difference (reproduced - published) and that difference's 95% bootstrap interval.
    comparison: Comparison | None = None
    reproduction: str | None = None  # name of the reproduction (reproductions/NAME.yaml)
    samples_download: str | None = None  # site path of the per-sample verdicts
    generations: dict[str, Any] | None = None  # the released file measured: repository, commit, path, sha256
    reproduced: Row | None = None  # on a default-view row: the variant's reproduced number on this board

    @property
    def summary(self) -> str:
        """'40.8 (Li et al. 2023, Table 3; prompted; instruct prompt)': one reported value in a line."""
        where = self.source_title + (f", {self.source_table}" if self.source_table else "")
        extra = [self.setting] if self.setting else []
        if self.prompt_style not in ("unknown", ""):
            extra.append(f"{self.prompt_style} prompt")
        label = "nl2code" if self.provenance == "reproduced" else where
        return f"{self.value:.1f} ({'; '.join([label, *extra])})"

    def record(self) -> dict[str, Any]:
        """The row as downloaded (CSV / JSON)."""
        return {
            "model": self.model,
            "model_name": self.model_name,
            "family": self.family,
            "parameters": int(self.parameters) if self.parameters else None,
            "open_weights": self.open_weights,
            "open_data": self.open_data,
            "model_type": self.model_type,
            "released": self.released,
            "contamination_risk": self.contaminated,
            "language": self.language,
            "value": self.value,
            "provenance": self.provenance,
            "source": self.source_title,
            "source_url": self.source_url,
            "source_table": self.source_table,
            "verified": self.verified,
            "decoding": self.decoding,
            "prompt_style": self.prompt_style,
            "harness": self.harness,
            "setting": self.setting,
            "date": self.date,
            "run_id": self.run_id,
            "command": self.command,
            "note": self.note,
            "primary": self.primary,
            "reproduction": self.reproduction,
            "published_value": self.comparison.published if self.comparison else None,
            "difference": round(self.comparison.difference, 4) if self.comparison else None,
            "difference_ci": [round(x, 4) for x in self.comparison.difference_ci] if self.comparison and self.comparison.difference_ci else None,
            "generations_sha256": (self.generations or {}).get("sha256"),
            "samples_download": self.samples_download,
        }


@dataclass(slots=True)
class Leaderboard:
    benchmark: dict[str, Any]
    label: str  # "pass@1"
    metric: dict[str, Any] | None
    rows: list[Row]

    @property
    def key(self) -> str:
        return f"{self.benchmark['id']}--{label_slug(self.label)}"

    @property
    def url(self) -> str:
        return f"leaderboards/{self.key}.html"

    @property
    def title(self) -> str:
        return f"{self.benchmark['name']} {self.label}"

    @property
    def higher_is_better(self) -> bool:
        return bool((self.metric or {}).get("higher_is_better", True))

    def count(self, provenance: str) -> int:
        return sum(1 for row in self.rows if row.provenance == provenance)

    @property
    def primary_rows(self) -> list[Row]:
        """The default view: one row per model variant."""
        return [row for row in self.rows if row.primary]

    @property
    def best(self) -> Row | None:
        return next(iter(self.primary_rows), None)

    @property
    def languages(self) -> list[str]:
        """The programming languages of a multilingual board's rows (empty for a one-language one)."""
        return sorted({row.language for row in self.rows if row.language}, key=str.lower)

    def by_language(self) -> list[tuple[Row, dict[str, Row]]]:
        """One line per model: its default-view number in each language (the layout users expect
        of MultiPL-E and HumanEval-X), models ordered by their mean over the languages they have."""
        lines: dict[str, dict[str, Row]] = defaultdict(dict)
        for row in self.primary_rows:
            if row.language:
                lines[row.model][row.language] = row
        def mean(cells: dict[str, Row]) -> float:
            return sum(r.value for r in cells.values()) / len(cells)
        ordered = sorted(lines.values(), key=lambda cells: -mean(cells) if self.higher_is_better else mean(cells))
        return [(next(iter(cells.values())), cells) for cells in ordered]


def describe_decoding(decoding: dict[str, Any] | None) -> str:
    decoding = {k: v for k, v in (decoding or {}).items() if v is not None}
    if not decoding:
        return "not reported"
    parts = []
    if decoding.get("greedy"):
        parts.append("greedy")
    if decoding.get("temperature") is not None and not decoding.get("greedy"):
        parts.append(f"T={decoding['temperature']:g}")
    if decoding.get("top_p") is not None:
        parts.append(f"top-p={decoding['top_p']:g}")
    if decoding.get("n") is not None:
        parts.append(f"n={decoding['n']}")
    if decoding.get("seed") is not None:
        parts.append(f"seed {decoding['seed']}")
    if decoding.get("max_new_tokens") is not None:
        parts.append(f"max {decoding['max_new_tokens']} tokens")
    return ", ".join(parts) or "not reported"


class SiteData:
    """Indexes over the catalog export and the runs; everything a template needs."""

    def __init__(self, catalog: dict[str, list[dict[str, Any]]], runs: list[RunView] | None = None,
                 reproductions: list[dict[str, Any]] | None = None) -> None:
        self.models = _records(list(catalog.get("models", [])))
        self.benchmarks = _records(list(catalog.get("benchmarks", [])))
        self.papers = _records(list(catalog.get("papers", [])))
        self.metrics = _records(list(catalog.get("metrics", [])))
        self.results = _records(list(catalog.get("results", [])))
        self.by_id: dict[str, dict[str, Any]] = {}
        for kind, items in zip(KINDS, (self.models, self.benchmarks, self.papers, self.metrics), strict=True):
            for item in items:
                item.setdefault("kind", kind)
                self.by_id.setdefault(item["id"], item)
        self.variants: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
            v["id"]: (family, v) for family in self.models for v in family.get("variants", [])
        }
        self.runs = list(runs or [])
        for run in self.runs:
            run.variant = run.variant or self.match_variant(run.model)
            run.benchmark, language = self.split_language(run.benchmark)
            run.language = run.language or language
            run.benchmark = self.match_benchmark(run.benchmark)
            run.exclusion = self.run_exclusion(run)
        self.reproductions = _records(sorted(reproductions or [], key=lambda r: r["name"]))
        self.results_by_id = {r["id"]: r for r in self.results}
        self.leaderboards = self._leaderboards()

    # --- lookups ------------------------------------------------------------------------

    def url(self, entity_id: str | None) -> str | None:
        """Site-relative URL of an entity or variant (variants are anchors on their family's page)."""
        if not entity_id:
            return None
        if entity_id in self.variants:
            family = self.variants[entity_id][0]
            return f"models/{family['id']}.html#{entity_id}"
        entity = self.by_id.get(entity_id)
        if entity is None:
            return None
        return f"{KIND_DIRS[entity['kind']]}/{entity['id']}.html"

    def name(self, entity_id: str | None) -> str:
        if not entity_id:
            return ""
        if entity_id in self.variants:
            return self.variants[entity_id][1]["name"]
        entity = self.by_id.get(entity_id)
        return entity["name"] if entity else entity_id

    def match_variant(self, model: str) -> str | None:
        """The catalog variant a run's model id names: by id, Hugging Face repo, name or alias."""
        wanted = model.strip().lower().rstrip("/")
        tail = wanted.rsplit("/", 1)[-1]
        for variant_id, (_, variant) in self.variants.items():
            names = {variant_id, variant.get("name", ""), *(variant.get("aliases") or [])}
            names = {n.lower() for n in names if n}
            hf = (variant.get("huggingface") or "").lower()
            if wanted in names or (hf and wanted == hf) or (hf and tail == hf.rsplit("/", 1)[-1]):
                return variant_id
        return None

    def match_benchmark(self, name: str) -> str:
        """The catalog id of a benchmark a run names (its id, name or an alias), else the name as given."""
        wanted = name.strip().lower()
        for bench in self.benchmarks:
            if wanted in {bench["id"], bench["name"].lower(), *(a.lower() for a in bench.get("aliases") or [])}:
                return bench["id"]
        return name

    def split_language(self, name: str) -> tuple[str, str | None]:
        """'humaneval-x-rust' -> ('humaneval-x', 'Rust'): a multilingual family's run goes to the
        family's catalog benchmark, in its language's column; other names are returned as they are."""
        family, _, code = name.strip().lower().rpartition("-")
        target = BENCHMARK_FAMILIES.get(family)
        if target and code in LANGUAGE_NAMES and target in self.by_id:
            return target, LANGUAGE_NAMES[code]
        return name, None

    def variant_parameters(self, variant_id: str | None) -> float | None:
        if not variant_id or variant_id not in self.variants:
            return None
        return self.variants[variant_id][1].get("parameters")

    def variant_open(self, variant_id: str | None) -> bool | None:
        if not variant_id or variant_id not in self.variants:
            return None
        family, variant = self.variants[variant_id]
        weights = variant.get("weights") or family.get("weights")
        return None if weights is None else weights in OPEN_WEIGHTS

    def variant_date(self, variant_id: str | None) -> str | None:
        if not variant_id or variant_id not in self.variants:
            return None
        family, variant = self.variants[variant_id]
        return variant.get("release_date") or family.get("release_date")

    def variant_facts(self, variant_id: str | None) -> dict[str, Any]:
        """What a leaderboard row shows of its model: type, open data, release date."""
        if not variant_id or variant_id not in self.variants:
            return {}
        family, variant = self.variants[variant_id]
        return {"model_type": variant.get("type"), "open_data": family.get("open_data"), "released": self.variant_date(variant_id)}

    def contamination_risk(self, benchmark_id: str, released: str | None) -> bool:
        """A model released after the data of a benchmark known to leak was public may have seen it."""
        bench = self.by_id.get(benchmark_id) or {}
        public = bench.get("release_date")
        return bool(bench.get("known_leak") and public and released and released[:len(public)] > public[:len(released)])

    def _with_facts(self, row: Row, benchmark_id: str) -> Row:
        variant = row.model if row.model in self.variants else None
        for key, value in self.variant_facts(variant).items():
            setattr(row, key, value)
        row.contaminated = self.contamination_risk(benchmark_id, row.released)
        return row

    def run(self, run_id: str | None) -> RunView | None:
        return next((r for r in self.runs if r.id == run_id), None)

    def run_exclusion(self, run: RunView) -> str | None:
        """Why a run's numbers stay off the leaderboards, or None when they rank: a run ranks
        only when it covers the whole benchmark and is linked to a catalog model."""
        if run.kind in HARNESS_KINDS:
            return HARNESS_KINDS[run.kind]
        if _REFERENCE_LABEL.search(run.model or ""):
            return "reference solutions, not a model's output"
        if run.status and run.status != "complete":
            judged = f": {len(run.samples)} of {run.samples_expected} samples judged" if run.samples_expected else ""
            return f"not complete ({run.status}{judged})"
        covered = len(run.problems)
        total = run.problems_in_benchmark or (self.by_id.get(run.benchmark) or {}).get("instances")
        if not total:
            return "coverage unknown: the benchmark's size is not recorded"
        if covered < total:
            return f"subset: {covered} of {total} problems"
        if not run.variant:
            return "not linked to a catalog model (name the model with --model as the catalog does)"
        return None

    # --- leaderboards ------------------------------------------------------------------------

    def _published_row(self, result: dict[str, Any]) -> Row:
        source = result.get("source") or {}
        variant_id = result["model"]
        family = self.variants.get(variant_id, ({}, {}))[0].get("id") or result.get("family")
        run_link = result.get("run") or {}
        run = self.run(run_link.get("run_id"))
        reproduced = result.get("provenance") == "reproduced"
        harness = "as reported by the source"
        if reproduced:
            version = run_link.get("package_version") or (run.package_version if run else None)
            harness = f"nl2code {version}" if version else "nl2code"
        return Row(
            model=variant_id,
            model_name=self.name(variant_id),
            model_url=self.url(variant_id),
            family=family,
            parameters=self.variant_parameters(variant_id),
            open_weights=self.variant_open(variant_id),
            value=float(result["value"]),
            provenance="reproduced" if reproduced else "published",
            source_title=source.get("title", ""),
            source_url=source.get("url"),
            source_table=source.get("table"),
            source_kind=source.get("kind"),
            verified=bool(result.get("verified") or source.get("verified")),
            decoding=describe_decoding(result.get("decoding")),
            prompt_style=result.get("prompt_style") or "unknown",
            harness=harness,
            setting=result.get("setting"),
            date=result.get("date"),
            note=result.get("note"),
            run_id=run_link.get("run_id"),
            run_url=run.url if run else None,
            command=run.command if run else (run_link.get("config") or {}).get("command"),
            result_id=result.get("id"),
        )

    def _run_rows(self, run: RunView) -> dict[str, Row]:
        rows = {}
        for label, value in run.scores.items():
            rows[label] = Row(
                model=run.variant or run.model,
                model_name=self.name(run.variant) if run.variant else run.model,
                model_url=self.url(run.variant),
                family=self.variants[run.variant][0]["id"] if run.variant else None,
                parameters=self.variant_parameters(run.variant),
                open_weights=self.variant_open(run.variant),
                value=value,
                provenance="reproduced",
                source_title=f"nl2code run {run.id}",
                source_url=None,
                source_table=None,
                source_kind="nl2code-run",
                verified=True,
                decoding=run.decoding,
                prompt_style=run.prompt_style or "unknown",
                harness=f"nl2code {run.package_version}" if run.package_version else "nl2code",
                setting=run.backend,
                date=run.date,
                note=None,
                run_id=run.id,
                run_url=run.url,
                command=run.command,
            )
        return rows

    def reproduction_rows(self, record: dict[str, Any]) -> dict[str, Row]:
        """One reproduced row per score of a reproduction record, compared with the published
        figure the manifest names for that metric (when it names one)."""
        published = {p["metric"]: p for p in record.get("published", [])}
        variant = record["model"]
        rows = {}
        for label, score in record.get("scores", {}).items():
            link = published.get(label)
            result = self.results_by_id.get(link["result"]) if link else None
            comparison = None
            if link:
                source = (result or {}).get("source") or {}
                comparison = Comparison(
                    published=float(result["value"]) if result else float(link["value"]),
                    source_title=source.get("title") or link["result"], source_url=source.get("url"),
                    reproduced=float(score["value"]), ci=tuple(score["ci"]) if score.get("ci") else None,
                )
            rows[label] = Row(
                model=variant,
                model_name=self.name(variant),
                model_url=self.url(variant),
                family=self.variants.get(variant, ({}, {}))[0].get("id"),
                parameters=self.variant_parameters(variant),
                open_weights=self.variant_open(variant),
                value=float(score["value"]),
                provenance="reproduced",
                source_title=f"nl2code reproduction {record['name']}",
                source_url=None,
                source_table=None,
                source_kind="nl2code-reproduction",
                verified=True,
                decoding=describe_decoding(record.get("decoding")),
                prompt_style=record.get("prompt_style") or "unknown",
                harness=f"nl2code {record['nl2code_version']}" if record.get("nl2code_version") else "nl2code",
                setting=(result or {}).get("setting"),
                date=(record.get("measured_at") or "")[:10] or None,
                note=record.get("title"),
                command=record.get("command"),
                comparison=comparison,
                reproduction=record["name"],
                samples_download=f"data/reproductions/{slug(record['name'])}-samples.csv.gz",
                generations=record.get("generations"),
            )
        return rows

    def _leaderboards(self) -> list[Leaderboard]:
        groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
        metric_of: dict[tuple[str, str], str] = {}
        linked_runs = set()
        for result in self.results:
            if result.get("benchmark") not in self.by_id:
                continue
            key = (result["benchmark"], metric_label(result))
            row = self._published_row(result)
            row.language = result.get("language")
            groups[key].append(self._with_facts(row, result["benchmark"]))
            metric_of[key] = result.get("metric", "")
            if result.get("run"):
                linked_runs.add((result["run"].get("run_id"), key[1]))
        for run in self.runs:
            if run.benchmark not in self.by_id or not run.ranks:
                continue
            for label, row in self._run_rows(run).items():
                if (run.id, label) in linked_runs:
                    continue  # already in the catalog as a reproduced result
                key = (run.benchmark, label)
                row.language = run.language
                groups[key].append(self._with_facts(row, run.benchmark))
                metric_of.setdefault(key, "pass-at-k" if label.startswith("pass@") else label)
        for record in self.reproductions:
            if record.get("benchmark") not in self.by_id:
                continue
            for label, row in self.reproduction_rows(record).items():
                key = (record["benchmark"], label)
                groups[key].append(self._with_facts(row, record["benchmark"]))
                metric_of.setdefault(key, "pass-at-k" if label.startswith("pass@") else label)
        for rows in groups.values():
            _note_published_values(rows)
            _mark_primary(rows)
        boards = []
        for (bench_id, label), rows in groups.items():
            metric = self.by_id.get(metric_of[(bench_id, label)])
            board = Leaderboard(self.by_id[bench_id], label, metric, rows)
            rows.sort(key=lambda r: (-r.value if board.higher_is_better else r.value, r.model_name))
            boards.append(board)
        per_benchmark: dict[str, int] = defaultdict(int)
        for board in boards:
            per_benchmark[board.benchmark["id"]] += len(board.rows)
        # benchmarks with the most numbers first; within one, pass@1 before pass@10 before pass@100
        boards.sort(key=lambda b: (-per_benchmark[b.benchmark["id"]], b.benchmark["name"].lower(), _label_order(b.label)))
        return boards

    def leaderboard(self, benchmark_id: str, label: str) -> Leaderboard | None:
        return next((b for b in self.leaderboards if b.benchmark["id"] == benchmark_id and b.label == label), None)

    def results_of_model(self, family: dict[str, Any]) -> list[dict[str, Any]]:
        ids = {v["id"] for v in family.get("variants", [])}
        return [r for r in self.results if r.get("model") in ids]

    def results_of_benchmark(self, benchmark_id: str) -> list[dict[str, Any]]:
        return [r for r in self.results if r.get("benchmark") == benchmark_id]

    # --- search documents and facets ------------------------------------------------------------

    def documents(self) -> list[dict[str, Any]]:
        """One search document per model family, benchmark, paper and metric, with its facet values."""
        docs = []
        for family in self.models:
            variants = family.get("variants", [])
            sizes = sorted({size_bucket(v.get("parameters")) for v in variants} - {None}, key=_bucket_order)
            weights = family.get("weights")
            docs.append(
                _doc(
                    family,
                    self.url(family["id"]),
                    aliases=[*family.get("aliases", []), *(v["name"] for v in variants), *(a for v in variants for a in v.get("aliases", []))],
                    text=" ".join([*family.get("organization", []), family.get("description") or ""]),
                    summary=_join(
                        ", ".join(family.get("organization", [])),
                        family.get("architecture"),
                        _size_range(variants),
                        year_of(family.get("release_date")),
                    ),
                    facets={
                        "architecture": [family["architecture"]] if family.get("architecture") else [],
                        "weights": [] if weights is None else ["open" if weights in OPEN_WEIGHTS else "closed"],
                        "size": sizes,
                        "year": _years(family.get("release_date"), *(v.get("release_date") for v in variants)),
                    },
                )
            )
        for bench in self.benchmarks:
            docs.append(
                _doc(
                    bench,
                    self.url(bench["id"]),
                    text=" ".join([*bench.get("organization", []), bench.get("description") or ""]),
                    summary=_join(
                        bench.get("scenario"),
                        f"{bench['instances']} problems" if bench.get("instances") else None,
                        ", ".join(bench.get("programming_languages", [])[:4]),
                        year_of(bench.get("release_date")),
                    ),
                    facets={
                        "year": _years(bench.get("release_date")),
                        "language": sorted({lang.lower() for lang in bench.get("programming_languages", [])}),
                        "scenario": [bench["scenario"]] if bench.get("scenario") else [],
                    },
                )
            )
        for paper in self.papers:
            docs.append(
                _doc(
                    paper,
                    self.url(paper["id"]),
                    aliases=[paper.get("title", ""), *paper.get("aliases", [])],
                    text=" ".join([*paper.get("authors", [])[:6], paper.get("venue") or "", paper.get("description") or ""]),
                    summary=_join(paper.get("title") if paper.get("title") != paper["name"] else None, paper.get("venue"), paper.get("year")),
                    facets={"year": _years(str(paper["year"]) if paper.get("year") else paper.get("date"))},
                )
            )
        for metric in self.metrics:
            docs.append(
                _doc(
                    metric,
                    self.url(metric["id"]),
                    text=metric.get("definition") or "",
                    summary=_join(metric.get("metric_kind"), (metric.get("definition") or "")[:90]),
                    facets={},
                )
            )
        return docs

    def counts(self) -> dict[str, int]:
        return {
            "model families": len(self.models),
            "model variants": len(self.variants),
            "benchmarks": len(self.benchmarks),
            "papers": len(self.papers),
            "metrics": len(self.metrics),
            "results": len(self.results),
            "runs": len(self.runs),
        }

    @property
    def data_as_of(self) -> str | None:
        """The date of the newest dated thing the site shows (a release, a number, a run)."""
        dates = [r.get("date") for r in self.results]
        dates += [f.get("release_date") for f in self.models] + [v.get("release_date") for _, v in self.variants.values()]
        dates += [b.get("release_date") for b in self.benchmarks]
        dates += [(r.get("measured_at") or "")[:10] for r in self.reproductions] + [run.date for run in self.runs]
        return max((d for d in dates if d), default=None)

    def newest_numbers(self, limit: int = 8) -> list[dict[str, Any]]:
        """The most recently published or measured numbers, newest first."""
        items = []
        for result in self.results:
            if result.get("date"):
                label = metric_label(result)
                board = self.leaderboard(result["benchmark"], label)
                items.append({"date": result["date"], "kind": result.get("provenance") or "published",
                              "name": f"{self.name(result['model'])} · {self.name(result['benchmark'])} {label} {result['value']:.1f}",
                              "url": board.url if board else self.url(result["benchmark"])})
        for record in self.reproductions:
            for label, score in record.get("scores", {}).items():
                items.append({"date": (record.get("measured_at") or "")[:10], "kind": "reproduced",
                              "name": f"{self.name(record['model'])} · {self.name(record['benchmark'])} {label} {score['value']:.1f}",
                              "url": "reproductions.html"})
        items.sort(key=lambda item: (item["date"], item["name"]), reverse=True)
        return items[:limit]

    def whats_new(self, limit: int = 8) -> list[dict[str, Any]]:
        """The most recent dated things: model releases, benchmarks, papers, runs."""
        items = []
        for family in self.models:
            if family.get("release_date"):
                items.append({"date": family["release_date"], "kind": "model", "name": family["name"], "url": self.url(family["id"])})
        for bench in self.benchmarks:
            if bench.get("release_date"):
                items.append({"date": bench["release_date"], "kind": "benchmark", "name": bench["name"], "url": self.url(bench["id"])})
        for run in self.runs:
            if run.date:
                items.append({"date": run.date, "kind": "run", "name": f"{self.name(run.variant) if run.variant else run.model} on {self.name(run.benchmark)}", "url": run.url})
        items.sort(key=lambda item: (item["date"], item["name"]), reverse=True)
        return items[:limit]


def _note_published_values(rows: list[Row]) -> None:
    """Tell each reproduced number what was published for the same model, to compare at a glance."""
    published: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.provenance == "published":
            published[row.model].append(row)
    for row in rows:
        if row.provenance == "reproduced" and published.get(row.model):
            row.published_here = "; ".join(f"{p.value:.1f} ({p.source_title})" for p in published[row.model])


def _primary_order(row: Row) -> tuple[Any, ...]:
    kind = row.source_kind if row.source_kind in SOURCE_ORDER else "survey"
    return (row.setting is not None, not row.verified, SOURCE_ORDER.index(kind), row.date or "9999", row.source_title)


def _mark_primary(rows: list[Row]) -> None:
    """One row per model variant in each default view; the others are listed on it."""
    by_model: dict[tuple[str, str | None], list[Row]] = defaultdict(list)
    for row in rows:
        by_model[(row.model, row.language)].append(row)
    for group in by_model.values():
        ordered = sorted(group, key=lambda r: (r.provenance != "published", *_primary_order(r)))
        ordered[0].primary = True
        ordered[0].others = [r.summary for r in ordered[1:]]
        for provenance in ("published", "reproduced"):
            same = [r for r in ordered if r.provenance == provenance]
            if same:
                setattr(same[0], f"primary_{provenance}", True)
        reproduced = [r for r in ordered if r.provenance == "reproduced"]
        if reproduced:
            ordered[0].reproduced = reproduced[0]


def display_command(command: str | None) -> str | None:
    """The stored command line with the interpreter's path trimmed: '/x/.venv/bin/nl2code run' -> 'nl2code run'
    (also '/x/src/nl2code/__main__.py run', what `python -m nl2code` stores, as nl2code reproduce runs it)."""
    if not command:
        return command
    first, _, rest = command.partition(" ")
    if first.endswith(("/nl2code", "/nl2code/__main__.py")):
        return "nl2code" + (" " + rest if rest else "")
    return command


def facet_counts(docs: list[dict[str, Any]]) -> dict[str, list[tuple[str, int]]]:
    counts: dict[str, dict[str, int]] = {name: defaultdict(int) for name, _ in FACETS}
    for doc in docs:
        for name, _ in FACETS:
            for value in doc["facets"].get(name, []):
                counts[name][value] += 1
    order = {"size": _bucket_order, "year": lambda v: -int(v) if v.isdigit() else 0}
    out = {}
    for name, values in counts.items():
        key = order.get(name)
        items = sorted(values.items(), key=(lambda kv: key(kv[0])) if key else (lambda kv: (-kv[1], kv[0])))
        out[name] = items
    return out


def _doc(entity: dict[str, Any], url: str | None, *, facets: dict[str, list[str]], text: str = "", summary: str = "", aliases: list[str] | None = None) -> dict[str, Any]:
    names = aliases if aliases is not None else entity.get("aliases", [])
    unique = list(dict.fromkeys(a for a in names if a and a != entity["name"]))
    return {
        "id": entity["id"],
        "kind": entity["kind"],
        "name": entity["name"],
        "aliases": " ".join(unique),
        "text": text.strip(),
        "summary": summary,
        "url": url,
        # empty facets are left out: the index is downloaded by every visitor of the home page
        "facets": {k: v for k, v in {"kind": [entity["kind"]], **facets, "tag": sorted(entity.get("tags", []))}.items() if v},
    }


def _join(*parts: Any) -> str:
    return " · ".join(str(p) for p in parts if p)


def _years(*dates: str | None) -> list[str]:
    return sorted({d[:4] for d in dates if d}, reverse=True)


def _size_range(variants: list[dict[str, Any]]) -> str:
    sizes = sorted(v["parameters"] for v in variants if v.get("parameters"))
    if not sizes:
        return ""
    if sizes[0] == sizes[-1]:
        return format_params(sizes[0])
    return f"{format_params(sizes[0])}–{format_params(sizes[-1])}"


def _bucket_order(label: str | None) -> int:
    labels = [b[0] for b in SIZE_BUCKETS]
    return labels.index(label) if label in labels else len(labels)


def _label_order(label: str) -> tuple[str, int]:
    match = re.match(r"^(.*?)(\d+)$", label)
    return (match.group(1), int(match.group(2))) if match else (label, 0)
