"""Pydantic schemas of the catalog entities: model families and variants, benchmarks, papers, metrics, results."""

from __future__ import annotations

import datetime as _dt
import enum
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9._+-]*$"
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _partial_date(value: Any) -> Any:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD (YAML turns bare dates into date objects)."""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, int) and 1900 <= value <= 2100:
        return str(value)
    if not isinstance(value, str):
        raise ValueError("expected an ISO date: YYYY, YYYY-MM or YYYY-MM-DD")
    match = _PARTIAL_DATE.match(value)
    if not match:
        raise ValueError(f"{value!r} is not an ISO date; write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    try:
        _dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real date ({exc})") from None
    return value


PartialDate = Annotated[str, BeforeValidator(_partial_date)]
EntityId = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=120)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True)


# --- closed vocabularies -------------------------------------------------------------------


class Architecture(enum.StrEnum):
    DECODER_ONLY = "decoder-only"
    ENCODER_DECODER = "encoder-decoder"
    ENCODER_ONLY = "encoder-only"
    ENCODER_DENOISER_DECODER = "encoder-denoiser-decoder"  # CodeFusion (diffusion)
    MIXTURE_OF_EXPERTS = "moe-decoder-only"


class WeightsAccess(enum.StrEnum):
    OPEN = "open"  # downloadable by anyone
    ON_REQUEST = "on-request"  # downloadable after an application
    PROMISED = "promised"  # announced as to-be-released when the entry was written
    API = "api"  # usable only through a hosted API
    CLOSED = "closed"


class ModelType(enum.StrEnum):
    BASE = "base"
    INSTRUCT = "instruct"
    PYTHON = "python"  # further trained on Python only
    OTHER = "other"


class Scenario(enum.StrEnum):
    """What a benchmark asks of a model; the site's 23 free-text spellings map onto these."""

    CODE_EXERCISE = "code-exercise"
    COMPETITIONS = "competitions"
    DATA_SCIENCE = "data-science"
    PUBLIC_LIBRARY = "public-library"
    PRIVATE_LIBRARY = "private-library"
    MULTILINGUAL_PL = "multilingual-pl"  # many programming languages
    MULTILINGUAL_NL = "multilingual-nl"  # many natural languages
    MULTI_TURN = "multi-turn"
    MATHEMATICS = "mathematics"
    TIME_COMPLEXITY = "time-complexity"
    FILL_IN_THE_MIDDLE = "fill-in-the-middle"
    SECURITY = "security"
    HARDWARE = "hardware"
    OPEN_DOMAIN = "open-domain"
    REPOSITORY_LEVEL = "repository-level"
    CLASS_LEVEL = "class-level"
    OBJECT_ORIENTED = "object-oriented"
    SOFTWARE_ENGINEERING = "software-engineering"  # real issues / pull requests
    CODE_REASONING = "code-reasoning"
    CONTAMINATION_FREE = "contamination-free"  # live, time-split problems
    FULL_LIFECYCLE = "full-lifecycle"


class PaperContribution(enum.StrEnum):
    """What a paper mainly contributes; site posts that are not models are typed here."""

    MODEL = "model"
    BENCHMARK = "benchmark"
    METHOD = "method"
    AGENT = "agent"
    TOOL = "tool"
    PRODUCT = "product"
    SURVEY = "survey"
    STUDY = "study"
    METRIC = "metric"
    DATASET = "dataset"


class MetricKind(enum.StrEnum):
    EXECUTION = "execution"  # runs the generated program
    TEXT_MATCH = "text-match"  # compares text or syntax with a reference


class SourceKind(enum.StrEnum):
    PAPER = "paper"
    MODEL_CARD = "model-card"
    LEADERBOARD = "leaderboard"
    REPOSITORY = "repository"  # a README or data file in a code repository
    BLOG = "blog"
    SITE = "site"  # the NL2Code survey's companion website
    SURVEY = "survey"
    NL2CODE_RUN = "nl2code-run"


class PromptStyle(enum.StrEnum):
    COMPLETION = "completion"  # the benchmark prompt, continued
    INSTRUCT = "instruct"  # wrapped in an instruction / chat template
    FEW_SHOT = "few-shot"
    UNKNOWN = "unknown"


class Provenance(enum.StrEnum):
    PUBLISHED = "published"
    REPRODUCED = "reproduced"  # measured by nl2code; `run` names the run


# --- shared parts ------------------------------------------------------------------------


