"""The catalog's content meets the issue's counts: survey LLMs and HumanEval table, every site post, newer models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nl2code.catalog import load_catalog
from nl2code.catalog._validate import normalize_name

REFERENCE = json.loads((Path(__file__).parent / "data" / "catalog_reference.json").read_text())


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def all_names(cat) -> set[str]:
    names = set()
    for entity in cat.entities():
        names |= {normalize_name(n) for n in [entity.name, *entity.aliases]}
    for family in cat.models:
        for variant in family.variants:
            names |= {normalize_name(n) for n in [variant.name, *variant.aliases]}
    return names


def test_all_27_survey_llms_are_families_with_architecture_sizes_and_public_flag(cat):
    survey = {m["name"]: m for m in REFERENCE["survey_llms"]}
    assert len(survey) == 27
    in_survey = {f.name: f for f in cat.models if f.in_survey}
    assert set(in_survey) == set(survey)
    for name, row in survey.items():
        family = in_survey[name]
        assert family.architecture == row["architecture"], name
        # the survey's "public" includes "promised" and "on request" releases
        assert (family.weights in ("open", "on-request", "promised")) == row["public"], name
        sizes = {v.parameters for v in family.variants}
        for size in row["sizes"]:
            wanted = round(float(size["size"][:-1]) * (1e6 if size["size"].endswith("M") else 1e9))
            assert wanted in sizes, (name, size["size"])
            if size["L"]:
                [variant] = [v for v in family.variants if v.parameters == wanted and v.layers]
                assert (variant.layers, variant.heads, variant.hidden_size) == (size["L"], size["A"], size["H"])
                # recalled L/A/H stay marked unverified
                assert variant.sources and not any(s.verified for s in variant.sources)


def test_every_site_model_and_benchmark_post_is_typed_and_findable_by_its_title(cat):
    posts = REFERENCE["site_posts"]
    assert sum(p["kind"] == "model" for p in posts) == 85 and sum(p["kind"] == "benchmark" for p in posts) == 38
    typed_from = {post for entity in cat.entities() for post in entity.site_posts}
    names = all_names(cat)
    for post in posts:
        assert post["file"] in typed_from, post["file"]
        assert normalize_name(post["title"]) in names, post["title"]


def test_known_site_errors_are_fixed(cat):
    deepseek = [f for f in cat.models if "DeepSeek-Coder" in f.site_posts.__str__() or f.id == "deepseek-coder"]
    assert [f.id for f in deepseek] == ["deepseek-coder"] and len(deepseek[0].site_posts) == 2  # duplicate merged
    motcoder = cat.get("motcoder")
    assert motcoder.site_posts == ["_posts/2023-12-26-MoTCoder.md"] and motcoder.release_date == "2023-12-26"
    assert not motcoder.in_survey and [v.parameters for v in motcoder.variants] == [15_000_000_000]
    assert cat.get("gpt-neo").site_posts == ["_posts/2021-03-01-GPT-Neo.md"]
    assert cat.get("mpt").name == "MPT"  # post titled "MTP-7b"
    assert "JavaScrpt" not in {pl for b in cat.benchmarks for pl in b.programming_languages}
    assert cat.get("codegeex").weights == "on-request" and cat.get("codet5mix").weights == "promised"
    assert cat.get("llama").weights == "open"  # "√" on the site
    assert cat.get("codeparrot").paper is None  # the site's "paper" is a Hugging Face page


def test_agent_and_method_posts_are_typed_as_papers(cat):
    assert cat.get("swe-agent-2024").contribution == "agent"
    assert cat.get("autocoderover-2024").contribution == "agent"
    assert cat.get("toolgen-2024").contribution == "method"


def test_the_survey_benchmarks_are_marked_with_their_published_statistics(cat):
    in_survey = [b for b in cat.benchmarks if b.in_survey]
    assert len(in_survey) == len(REFERENCE["survey_benchmarks"]) == 25
    humaneval = cat.get("humaneval")
    assert humaneval.statistics.avg_problem_chars == 450.6 and humaneval.statistics.avg_test_cases == 7.8


# The survey's HumanEval rows name a model and a size; the catalog's variant ids follow these patterns.
SURVEY_VARIANT = {
    "Codex": "codex-{size}", "AlphaCode (decoder-only)": "alphacode-dec-{size}", "CodeParrot": "codeparrot-{size}",
    "PyCodeGPT": "pycodegpt-{size}", "GPT-Neo": "gpt-neo-{size}", "PolyCoder": "polycoder-{size}",
    "PanGu-Coder": "pangu-coder-{size}", "CodeGen-Mono": "codegen-{size}-mono", "CodeT5+": "codet5-plus-{size}",
    "SantaCoder": "santacoder-{size}", "InCoder": "incoder-{size}", "GPT-J": "gpt-j-{size}", "TabNine": "tabnine-2021",
    "CodeGeeX": "codegeex-{size}", "GPT-NeoX": "gpt-neox-{size}", "LaMDA": "lamda-{size}", "BLOOM": "bloom-{size}",
    "PaLM": "palm-{size}", "PaLM-Coder": "palm-coder-{size}", "code-cushman-001": "code-cushman-001",
    "code-davinci-001": "code-davinci-001", "code-davinci-002": "code-davinci-002",
    "INCODER-6.7B (CodeT setting)": "incoder-6.7b", "CodeGen-Mono-16.1B (CodeT setting)": "codegen-16.1b-mono",
    "InstructCodeT5+": "instructcodet5-plus-16b", "StarCoderBase": "starcoderbase-15.5b", "StarCoder": "starcoder-15.5b",
    "StarCoder (prompted)": "starcoder-15.5b", "CodeGen-Multi": "codegen-16.1b-multi",
}


def survey_setting(model: str) -> str | None:
    """The setting word the catalog records for the survey's special rows (None: the standard one)."""
    if "CodeT setting" in model:
        return "CodeT setting"
    if "(prompted)" in model:
        return "prompted"
    return None


