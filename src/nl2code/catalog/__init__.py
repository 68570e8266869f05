"""The NL2Code landscape as typed data: models, benchmarks, papers, metrics and results from `catalog/*.yaml`.

Public API (stable; the static site builds on it)::

    from nl2code.catalog import load_catalog, to_dict
    cat = load_catalog()          # path=None: $NL2CODE_CATALOG, else the repository's catalog/
    cat.models, cat.benchmarks, cat.papers, cat.metrics, cat.results   # typed, sorted by id
    cat.get("starcoder2-15b"); cat.variants["codex-12b"]; cat.results_for("humaneval")
    to_dict(cat)                  # == `nl2code catalog export --format json`

`load_catalog` raises `CatalogError` (its `.issues`: file, line, field, message, fix) when the
catalog does not validate; `read_catalog(path)` returns `(catalog, issues)` without raising.

Exported JSON: ``{"models": [...], "benchmarks": [...], "papers": [...], "metrics": [...], "results": [...]}``.
Every entity has ``id``, ``name``, ``kind``, ``aliases``, ``tags``, ``description``, ``site_posts``
(companion-site posts it was typed from), ``sources`` (list of Source). Dates are ISO strings
(YYYY, YYYY-MM or YYYY-MM-DD); enums are strings.

- Source: kind (paper|model-card|leaderboard|repository|blog|site|survey|nl2code-run), title, url,
  table, paper (paper id), fields (which fields it supports; [] = all), verified (bool), note.
- models (kind "model", one per family): organization[], release_date, paper (id), url,
  architecture (decoder-only|encoder-decoder|encoder-only|encoder-denoiser-decoder|moe-decoder-only),
  weights (open|on-request|promised|api|closed), open_weights (bool, derived), open_data, license,
  tokenizer, context_window, training_data, training_tokens, base_model (id), in_survey (bool),
  variants[]: id, name, aliases, parameters, active_parameters (MoE), layers (L), heads (A),
  hidden_size (H), context_window, type (base|instruct|python|other), release_date, weights,
  huggingface, training_tokens, sources, note.
- benchmarks (kind "benchmark"): version, release_date, organization[], paper, url, leaderboard_url,
  instances, instances_per_language, instances_note, natural_languages[], programming_languages[],
  scenario (closed list, see Scenario), test_cases (bool), statistics {avg_test_cases,
  avg_problem_chars, avg_problem_lines, avg_solution_chars, avg_solution_lines, extra},
  contamination, derived_from[] (benchmark ids), in_survey.
- papers (kind "paper"): title, authors[], year, date, venue, url, arxiv, code_url, organization[],
  contribution (model|benchmark|method|agent|tool|product|survey|study|metric|dataset).
- metrics (kind "metric"): metric_kind (execution|text-match), definition, formula, parameters[]
  (e.g. ["k"]), higher_is_better, range [low, high], paper, url.
- results (kind "result"): model (variant id), family (family id, derived), benchmark (id),
  benchmark_version, metric (metric id, e.g. "pass-at-k"), k, metric_label ("pass@1", derived),
  value (pass@k in percent), decoding {greedy, temperature, top_p, n, max_new_tokens},
  prompt_style (completion|instruct|few-shot|unknown), setting, source (Source), date,
  provenance (published|reproduced), run {run_id, store, ...} (reproduced only), verified, note,
  name (derived, "Model · Benchmark · pass@1").
"""

from __future__ import annotations

from nl2code.catalog._export import export_csv, export_json, export_sqlite, to_dict
from nl2code.catalog._loader import (
    Catalog,
    CatalogError,
    Issue,
    default_catalog_path,
    load_catalog,
    read_catalog,
)
from nl2code.catalog._schema import (
    Architecture,
    Benchmark,
    Decoding,
    Metric,
    ModelFamily,
    ModelVariant,
    Paper,
    PaperContribution,
    PromptStyle,
    Provenance,
    Result,
    ResultSet,
    RunLink,
    Scenario,
    Source,
    SourceKind,
    Statistics,
    WeightsAccess,
)

__all__ = [
    "Architecture",
    "Benchmark",
    "Catalog",
    "CatalogError",
    "Decoding",
    "Issue",
    "Metric",
    "ModelFamily",
    "ModelVariant",
    "Paper",
    "PaperContribution",
    "PromptStyle",
    "Provenance",
    "Result",
    "ResultSet",
    "RunLink",
    "Scenario",
    "Source",
    "SourceKind",
    "Statistics",
    "WeightsAccess",
    "default_catalog_path",
    "export_csv",
    "export_json",
    "export_sqlite",
    "load_catalog",
    "read_catalog",
    "to_dict",
]
