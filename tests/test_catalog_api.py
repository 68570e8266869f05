"""The catalog's public loading API and JSON export, on the real catalog/ folder."""

from __future__ import annotations

import json
import subprocess
import sys

from nl2code.catalog import Benchmark, ModelFamily, Result, load_catalog, to_dict


def test_load_catalog_returns_typed_entities_sorted_by_id():
    cat = load_catalog()
    assert cat.models and all(isinstance(m, ModelFamily) for m in cat.models)
    assert all(isinstance(b, Benchmark) for b in cat.benchmarks)
    assert all(isinstance(r, Result) for r in cat.results)
    assert [m.id for m in cat.models] == sorted(m.id for m in cat.models)
    assert cat.get("humaneval").name == "HumanEval"


def test_export_json_has_the_five_entity_lists_each_with_id_and_name():
    completed = subprocess.run(
        [sys.executable, "-m", "nl2code", "catalog", "export", "--format", "json"],
        capture_output=True, text=True, check=True,
    )
    data = json.loads(completed.stdout)
    assert list(data) == ["models", "benchmarks", "papers", "metrics", "results"]
    for key, entities in data.items():
        assert entities, key
        for entity in entities:
            assert entity["id"] and entity["name"], (key, entity)
    assert data == json.loads(json.dumps(to_dict(load_catalog())))
