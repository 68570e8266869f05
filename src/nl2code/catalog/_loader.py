"""Reading catalog YAML files into typed entities, remembering the line of every field for error messages."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from nl2code.catalog._schema import (
    ENTITY_TYPES,
    Benchmark,
    Metric,
    ModelFamily,
    ModelVariant,
    Paper,
    Result,
    ResultSet,
)
from nl2code.errors import InputError

log = logging.getLogger(__name__)

KINDS = tuple(ENTITY_TYPES)  # folder names: models, benchmarks, papers, metrics, results
IGNORED_DIRS = {"schema"}


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in the catalog, located as precisely as we can."""

    file: str
    line: int | None
    field: str | None
    message: str
    fix: str
    warning: bool = False  # reported, but the catalog still validates

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f" {self.field}:" if self.field else ""
        prefix = "warning: " if self.warning else ""
        return f"{prefix}{where}:{what} {self.message}. Fix: {self.fix}"


class CatalogError(InputError):
    """The catalog does not validate; `issues` lists every problem found."""

    def __init__(self, issues: list[Issue]) -> None:
        shown = "\n".join(f"  {issue}" for issue in issues[:20])
        more = f"\n  ... and {len(issues) - 20} more" if len(issues) > 20 else ""
        super().__init__(
            f"the catalog has {len(issues)} problem(s):\n{shown}{more}\n"
            "Run `nl2code catalog validate` to see them all."
        )
        self.issues = issues


@dataclass(slots=True)
class Location:
    file: Path
    line: int
    prefix: tuple[Any, ...] = ()  # path of the entity inside its file, e.g. ("variants", 2)


@dataclass(slots=True)
class Catalog:
    """The whole catalog, typed. Lists are sorted by id; `locations` maps ids to file:line."""

    root: Path
    models: list[ModelFamily] = field(default_factory=list)
    benchmarks: list[Benchmark] = field(default_factory=list)
    papers: list[Paper] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    locations: dict[str, Location] = field(default_factory=dict)
    line_maps: dict[Path, dict[tuple[Any, ...], int]] = field(default_factory=dict, repr=False)
    placed: dict[int, Location] = field(default_factory=dict, repr=False)  # id(entity object) -> where
    unloaded_ids: set[str] = field(default_factory=set, repr=False)  # ids in files that did not validate

    def where(self, entity: Any, *path: Any) -> tuple[str, int | None]:
        """File (relative to the catalog's parent) and line of an entity or one of its fields."""
        location = self.placed.get(id(entity))
        if location is None:
            return str(self.root), None
        line_map = self.line_maps.get(location.file, {})
        full = location.prefix + path
        while full and full not in line_map:
            full = full[:-1]
        return _rel(location.file, self.root), line_map.get(full, location.line)

    @property
    def variants(self) -> dict[str, tuple[ModelFamily, ModelVariant]]:
        return {v.id: (family, v) for family in self.models for v in family.variants}

    def entities(self) -> list[ModelFamily | Benchmark | Paper | Metric]:
        return [*self.models, *self.benchmarks, *self.papers, *self.metrics]

    def get(self, entity_id: str) -> ModelFamily | ModelVariant | Benchmark | Paper | Metric | Result | None:
        for entity in self.entities():
            if entity.id == entity_id:
                return entity
        variant = self.variants.get(entity_id)
        if variant:
            return variant[1]
        return next((r for r in self.results if r.id == entity_id), None)

    def family_of(self, variant_id: str) -> ModelFamily | None:
        found = self.variants.get(variant_id)
        return found[0] if found else None

    def results_for(self, entity_id: str) -> list[Result]:
        """Results naming a variant, a family (any of its variants) or a benchmark."""
        ids = {entity_id}
        for family in self.models:
            if family.id == entity_id:
                ids |= {v.id for v in family.variants}
        return [r for r in self.results if r.model in ids or r.benchmark in ids]