def test_the_survey_humaneval_table_is_published_results_with_sources(cat):
    """Each value is found for its own model variant, k and setting: a value moved to another row fails."""
    humaneval = [r for r in cat.results if r.benchmark == "humaneval" and r.metric == "pass-at-k"]
    checked = 0
    for row in REFERENCE["humaneval_rows"]:
        variant = SURVEY_VARIANT[row["model"]].format(size=row["size"].rstrip("?").lower())
        assert variant in cat.variants, (row["model"], row["size"], variant)
        setting = survey_setting(row["model"])
        for k in (1, 10, 100):
            value = row[f"pass@{k}"]
            if value is None:
                continue
            matches = [r for r in humaneval if r.model == variant and r.k == k and r.value == value
                       and (setting in (r.setting or "") if setting else r.setting is None)]
            assert matches, (row["model"], row["size"], k, value)
            checked += 1
    assert checked > 100


def test_every_result_has_a_source_and_verified_ones_name_what_was_read(cat):
    for result in cat.results:
        assert result.source.title, result.id
        if result.verified:
            assert result.source.url and result.source.verified, result.id
        if result.provenance == "published":
            assert result.source.kind != "nl2code-run"
    assert any(r.verified for r in cat.results) and any(not r.verified for r in cat.results)


REQUIRED_MODELS = ["starcoder2", "deepseek-coder", "deepseek-coder-v2", "qwen2.5-coder", "code-llama", "codegemma",
                   "granite-code", "codestral", "yi-coder", "opencoder"]
REQUIRED_BENCHMARKS = ["humaneval-plus", "mbpp-plus", "livecodebench", "bigcodebench", "ds-1000", "swe-bench", "cruxeval", "classeval"]


def test_the_newer_models_and_benchmarks_exist(cat):
    for model in REQUIRED_MODELS:
        assert cat.get(model) is not None and cat.get(model).variants, model
    for benchmark in REQUIRED_BENCHMARKS:
        assert cat.get(benchmark) is not None, benchmark
    assert cat.get("deepseek-coder-v2-instruct").active_parameters == 21_000_000_000


def test_newer_models_have_humaneval_or_mbpp_numbers_where_one_was_found(cat):
    with_numbers = {cat.family_of(r.model).id for r in cat.results if r.benchmark in ("humaneval", "mbpp", "mbpp-plus")}
    # Granite Code has none: no number for it was found in a file read here, so none was filled in.
    assert set(REQUIRED_MODELS) - with_numbers == {"granite-code"}
