"""The `reproductions/` manifests: for each number nl2code reproduces, the released generations it
is measured on (repository, commit, path, sha256), the exact command, and the published figures it
is compared with (catalog result ids)."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field

from nl2code import _manifests
from nl2code.errors import InputError

NAME_PATTERN = _manifests.NAME_PATTERN
_Strict = _manifests.Strict


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
    return _manifests.default_dir("NL2CODE_REPRODUCTIONS", "reproductions")


def load_manifests(directory: Path | None = None) -> list[Reproduction]:
    """Every `*.yaml` manifest in the folder, sorted by name; a bad one is an error naming its file."""
    directory = directory or default_dir()
    if not directory.is_dir():
        raise InputError(f"{directory}: no reproductions folder; pass --dir DIR or set NL2CODE_REPRODUCTIONS")
    manifests = []
    for path in sorted(directory.glob("*.yaml")):
        manifest, fail = _manifests.read_manifest(path, Reproduction, "reproductions/README.md")
        if not re.search(r"\{samples\}", manifest.command) or not manifest.command.startswith("nl2code "):
            raise fail(("command",), "command must be an `nl2code ...` command line with {samples} in it")
        manifests.append(manifest)
    return manifests