def default_catalog_path() -> Path:
    """$NL2CODE_CATALOG, else the repository's catalog/ (editable installs), else ./catalog."""
    env = os.environ.get("NL2CODE_CATALOG")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[3] / "catalog"
    if repo.is_dir():
        return repo
    return Path.cwd() / "catalog"


# --- YAML with positions -----------------------------------------------------------------


def _line_map(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int], dups: list) -> None:
    """Record the 1-based line of every mapping key / sequence item; collect duplicate keys."""
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                dups.append((path + (key,), line, seen[key]))
            seen[key] = line
            out[path + (key,)] = line
            _line_map(value_node, path + (key,), out, dups)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            out[path + (index,)] = item.start_mark.line + 1
            _line_map(item, path + (index,), out, dups)


def line_for(line_map: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest known prefix of a pydantic error location."""
    path = tuple(part for part in loc if isinstance(part, int) or part in _keys(line_map))
    while path:
        if path in line_map:
            return line_map[path]
        path = path[:-1]
    return line_map.get(())


def _keys(line_map: dict[tuple[Any, ...], int]) -> set[Any]:
    return {part for path in line_map for part in path}


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and "[" in part:
            continue  # pydantic's internal step names (validator wrappers)
        else:
            out += f".{part}" if out else str(part)
    return out


def _fix_for(error: dict[str, Any], model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    kind = error["type"]
    name = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        allowed = ", ".join(sorted(owner.model_fields)) if owner else "see catalog/schema/"
        return f"remove `{name}` or correct its spelling; allowed fields here: {allowed}"
    if kind == "missing":
        return f"add `{name}:` with a value"
    if kind in ("enum", "literal_error"):
        return "use one of the values listed in the message (closed list; see catalog/schema/)"
    if kind.startswith(("int_", "float_")):
        return "write a plain number (e.g. 1300000000 for 1.3B, no quotes or units)"
    if kind.startswith("bool"):
        return "write true or false"
    if kind == "string_pattern_mismatch":
        return "ids are lower-case letters, digits and . _ + - (e.g. 'starcoder2-15b')"
    if kind.startswith(("list_", "dict_", "model_")):
        return "check the YAML structure against catalog/schema/ (a list needs '- ' items, a mapping 'key: value')"
    return "correct the value as the message says"


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """Follow a location through nested models to the model that owns its last step."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return current if hasattr(current, "model_fields") else None
        annotation = fields[part].annotation
        current = _inner_model(annotation)
        if current is None:
            return None
    return current if hasattr(current, "model_fields") else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


@dataclass(frozen=True, slots=True)
class _UnloadedIds:
    """Carried with a file's issues: the ids its invalid content declares."""

    ids: set[str]


def _raw_ids(data: dict[str, Any]) -> set[str]:
    """Ids declared in a file that failed to validate, so others' references to them are not reported too."""
    ids = {str(data["id"])} if data.get("id") else set()
    for key in ("variants", "results"):
        for item in data.get(key) or []:
            if isinstance(item, dict) and item.get("id"):
                ids.add(str(item["id"]))
    return ids


_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 5x faster


class _LOADER(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader, except that a timestamp that is not a real date (an unquoted 2022-13-45)
    stays a string: the schema then reports it with its file and line instead of the parser raising."""


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_LOADER.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """One parse gives both the node tree (for line numbers) and the data."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def read_file(path: Path, kind: str, root: Path) -> tuple[BaseModel | None, dict, list[Any]]:
    """Parse and type one file: (entity or None, line map, issues); a file that fails also
    carries an _UnloadedIds marker among its issues so that references to it are not reported twice."""
    name = _rel(path, root)
    issues: list[Issue] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, {}, [Issue(name, None, None, f"cannot read the file ({exc})", "save it as UTF-8 text")]
    try:
        node, data = _parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        return None, {}, [Issue(name, line, None, f"invalid YAML: {problem}", "fix the YAML syntax at that line (indentation, quotes, ':')"),
                          _UnloadedIds({path.stem})]
    line_map: dict[tuple[Any, ...], int] = {}
    dups: list = []
    if node is not None:
        _line_map(node, (), line_map, dups)
    for dup_path, line, first in dups:
        issues.append(Issue(name, line, _dotted(dup_path), f"key appears twice (first on line {first})", "keep one of the two"))
    if not isinstance(data, dict):
        return None, line_map, issues + [Issue(name, 1, None, "the file is not a YAML mapping", "start with `id: ...` lines (see catalog/schema/)"),
                                         _UnloadedIds({path.stem})]
    model_type = ENTITY_TYPES[kind]
    try:
        entity = model_type.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            issues.append(Issue(name, line_for(line_map, loc), _dotted(loc) or None, error["msg"], _fix_for(error, model_type, loc)))
        return None, line_map, issues + [_UnloadedIds(_raw_ids(data) | {path.stem})]
    if kind != "results" and getattr(entity, "id", None) != path.stem:
        issues.append(Issue(name, line_map.get(("id",)), "id", f"id {entity.id!r} does not match the file name {path.name!r}", f"rename the file to {entity.id}.yaml or set `id: {path.stem}`"))
    return entity, line_map, issues


def read_catalog(path: Path | str | None = None) -> tuple[Catalog, list[Issue]]:
    """Read every file; returns the catalog (valid entities only) and all issues, cross-checks included."""
    from nl2code.catalog._validate import cross_check

    root = Path(path) if path is not None else default_catalog_path()
    if not root.is_dir():
        raise InputError(f"{root}: no catalog folder here; pass --path DIR or set NL2CODE_CATALOG")
    catalog = Catalog(root=root)
    issues: list[Issue] = []
    for file in sorted(root.rglob("*")):
        if not file.is_file() or file.suffix not in (".yaml", ".yml"):
            continue
        rel = file.relative_to(root)
        if rel.parts[0] in IGNORED_DIRS:
            continue
        if len(rel.parts) != 2 or rel.parts[0] not in KINDS:
            issues.append(Issue(_rel(file, root), None, None, "file is not in a known folder", f"move it to one of {', '.join(k + '/' for k in KINDS)}"))
            continue
        if file.suffix == ".yml":
            issues.append(Issue(_rel(file, root), None, None, "catalog files end in .yaml", f"rename it to {file.stem}.yaml"))
            continue
        kind = rel.parts[0]
        entity, line_map, file_issues = read_file(file, kind, root)
        for issue in file_issues:
            if isinstance(issue, _UnloadedIds):
                catalog.unloaded_ids |= issue.ids
            else:
                issues.append(issue)
        catalog.line_maps[file] = line_map
        if entity is None:
            continue
        if isinstance(entity, ResultSet):
            for index, result in enumerate(entity.results):
                catalog.results.append(result)
                where = Location(file, line_map.get(("results", index), 1), ("results", index))
                catalog.locations.setdefault(result.id, where)
                catalog.placed[id(result)] = where
            continue
        getattr(catalog, kind).append(entity)
        where = Location(file, line_map.get(("id",), 1))
        catalog.locations.setdefault(entity.id, where)
        catalog.placed[id(entity)] = where
        if isinstance(entity, ModelFamily):
            for index, variant in enumerate(entity.variants):
                where = Location(file, line_map.get(("variants", index), 1), ("variants", index))
                catalog.locations.setdefault(variant.id, where)
                catalog.placed[id(variant)] = where
    for kind in KINDS:
        getattr(catalog, kind).sort(key=lambda e: e.id)
    issues += cross_check(catalog)
    issues.sort(key=lambda i: (i.file, i.line or 0))
    return catalog, issues


def load_catalog(path: Path | str | None = None, *, strict: bool = True) -> Catalog:
    """Load and validate the catalog. strict: raise CatalogError if anything is wrong."""
    catalog, issues = read_catalog(path)
    for issue in issues:
        log.warning("%s", issue)
    if issues and strict:
        raise CatalogError(issues)
    return catalog
