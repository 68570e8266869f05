"""The `reproductions/` manifests: for each number nl2code reproduces, the released generations it
is measured on (repository, commit, path, sha256), the exact command, and the published figures it
is compared with (catalog result ids)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nl2code.errors import InputError

NAME_PATTERN = r"^[a-z0-9][a-z0-9._+-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReleasedFile(_Strict):
    """A file as its authors released it, pinned by commit and content hash."""

    repository: str = Field(pattern=r"^[\w.-]+/[\w.-]+$", description="GitHub owner/name.")
    commit: str = Field(pattern=r"^[0-9a-f]{7,40}$")
    path: str = Field(min_length=1, description="Path inside the repository at that commit.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    local: str | None = Field(None, description="Where a local copy sits under a shared data folder (offline use).")

    @property
    def url(self) -> str:
        return f"https://github.com/{self.repository}/blob/{self.commit}/{self.path}"

    @property
    def raw_url(self) -> str:
        return f"https://raw.githubusercontent.com/{self.repository}/{self.commit}/{self.path}"

    @property
    def filename(self) -> str:
        return self.path.rsplit("/", 1)[-1]


class Generations(ReleasedFile):
    format: str = Field(description="codet | human-eval: how the file is turned into a samples file.")
    prompts: ReleasedFile | None = Field(None, description="The prompts file a format joins generations through (codet).")


class Published(_Strict):
    metric: str = Field(pattern=r"^(pass@\d+|n@\d+)$")
    result: str = Field(description="Id of the catalog result holding the published figure.")
    value: float = Field(description="The published figure (percent), as the catalog result states it.")


class Reproduction(_Strict):
    """One reproduction: a model's released generations, re-executed by nl2code."""

    name: str = Field(pattern=NAME_PATTERN)
    title: str
    model: str = Field(description="Catalog variant id.")
    benchmark: str = Field(description="Catalog benchmark id (and nl2code benchmark name).")
    generations: Generations
    dataset: ReleasedFile | None = Field(None, description="The benchmark data, when nl2code does not ship it.")
    command: str = Field(description="The nl2code command; {samples} and {dataset} are the files above.")
    decoding: dict[str, float | int | bool | str] = Field(default_factory=dict)
    prompt_style: str = "unknown"
    published: list[Published] = Field(min_length=1)
    note: str | None = None

    def display_command(self) -> str:
        """The command as a reader types it: the file names in place of the placeholders."""
        return self.command.format(
            samples=_samples_name(self), dataset=self.dataset.filename if self.dataset else "",
        )


def _samples_name(reproduction: Reproduction) -> str:
    if reproduction.generations.format == "human-eval":
        return reproduction.generations.filename
    return f"{reproduction.name}.jsonl"


def default_dir() -> Path:
    """$NL2CODE_REPRODUCTIONS, else the repository's reproductions/, else ./reproductions."""
    env = os.environ.get("NL2CODE_REPRODUCTIONS")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[3] / "reproductions"
    return repo if repo.is_dir() else Path.cwd() / "reproductions"


def load_manifests(directory: Path | None = None) -> list[Reproduction]:
    """Every `*.yaml` manifest in the folder, sorted by name; a bad one is an error naming its file."""
    directory = directory or default_dir()
    if not directory.is_dir():
        raise InputError(f"{directory}: no reproductions folder; pass --dir DIR or set NL2CODE_REPRODUCTIONS")
    manifests = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            manifest = Reproduction.model_validate(data)
        except yaml.YAMLError as exc:
            raise InputError(f"{path}: invalid YAML ({exc}); fix the syntax") from exc
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InputError(f"{path}: {where}: {first['msg']} ({len(exc.errors())} problem(s)); see reproductions/README.md") from exc
        if manifest.name != path.stem:
            raise InputError(f"{path}: name {manifest.name!r} differs from the file name; rename the file to {manifest.name}.yaml")
        if not re.search(r"\{samples\}", manifest.command) or not manifest.command.startswith("nl2code "):
            raise InputError(f"{path}: command must be an `nl2code ...` command line with {{samples}} in it")
        manifests.append(manifest)
    return manifests
