"""The static site builder: pages, data files and charts from a real catalog folder and a real store.

The catalog written here is a small fixture in the catalog's YAML format; its numbers are made
up for the tests (they are not the published values).
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from nl2code.catalog import load_catalog, to_dict
from nl2code.cli import cli
from nl2code.records import Execution, Sample, Status
from nl2code.records import TestOutcome as Outcome
from nl2code.site import RunView, build_site
from nl2code.site._charts import size_vs_score
from nl2code.site._data import ProblemRow, SiteData, display_command, format_params, size_bucket
from nl2code.site._runs import runs_from_store, scores_from_counts
from nl2code.store import open_store

B = 1_000_000_000


def _model(fid, name, weights, date, variants, *, arch="decoder-only", aliases=(), tags=(), paper=None):
    return {
        "id": fid, "name": name, "aliases": list(aliases), "tags": list(tags), "organization": ["Lab"],
        "release_date": date, "architecture": arch, "weights": weights, "paper": paper,
        "variants": [{"id": vid, "name": vname, "parameters": int(size)} for vid, vname, size in variants],
    }


def _result(rid, model, bench, k, value, *, provenance="published", run=None, temperature=None, date=None):
    out = {
        "id": rid, "model": model, "benchmark": bench, "metric": "pass-at-k", "k": k, "value": value,
        "prompt_style": "completion", "source": {"kind": "paper", "title": f"Fixture source for {model}", "table": "Table 1", "url": "https://example.org/paper"},
    }
    if model.startswith("codex"):
        out["source"]["paper"] = "chen2021-codex"
    if date:
        out["date"] = date
    if temperature is not None:
        out["decoding"] = {"temperature": temperature, "n": 200}
    if provenance == "reproduced":
        out["provenance"] = "reproduced"
        out["run"] = {"run_id": run, "package_version": "0.1.0"}
        out["source"] = {"kind": "nl2code-run", "title": f"nl2code run {run}"}
    return out


MODELS = [
    _model("codex", "Codex", "closed", "2021-07", [("codex-12b", "Codex-12B", 12 * B), ("codex-300m", "Codex-300M", 0.3 * B)], paper="chen2021-codex"),
    _model("starcoder", "StarCoder", "open", "2023-05", [("starcoder-15b", "StarCoder-15.5B", 15.5 * B)], aliases=["StarCoderBase"], tags=["bigcode"], paper="li2023-starcoder"),
    _model("starcoder2", "StarCoder2", "open", "2024-02", [("starcoder2-3b", "StarCoder2-3B", 3 * B), ("starcoder2-15b", "StarCoder2-15B", 15 * B)], tags=["bigcode"]),
    _model("santacoder", "SantaCoder", "open", "2022-12", [("santacoder-1.1b", "SantaCoder-1.1B", 1.1 * B)], tags=["bigcode"]),
    _model("codegen", "CodeGen", "open", "2022-03", [("codegen-350m", "CodeGen-350M", 0.35 * B), ("codegen-16b", "CodeGen-16.1B", 16.1 * B)]),
    _model("codet5", "CodeT5", "open", "2021-09", [("codet5-220m", "CodeT5-220M", 0.22 * B)], arch="encoder-decoder"),
    _model("palm-coder", "PaLM-Coder", "closed", "2022-04", [("palm-coder-540b", "PaLM-Coder-540B", 540 * B)]),
]
MODELS[4]["variants"][0]["huggingface"] = "Salesforce/codegen-350M-mono"
BENCHMARKS = [
    {"id": "humaneval", "name": "HumanEval", "release_date": "2021-07", "instances": 164, "programming_languages": ["Python"], "scenario": "code-exercise", "test_cases": True, "paper": "chen2021-codex", "statistics": {"avg_test_cases": 7.7}},
    {"id": "mbpp", "name": "MBPP", "release_date": "2021-08", "instances": 974, "programming_languages": ["Python"], "scenario": "code-exercise", "test_cases": True},
    {"id": "ds-1000", "name": "DS-1000", "release_date": "2022-11", "programming_languages": ["Python"], "scenario": "data-science", "tags": ["data-science"]},
    {"id": "multipl-humaneval", "name": "MultiPL-HumanEval", "aliases": ["MultiPL-E"], "release_date": "2022-08", "programming_languages": ["Java", "C++", "Rust"], "scenario": "multilingual-pl"},
]
PAPERS = [
    {"id": "chen2021-codex", "name": "Codex paper", "title": "Evaluating Large Language Models Trained on Code", "year": 2021},
    {"id": "li2023-starcoder", "name": "StarCoder paper", "title": "StarCoder: may the source be with you", "year": 2023},
]
METRICS = [{"id": "pass-at-k", "name": "pass@k", "metric_kind": "execution", "definition": "Chance that one of k samples passes every test.", "parameters": ["k"]}]
RESULTS = [
    _result("codex-12b-1", "codex-12b", "humaneval", 1, 28.8, temperature=0.2, date="2021-07"),
    _result("codex-12b-100", "codex-12b", "humaneval", 100, 72.3, temperature=0.8, date="2021-07"),
    _result("codex-300m-1", "codex-300m", "humaneval", 1, 13.2, date="2021-07"),
    _result("starcoder-15b-1", "starcoder-15b", "humaneval", 1, 33.6, date="2023-05"),
    _result("starcoder2-3b-1", "starcoder2-3b", "humaneval", 1, 31.7, date="2024-02"),
    _result("starcoder2-15b-1", "starcoder2-15b", "humaneval", 1, 46.3, date="2024-02"),
    _result("santacoder-1", "santacoder-1.1b", "humaneval", 1, 14.0, date="2022-12"),
    _result("codegen-350m-1", "codegen-350m", "humaneval", 1, 12.8, date="2022-03"),
    _result("codegen-16b-1", "codegen-16b", "humaneval", 1, 29.3, date="2022-03"),
    _result("palm-coder-1", "palm-coder-540b", "humaneval", 1, 36.0, date="2022-04"),
    _result("codegen-350m-repro", "codegen-350m", "humaneval", 1, 12.5, provenance="reproduced", run="run-linked", date="2026-11-01"),
    _result("starcoder-mbpp-1", "starcoder-15b", "mbpp", 1, 52.7, date="2023-05"),
]
# variants with a size that have a HumanEval pass@1 number, one point per (variant, provenance)
HUMANEVAL_PASS1_POINTS = 10


def write_catalog(root: Path) -> Path:
    """The fixture catalog as YAML files, one per entity, as `catalog/` holds them."""
    for kind, items in (("models", MODELS), ("benchmarks", BENCHMARKS), ("papers", PAPERS), ("metrics", METRICS)):
        (root / kind).mkdir(parents=True, exist_ok=True)
        for item in items:
            (root / kind / f"{item['id']}.yaml").write_text(yaml.safe_dump({k: v for k, v in item.items() if v is not None}, sort_keys=False))
    (root / "results").mkdir(parents=True, exist_ok=True)
    (root / "results" / "fixture.yaml").write_text(yaml.safe_dump({"results": RESULTS}, sort_keys=False))
    return root


def write_store(db: Path | str) -> str:
    """A real results store with one complete run: 3 problems x 4 samples of CodeGen-350M on HumanEval."""
    store = open_store(str(db))
    run_id = store.create_run(
        id="run-linked", kind="evaluate", fingerprint="f" * 64, benchmark="humaneval", benchmark_version="1.0",
        data_sha256="a" * 64, dataset_path="HumanEval.jsonl.gz", samples_path="/tmp/samples.jsonl", samples_sha256="b" * 64,
        samples_format="human-eval", model="Salesforce/codegen-350M-mono", n_samples=12, n_problems=3, nl2code_version="0.1.0",
        isolation="namespaces", settings={"benchmark": "humaneval", "temperature": 0.8, "timeout": 3.0}, machine={"cpus": 2},
        command="nl2code evaluate samples.jsonl --benchmark humaneval --model Salesforce/codegen-350M-mono",
    )
    passes = {"HumanEval/0": [True, True, False, True], "HumanEval/1": [False, False, False, False], "HumanEval/2": [True, False, False, False]}
    batch, index = [], 0
    for task, verdicts in passes.items():
        for sample_id, ok in enumerate(verdicts):
            tests = (Outcome(True, True), Outcome(ok, True, "" if ok else "AssertionError: wrong value"))
            execution = Execution(task, sample_id, index, Status.PASSED if ok else Status.FAILED, tests, duration=0.01, error="" if ok else "AssertionError: wrong value")
            batch.append((execution, Sample(task, sample_id, index, "def f(): pass")))
            index += 1
    store.add_executions(run_id, batch)
    store.update_run(run_id, status="complete")
    return run_id


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    catalog = to_dict(load_catalog(write_catalog(root / "catalog")))
    write_store(root / "runs.db")
    runs = runs_from_store(str(root / "runs.db"))
    report = build_site(root / "out", catalog, runs)
    return report.out, catalog, runs


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for attr in ("src", "href"):
            if attrs.get(attr) is not None:
                self.refs.append((tag, attr, attrs[attr]))


def test_build_writes_a_page_for_every_entity_and_leaderboard(built):
    out, catalog, _ = built
    for kind in ("models", "benchmarks", "papers", "metrics"):
        for entity in catalog[kind]:
            assert (out / kind / f"{entity['id']}.html").is_file(), entity["id"]
    for name in ("index.html", "explore.html", "leaderboards.html", "charts.html", "runs.html", "runs/run-linked.html"):
        assert (out / name).is_file(), name
    boards = sorted(p.name for p in (out / "leaderboards").iterdir())
    assert boards == ["humaneval--pass-1.html", "humaneval--pass-100.html", "mbpp--pass-1.html"]


def test_every_local_link_and_script_resolves_and_nothing_loads_from_another_host(built):
    out, _, _ = built
    checked = 0
    for page in out.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text())
        for tag, attr, ref in parser.refs:
            if tag in ("script", "link") or attr == "src":
                assert not re.match(r"^(https?:)?//", ref), f"{page.name} loads {ref} from another host"
            if re.match(r"^([a-z]+:|//|#)", ref):
                continue
            target = (page.parent / ref.split("#")[0].split("?")[0]).resolve()
            if ref.endswith("/"):
                assert target.is_dir(), f"{page.relative_to(out)} links to missing {ref}"
            else:
                assert target.is_file(), f"{page.relative_to(out)} links to missing {ref}"
            checked += 1
    assert checked > 200


class _A11y(HTMLParser):
    """Collects what a screen-reader user needs: the language, headings, labelled controls."""

    def __init__(self):
        super().__init__()
        self.lang = None
        self.h1 = 0
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, str | None, bool]] = []  # (tag, id, inside a <label>)
        self.open_labels = 0
        self.empty_buttons = 0
        self._button_text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append((tag, attrs.get("id"), self.open_labels > 0))
        elif tag == "button":
            self._button_text = []

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1
        elif tag == "button" and self._button_text is not None:
            self.empty_buttons += not "".join(self._button_text).strip()
            self._button_text = None

    def handle_data(self, data):
        if self._button_text is not None:
            self._button_text.append(data)


def test_every_page_has_a_language_one_heading_and_labelled_controls(built):
    out, _, _ = built
    pages = list(out.rglob("*.html"))
    for page in pages:
        parser = _A11y()
        parser.feed(page.read_text())
        name = page.relative_to(out)
        assert parser.lang == "en" and parser.h1 == 1, name
        unlabelled = [c for c in parser.controls if not c[2] and c[1] not in parser.label_for]
        assert not unlabelled, f"{name}: controls without a label: {unlabelled}"
        assert parser.empty_buttons == 0, name
    assert len(pages) > 20


def test_leaderboard_is_a_readable_table_with_provenance_on_every_number(built):
    out, _, _ = built
    html = (out / "leaderboards/humaneval--pass-1.html").read_text()
    values = [float(v) for v in re.findall(r'<span class="v">([\d.]+)</span>', html)]
    assert values == sorted(values, reverse=True) and len(values) == 10  # 9 published + the linked reproduced one
    assert html.count("<details class=\"prov\">") == 10
    assert "Fixture source for codex-12b</a>, Table 1" in html
    assert "T=0.2, n=200" in html  # decoding settings
    assert "nl2code evaluate samples.jsonl --benchmark humaneval" in html  # the command that reproduces our number
    assert 'data-provenance="reproduced"' in html
    assert "<dt>Published</dt><dd>12.8 (Fixture source for codegen-350m)</dd>" in html  # next to our 12.5


def test_model_page_lists_variants_results_and_papers(built):
    out, _, _ = built
    html = (out / "models/codex.html").read_text()
    assert html.index('id="codex-12b"') < html.index('id="codex-300m"')
    assert "<td class=\"num\">12B</td>" in html and "<td class=\"num\">300M</td>" in html
    papers = html[html.index("<h2>Papers</h2>"):]
    assert '<a href="../papers/chen2021-codex.html">Codex paper</a>' in papers
    assert "Evaluating Large Language Models Trained on Code" in papers


def test_benchmark_and_paper_pages_list_their_numbers(built):
    out, _, _ = built
    bench = (out / "benchmarks/mbpp.html").read_text()
    results = bench[bench.index("<h2>Results</h2>"):]
    assert '<a href="../models/starcoder.html#starcoder-15b">StarCoder-15.5B</a>' in results and "52.7" in results
    paper = (out / "papers/chen2021-codex.html").read_text()
    numbers = paper[paper.index("<h2>Numbers it reports</h2>"):]
    assert numbers.count("<tr>") == 1 + 3  # header + Codex-12B pass@1, pass@100, Codex-300M pass@1
    assert "28.8" in numbers and "72.3" in numbers and "13.2" in numbers


def test_leaderboard_downloads_hold_every_row_in_order(built):
    out, _, _ = built
    with open(out / "data/leaderboards/humaneval--pass-1.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    data = json.loads((out / "data/leaderboards/humaneval--pass-1.json").read_text())
    assert [r["model"] for r in rows] == [r["model"] for r in data["rows"]]
    assert rows[0]["model"] == "starcoder2-15b" and float(rows[0]["value"]) == 46.3
    assert {r["provenance"] for r in rows} == {"published", "reproduced"}
    repro = next(r for r in rows if r["provenance"] == "reproduced")
    assert repro["run_id"] == "run-linked" and repro["command"].startswith("nl2code evaluate")


def test_search_documents_carry_names_aliases_and_facets(built):
    out, catalog, _ = built
    docs = {d["id"]: d for d in json.loads((out / "data/search.json").read_text())}
    assert len(docs) == sum(len(catalog[k]) for k in ("models", "benchmarks", "papers", "metrics"))
    starcoder = docs["starcoder"]
    assert "StarCoderBase" in starcoder["aliases"] and "StarCoder-15.5B" in starcoder["aliases"]
    assert starcoder["facets"]["weights"] == ["open"] and starcoder["facets"]["size"] == ["7B–20B"]
    assert starcoder["facets"]["tag"] == ["bigcode"] and starcoder["facets"]["year"] == ["2023"]
    assert docs["codex"]["facets"]["size"] == ["< 1B", "7B–20B"] and docs["codex"]["facets"]["weights"] == ["closed"]
    assert docs["multipl-humaneval"]["facets"]["language"] == ["c++", "java", "rust"]
    assert docs["ds-1000"]["facets"]["scenario"] == ["data-science"]


def test_size_chart_has_one_point_per_model_and_a_frontier_of_best_in_size(built):
    _, catalog, runs = built
    board = SiteData(catalog, runs).leaderboard("humaneval", "pass@1")
    chart = size_vs_score(board)
    assert chart.points == HUMANEVAL_PASS1_POINTS == len(chart.rows)
    frontier = next(layer for layer in chart.spec["layer"] if layer["name"] == "frontier")["data"]["values"]
    # sizes ascending; each frontier model beats every smaller one
    # the last step carries StarCoder2-15B's score on to the largest model (PaLM-Coder-540B)
    assert [p["model"] for p in frontier] == ["Codex-300M", "SantaCoder-1.1B", "StarCoder2-3B", "StarCoder2-15B", "StarCoder2-15B"]
    assert frontier[-1]["parameters"] == 540 * B
    assert [p["value"] for p in frontier] == sorted(p["value"] for p in frontier)


def test_run_page_shows_pass_rates_verdicts_and_downloads(built):
    out, _, runs = built
    (run,) = runs
    assert [(p.task_id, p.samples, p.passed) for p in run.problems] == [("HumanEval/0", 4, 3), ("HumanEval/1", 4, 0), ("HumanEval/2", 4, 1)]
    # pass@1 = mean of c/n = (3/4 + 0 + 1/4) / 3
    assert run.scores["pass@1"] == pytest.approx(100 * (0.75 + 0 + 0.25) / 3)
    html = (out / "runs/run-linked.html").read_text()
    samples_table = html[html.index('id="samples"'):]
    assert samples_table.count('class="verdict v-failed"') == 8 and samples_table.count('class="verdict v-passed"') == 4
    assert 'v-failed">failed</span> 8, <span class="verdict v-passed">passed</span> 4' in html  # the verdict counts
    assert "<dt>Decoding</dt><dd>T=0.8, n=4</dd>" in html
    assert "75%" in html and "AssertionError: wrong value" in html
    with open(out / "data/runs/run-linked-samples.csv", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 12
    payload = json.loads((out / "data/runs/run-linked.json").read_text())
    assert payload["variant"] == "codegen-350m"  # matched to the catalog by its Hugging Face name's tail
    assert payload["command"].startswith("nl2code evaluate")


def test_a_stored_command_is_shown_without_the_interpreter_path():
    assert display_command("/work/x/.venv/bin/nl2code evaluate s.jsonl") == "nl2code evaluate s.jsonl"
    assert display_command("python -m nl2code evaluate") == "python -m nl2code evaluate"
    # `python -m nl2code` (how nl2code reproduce runs its commands) stores __main__.py's path
    assert display_command("/work/x/src/nl2code/__main__.py evaluate s.jsonl") == "nl2code evaluate s.jsonl"


def test_pass_at_k_from_counts_uses_the_unbiased_estimator():
    problems = [ProblemRow("a", 10, 1), ProblemRow("b", 10, 0)]
    scores = scores_from_counts(problems)
    assert scores["pass@1"] == pytest.approx(5.0)
    assert scores["pass@10"] == pytest.approx(50.0)
    assert "pass@100" not in scores  # undefined with 10 samples


def test_a_run_that_is_not_in_the_catalog_gets_its_page_but_no_leaderboard_row(tmp_path):
    catalog = to_dict(load_catalog(write_catalog(tmp_path / "catalog")))
    problems = [ProblemRow(f"HumanEval/{i}", 1, 1) for i in range(164)]
    run = RunView(id="r2", model="my-local-model", benchmark="HumanEval", scores={"pass@1": 40.0}, command="nl2code evaluate x.jsonl", problems=problems)
    out = build_site(tmp_path / "out", catalog, [run]).out
    data = json.loads((out / "data/leaderboards/humaneval--pass-1.json").read_text())
    assert all(r["run_id"] != "r2" for r in data["rows"])
    assert "not linked to a catalog model" in (out / "runs.html").read_text() and (out / "runs/r2.html").is_file()


def test_a_selfcheck_run_gets_its_page_but_no_leaderboard_row(tmp_path):
    catalog = to_dict(load_catalog(write_catalog(tmp_path / "catalog")))
    run = RunView(id="check", model="", kind="selfcheck", benchmark="humaneval", scores={"pass@1": 100.0})
    out = build_site(tmp_path / "out", catalog, [run]).out
    data = json.loads((out / "data/leaderboards/humaneval--pass-1.json").read_text())
    assert all(r["run_id"] != "check" for r in data["rows"])
    assert (out / "runs/check.html").is_file() and "selfcheck" in (out / "runs.html").read_text()


def test_text_from_the_catalog_cannot_break_out_of_the_page(tmp_path):
    root = write_catalog(tmp_path / "catalog")
    path = root / "papers" / "chen2021-codex.yaml"
    paper = yaml.safe_load(path.read_text())
    paper["description"] = "</script><script>alert(1)</script>"
    path.write_text(yaml.safe_dump(paper))
    out = build_site(tmp_path / "out", to_dict(load_catalog(root))).out
    html = (out / "papers/chen2021-codex.html").read_text()
    assert "<script>alert(1)" not in html and "&lt;/script&gt;&lt;script&gt;alert(1)" in html


def test_json_embedded_in_a_page_survives_script_closing_text(tmp_path):
    root = write_catalog(tmp_path / "catalog")
    path = root / "results" / "fixture.yaml"
    results = yaml.safe_load(path.read_text())
    results["results"][0]["note"] = "</script><!-- <b>"
    path.write_text(yaml.safe_dump(results))
    out = build_site(tmp_path / "out", to_dict(load_catalog(root))).out
    html = (out / "leaderboards/humaneval--pass-1.html").read_text()
    embedded = re.search(r'<script type="application/json" id="board-data">(.*?)</script>', html, re.S).group(1)
    notes = [r["note"] for r in json.loads(embedded)]
    assert "</script><!-- <b>" in notes


def test_sizes_are_bucketed_and_printed_readably():
    assert [size_bucket(x) for x in (None, 3.5e8, 1.1e9, 7e9, 15.5e9, 34e9, 70e9, 540e9)] == [None, "< 1B", "1B–7B", "1B–7B", "7B–20B", "20B–70B", "20B–70B", "≥ 70B"]
    assert [format_params(x) for x in (3.5e8, 1.1e9, 15.5e9, 540e9, 1.2e12)] == ["350M", "1.1B", "15.5B", "540B", "1.2T"]


def test_benchmark_page_shows_computed_statistics_next_to_published_ones(tmp_path):
    catalog = to_dict(load_catalog(write_catalog(tmp_path / "catalog")))
    computed = {"humaneval": {"benchmark": "humaneval", "version": "1.0.3", "data_sha256": "c" * 64, "problems": 164, "avg_tests": 7.2, "avg_problem_chars": 450.6}}
    out = build_site(tmp_path / "out", catalog, computed_stats=computed).out
    html = (out / "benchmarks/humaneval.html").read_text()
    assert re.search(r"Problems</th><td class=\"num\">164</td><td class=\"num\">164</td>", html)
    assert re.search(r"Test cases per problem</th><td class=\"num\">7.7</td><td class=\"num\">7.2</td>", html)
    assert "<h2>Statistics</h2>" not in (out / "benchmarks/ds-1000.html").read_text()  # nothing published or computed


def test_cli_builds_the_site_from_a_catalog_folder_and_a_store(tmp_path, db_url):
    catalog = write_catalog(tmp_path / "catalog")
    write_store(db_url)
    (tmp_path / "no-reproductions").mkdir()
    result = CliRunner().invoke(cli, ["site", "build", "--out", str(tmp_path / "out"), "--catalog", str(catalog), "--db", db_url,
                                      "--reproductions", str(tmp_path / "no-reproductions")])
    assert result.exit_code == 0, result.output
    assert "3 leaderboards, 1 runs" in result.output
    assert (tmp_path / "out/runs/run-linked.html").is_file()
    # HumanEval's statistics, computed from the data inside the human-eval package
    assert "Problem length (lines)</th><td class=\"num\"></td><td class=\"num\">13.7</td>" in (tmp_path / "out/benchmarks/humaneval.html").read_text()


def test_site_serve_previews_the_built_site_on_loopback(built):
    out, _, _ = built
    proc = subprocess.Popen(
        [sys.executable, "-m", "nl2code", "site", "serve", "--out", str(out), "--port", "0", "--no-build"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        with urllib.request.urlopen(match.group(0) + "leaderboards/humaneval--pass-1.html", timeout=10) as response:
            assert response.status == 200 and "StarCoder2-15B" in response.read().decode()
        with urllib.request.urlopen(match.group(0) + "data/search.json", timeout=10) as response:
            assert response.headers["Content-Type"] == "application/json"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cli_refuses_a_store_file_that_does_not_exist(tmp_path):
    result = CliRunner().invoke(cli, ["site", "build", "--out", str(tmp_path / "out"), "--db", str(tmp_path / "typo.db")])
    assert result.exit_code == 2 and "no results store at" in result.output
    assert not (tmp_path / "typo.db").exists()


def test_an_empty_catalog_builds_a_site_that_says_so(tmp_path):
    out = build_site(tmp_path / "out", {"models": [], "benchmarks": [], "papers": [], "metrics": [], "results": []}).out
    assert "No results yet." in (out / "leaderboards.html").read_text()
    assert (out / "charts.html").read_text().count("Nothing to draw yet") == 3  # timeline, temperature, best over time
    assert json.loads((out / "data/search.json").read_text()) == []


def test_the_repository_catalog_builds(tmp_path):
    report = build_site(tmp_path / "out", to_dict(load_catalog()))
    assert report.leaderboards >= 1
    assert (tmp_path / "out/leaderboards/humaneval--pass-1.html").is_file()