class Source(_Strict):
    """Where a value comes from. `verified` is true only if someone read the value there."""

    kind: SourceKind
    title: str = Field(description="Short citation, e.g. 'Chen et al. 2021, Table 1'.")
    url: str | None = None
    table: str | None = Field(None, description="Table, figure or section that holds the value.")
    paper: str | None = Field(None, description="Id of a catalog paper, when the source is one.")
    fields: list[str] = Field(default_factory=list, description="Fields this source supports; empty = all.")
    verified: bool = Field(False, description="True only with the URL and table actually opened.")
    note: str | None = None


class Statistics(_Strict):
    """Per-problem averages as published (the survey's benchmark table)."""

    avg_test_cases: float | None = Field(None, ge=0)
    avg_problem_chars: float | None = Field(None, ge=0)
    avg_problem_lines: float | None = Field(None, ge=0)
    avg_solution_chars: float | None = Field(None, ge=0)
    avg_solution_lines: float | None = Field(None, ge=0)
    extra: dict[str, float | int | str | bool] = Field(default_factory=dict)


class _Entity(_Strict):
    id: EntityId
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    description: str | None = None
    site_posts: list[str] = Field(
        default_factory=list, description="Companion-site posts (_posts/*.md) this entity was typed from."
    )
    sources: list[Source] = Field(default_factory=list)

    @field_validator("tags")
    @classmethod
    def _tags_are_lowercase(cls, tags: list[str]) -> list[str]:
        for tag in tags:
            if not re.fullmatch(r"[a-z0-9][a-z0-9+.-]*", tag):
                raise ValueError(f"tag {tag!r} must be lower-case kebab-case, e.g. 'instruction-tuned'")
        return tags


# --- entities ----------------------------------------------------------------------------


class ModelVariant(_Strict):
    """One released size / flavour of a model family (the unit results point at)."""

    id: EntityId
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    parameters: int | None = Field(None, gt=0, description="Total parameters.")
    active_parameters: int | None = Field(None, gt=0, description="Active parameters per token (MoE).")
    layers: int | None = Field(None, gt=0, description="L: transformer layers (decoder layers for enc-dec).")
    heads: int | None = Field(None, gt=0, description="A: attention heads.")
    hidden_size: int | None = Field(None, gt=0, description="H: hidden size.")
    context_window: int | None = Field(None, gt=0, description="Tokens.")
    type: ModelType | None = None
    release_date: PartialDate | None = None
    weights: WeightsAccess | None = Field(None, description="Overrides the family's `weights`.")
    huggingface: str | None = Field(None, description="Hugging Face repo id, e.g. 'bigcode/starcoder2-15b'.")
    training_tokens: float | None = Field(None, gt=0)
    sources: list[Source] = Field(default_factory=list)
    note: str | None = None

    @model_validator(mode="after")
    def _active_not_above_total(self) -> ModelVariant:
        if self.active_parameters and self.parameters and self.active_parameters > self.parameters:
            raise ValueError("active_parameters is larger than parameters; swap them")
        return self


class ModelFamily(_Entity):
    """A model family (one YAML file) with its variants nested."""

    kind: Literal["model"] = "model"
    organization: list[str] = Field(default_factory=list)
    release_date: PartialDate | None = None
    paper: str | None = Field(None, description="Id of the family's main paper.")
    url: str | None = Field(None, description="Homepage, repository or model card.")
    architecture: Architecture | None = None
    weights: WeightsAccess | None = Field(None, description="Open weights? open / on-request / promised / api / closed.")
    open_data: bool | None = Field(None, description="Is the training data released?")
    license: str | None = None
    tokenizer: str | None = None
    context_window: int | None = Field(None, gt=0)
    training_data: str | None = None
    training_tokens: float | None = Field(None, gt=0, description="Tokens seen in training.")
    base_model: str | None = Field(None, description="Id of the family or variant it was fine-tuned from.")
    in_survey: bool = Field(False, description="One of the 27 LLMs of Zan et al. 2023.")
    variants: list[ModelVariant] = Field(default_factory=list)

    @property
    def open_weights(self) -> bool | None:
        if self.weights is None:
            return None
        return self.weights in (WeightsAccess.OPEN, WeightsAccess.ON_REQUEST)


class Benchmark(_Entity):
    kind: Literal["benchmark"] = "benchmark"
    version: str | None = None
    release_date: PartialDate | None = None
    organization: list[str] = Field(default_factory=list)
    paper: str | None = Field(None, description="Id of the paper that introduced it.")
    url: str | None = None
    leaderboard_url: str | None = None
    instances: int | None = Field(None, gt=0)
    instances_per_language: bool = Field(False, description="`instances` counts each programming language.")
    instances_note: str | None = None
    natural_languages: list[str] = Field(default_factory=list)
    programming_languages: list[str] = Field(default_factory=list)
    scenario: Scenario | None = None
    test_cases: bool | None = Field(None, description="Does it ship executable test cases?")
    statistics: Statistics | None = Field(None, description="Published per-problem averages.")
    contamination: str | None = Field(None, description="Known contamination / leakage notes.")
    known_leak: bool = Field(False, description="Its problems are public and known to reach training data: models released after `release_date` are flagged.")
    derived_from: list[str] = Field(default_factory=list, description="Ids of benchmarks it extends.")
    in_survey: bool = Field(False, description="In the benchmark tables of Zan et al. 2023.")


class Paper(_Entity):
    kind: Literal["paper"] = "paper"
    title: str | None = Field(None, description="Full title (None where it was not read anywhere).")
    authors: list[str] = Field(default_factory=list)
    year: int | None = Field(None, ge=1950, le=2100)
    date: PartialDate | None = None
    venue: str | None = None
    url: str | None = None
    arxiv: str | None = Field(None, pattern=r"^\d{4}\.\d{4,5}$")
    code_url: str | None = None
    organization: list[str] = Field(default_factory=list)
    contribution: PaperContribution | None = None


class Metric(_Entity):
    kind: Literal["metric"] = "metric"
    metric_kind: MetricKind
    definition: str = Field(min_length=1)
    formula: str | None = None
    parameters: list[str] = Field(default_factory=list, description="E.g. ['k'] for pass@k.")
    higher_is_better: bool = True
    range: tuple[float, float] | None = None
    paper: str | None = Field(None, description="Id of the paper that introduced it.")
    url: str | None = None


class Decoding(_Strict):
    greedy: bool | None = None
    temperature: float | None = Field(None, ge=0)
    top_p: float | None = Field(None, gt=0, le=1)
    n: int | None = Field(None, gt=0, description="Samples drawn per problem.")
    max_new_tokens: int | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _greedy_has_no_temperature(self) -> Decoding:
        if self.greedy and self.temperature not in (None, 0, 0.0):
            raise ValueError("greedy decoding with temperature > 0; set greedy: false or temperature: 0")
        return self


class RunLink(_Strict):
    """Provenance of a result nl2code measured itself."""

    run_id: str
    store: str | None = Field(None, description="Database URL or file the run lives in.")
    package_version: str | None = None
    benchmark_sha256: str | None = None
    prompt_template_sha256: str | None = None
    isolation: str | None = None
    started_at: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)


class Result(_Strict):
    """One number: model variant x benchmark x metric, with how and where it was measured."""

    id: EntityId
    model: str = Field(description="Id of a model variant.")
    benchmark: str = Field(description="Id of a benchmark.")
    benchmark_version: str | None = None
    metric: str = Field(description="Id of a metric, e.g. 'pass-at-k'.")
    k: int | None = Field(None, gt=0, description="k of pass@k / n@k.")
    value: float = Field(description="In the metric's unit; pass@k in percent (0-100).")
    decoding: Decoding | None = None
    prompt_style: PromptStyle = PromptStyle.UNKNOWN
    setting: str | None = Field(None, description="Anything else that changes the number (e.g. 'CodeT setting').")
    source: Source
    date: PartialDate | None = Field(None, description="When the number was published or measured.")
    provenance: Provenance = Provenance.PUBLISHED
    run: RunLink | None = None
    language: str | None = Field(None, description="Programming language of a multilingual benchmark's subset, e.g. 'C++'.")
    verified: bool = Field(False, description="True only if the number was read at source.url / source.table.")
    note: str | None = None

    @model_validator(mode="after")
    def _reproduced_needs_run(self) -> Result:
        if self.provenance == Provenance.REPRODUCED and self.run is None:
            raise ValueError("a reproduced result needs `run:` naming the nl2code run it came from")
        if self.provenance == Provenance.PUBLISHED and self.run is not None:
            raise ValueError("`run:` is only for provenance: reproduced")
        return self

    @property
    def metric_label(self) -> str:
        if self.metric == "pass-at-k" and self.k:
            return f"pass@{self.k}"
        if self.metric == "n-at-k" and self.k:
            return f"n@{self.k}"
        return self.metric


class ResultSet(_Strict):
    """A results file: a list of results, typically all numbers from one source table."""

    results: list[Result] = Field(min_length=1)


ENTITY_TYPES: dict[str, type[BaseModel]] = {
    "models": ModelFamily,
    "benchmarks": Benchmark,
    "papers": Paper,
    "metrics": Metric,
    "results": ResultSet,
}
