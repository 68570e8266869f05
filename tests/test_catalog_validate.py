"""Catalog validation: every problem is reported with its file, line and field, and how to fix it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nl2code.catalog import CatalogError, load_catalog, read_catalog

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "catalog"

MINI = {
    "papers/chen2021.yaml": "id: chen2021\nname: Codex paper\ntitle: Evaluating Large Language Models Trained on Code\nyear: 2021\n",
    "metrics/pass-at-k.yaml": (
        "id: pass-at-k\nname: pass@k\nmetric_kind: execution\ndefinition: at least one of k samples passes\n"
        "parameters: [k]\nrange: [0, 100]\npaper: chen2021\n"
    ),
    "benchmarks/humaneval.yaml": "id: humaneval\nname: HumanEval\ninstances: 164\nscenario: code-exercise\npaper: chen2021\n",
    "models/codex.yaml": (
        "id: codex\nname: Codex\naliases: [OpenAI Codex]\nrelease_date: 2021-07\narchitecture: decoder-only\n"
        "weights: closed\nvariants:\n  - id: codex-12b\n    name: Codex-12B\n    parameters: 12000000000\n"
    ),
    "results/codex.yaml": (
        "results:\n  - id: codex-12b--humaneval--pass1\n    model: codex-12b\n    benchmark: humaneval\n"
        "    metric: pass-at-k\n    k: 1\n    value: 28.81\n    source:\n      kind: paper\n      title: Chen et al. 2021, Table 1\n"
    ),
}


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    for rel, text in MINI.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def issues_of(root: Path) -> list[str]:
    return [str(issue) for issue in read_catalog(root)[1]]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nl2code", "catalog", *args], capture_output=True, text=True, cwd=ROOT)


def test_the_real_catalog_validates_with_the_cli():
    completed = run_cli("validate")
    assert completed.returncode == 0, completed.stderr
    assert "catalog OK" in completed.stdout


def test_the_mini_catalog_is_valid(mini):
    assert issues_of(mini) == []
    cat = load_catalog(mini)
    assert cat.variants["codex-12b"][0].id == "codex"


def test_a_misspelled_field_names_file_line_and_field_and_lists_the_allowed_ones(mini):
    path = mini / "models/codex.yaml"
    path.write_text(path.read_text().replace("weights: closed", "weights: closed\nparamters: 12"))
    [issue] = issues_of(mini)
    assert issue.startswith("catalog/models/codex.yaml:7: paramters:")
    assert "allowed fields here" in issue and "architecture" in issue


def test_a_bad_enum_value_in_a_nested_variant_points_at_its_line(mini):
    path = mini / "models/codex.yaml"
    path.write_text(path.read_text().replace("parameters: 12000000000", "parameters: 12B"))
    [issue] = issues_of(mini)
    assert issue.startswith("catalog/models/codex.yaml:10: variants[0].parameters:")
    assert "plain number" in issue


def test_a_closed_list_value_outside_the_list_is_rejected_with_the_choices(mini):
    path = mini / "benchmarks/humaneval.yaml"
    path.write_text(path.read_text().replace("code-exercise", "Code Exercise"))
    [issue] = issues_of(mini)
    assert issue.startswith("catalog/benchmarks/humaneval.yaml:4: scenario:")
    assert "'code-exercise'" in issue and "competitions" in issue


def test_an_impossible_date_is_an_error(mini):
    path = mini / "models/codex.yaml"
    path.write_text(path.read_text().replace("2021-07", "2021-13"))
    [issue] = issues_of(mini)
    assert "codex.yaml:4: release_date:" in issue and "not a real date" in issue


def test_an_impossible_unquoted_date_is_reported_with_its_line_not_a_traceback(mini):
    # YAML reads an unquoted 2022-13-45 as a timestamp; the parser itself used to raise on it
    path = mini / "models/codex.yaml"
    path.write_text(path.read_text().replace("release_date: 2021-07", "release_date: 2022-13-45"))
    [issue] = issues_of(mini)
    assert "codex.yaml:4: release_date:" in issue and "not a real date" in issue
    completed = run_cli("validate", "--path", str(mini))
    assert completed.returncode == 1 and "Traceback" not in completed.stderr
    assert "codex.yaml:4: release_date:" in completed.stderr


def test_invalid_yaml_reports_the_line_of_the_syntax_error(mini):
    (mini / "papers/chen2021.yaml").write_text("id: chen2021\nname: [unclosed\ntitle: x\n")
    [issue] = issues_of(mini)
    assert issue.startswith("catalog/papers/chen2021.yaml:")
    assert "invalid YAML" in issue


def test_a_key_written_twice_in_one_file_is_reported(mini):
    path = mini / "papers/chen2021.yaml"
    path.write_text(path.read_text() + "year: 2022\n")
    [issue] = issues_of(mini)
    assert "chen2021.yaml:5: year: key appears twice (first on line 4)" in issue


def test_an_id_that_differs_from_the_file_name_is_reported(mini):
    (mini / "papers/chen2021.yaml").rename(mini / "papers/codex-paper.yaml")
    [issue] = issues_of(mini)
    assert "codex-paper.yaml:1: id:" in issue and "rename the file" in issue


def test_a_duplicate_id_across_files_is_reported_with_both_places(mini):
    (mini / "models/codex2.yaml").write_text(
        "id: codex2\nname: Codex Two\nvariants:\n  - id: codex-12b\n    name: Codex Two 12B\n")
    [issue] = issues_of(mini)
    assert "catalog/models/codex2.yaml:4: variants[0].id:" in issue
    assert "already used (catalog/models/codex.yaml:8)" in issue


def test_an_alias_clashing_with_another_entity_name_is_reported(mini):
    (mini / "models/gpt-neo.yaml").write_text("id: gpt-neo\nname: GPT-Neo\naliases: [openai-codex]\n")
    [issue] = issues_of(mini)
    assert "catalog/models/gpt-neo.yaml:3: aliases[0]:" in issue
    assert "already used by 'codex'" in issue


def test_a_result_naming_a_missing_variant_or_benchmark_is_reported_with_a_suggestion(mini):
    path = mini / "results/codex.yaml"
    path.write_text(path.read_text().replace("model: codex-12b", "model: codex-13b").replace("benchmark: humaneval", "benchmark: humanevl"))
    issues = issues_of(mini)
    assert any("results/codex.yaml:3: results[0].model: model variant 'codex-13b' does not exist" in i and "did you mean 'codex-12b'" in i for i in issues)
    assert any("results/codex.yaml:4: results[0].benchmark:" in i and "did you mean 'humaneval'" in i for i in issues)


def test_a_result_naming_a_family_is_told_to_name_a_variant(mini):
    path = mini / "results/codex.yaml"
    path.write_text(path.read_text().replace("model: codex-12b", "model: codex"))
    [issue] = issues_of(mini)
    assert "use one of: codex-12b" in issue


def test_a_dangling_paper_reference_is_reported(mini):
    path = mini / "benchmarks/humaneval.yaml"
    path.write_text(path.read_text().replace("paper: chen2021", "paper: chen2022"))
    [issue] = issues_of(mini)
    assert "humaneval.yaml:5: paper: paper 'chen2022' does not exist" in issue


def test_pass_at_k_without_k_or_as_a_fraction_above_range_is_reported(mini):
    path = mini / "results/codex.yaml"
    path.write_text(path.read_text().replace("    k: 1\n", "").replace("value: 28.81", "value: 128.1"))
    issues = issues_of(mini)
    assert any("metric 'pass-at-k' needs k" in i for i in issues)
    assert any("outside the metric's range" in i for i in issues)


def test_pass_at_k_values_swapped_between_k_are_reported(mini):
    path = mini / "results/codex.yaml"
    more = ("  - id: codex-12b--humaneval--pass10\n    model: codex-12b\n    benchmark: humaneval\n    metric: pass-at-k\n"
            "    k: 10\n    value: 46.81\n    source:\n      kind: paper\n      title: Chen et al. 2021, Table 1\n")
    path.write_text(path.read_text() + more)
    assert issues_of(mini) == []
    swapped = path.read_text().replace("28.81", "X").replace("46.81", "28.81").replace("X", "46.81")
    path.write_text(swapped)
    [issue] = issues_of(mini)
    assert "pass@10 28.81 is below pass@1 46.81" in issue and "codex.yaml:" in issue


def test_a_verified_result_without_a_url_is_rejected(mini):
    path = mini / "results/codex.yaml"
    path.write_text(path.read_text() + "    verified: true\n")
    [issue] = issues_of(mini)
    assert "verified: a verified result needs the source URL" in issue


def test_the_same_published_number_twice_is_a_duplicate(mini):
    path = mini / "results/codex.yaml"
    text = path.read_text()
    second = text.split("results:\n", 1)[1].replace("codex-12b--humaneval--pass1", "copy")
    path.write_text(text + second)
    [issue] = issues_of(mini)
    assert "same model, benchmark, metric, setting and source as 'codex-12b--humaneval--pass1'" in issue


def test_a_reproduced_result_needs_its_run(mini):
    path = mini / "results/codex.yaml"
    path.write_text(path.read_text() + "    provenance: reproduced\n")
    [issue] = issues_of(mini)
    assert "needs `run:`" in issue


def test_load_catalog_raises_with_every_issue(mini):
    (mini / "models/stray.yml").write_text("id: stray\nname: Stray\n")
    with pytest.raises(CatalogError) as info:
        load_catalog(mini)
    assert "stray.yml" in str(info.value) and "rename it to stray.yaml" in str(info.value)


def test_the_cli_fails_on_a_broken_catalog_and_names_the_file(tmp_path):
    broken = tmp_path / "catalog"
    shutil.copytree(CATALOG, broken)
    target = broken / "models" / "codex.yaml"
    target.write_text(target.read_text().replace("architecture: decoder-only", "architecture: decoder"))
    completed = run_cli("validate", "--path", str(broken))
    assert completed.returncode == 1
    assert "catalog/models/codex.yaml:" in completed.stderr and "architecture:" in completed.stderr
    assert "1 problem(s)" in completed.stderr


def test_sources_unreachable_from_here_are_warnings_not_errors(mini):
    import http.server
    import socket
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            self.send_response(200 if self.path == "/paper" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        path = mini / "results/codex.yaml"
        path.write_text(path.read_text().replace("      title: Chen et al. 2021, Table 1\n", f"      title: Chen et al. 2021, Table 1\n      url: {base}/paper\n"))
        path = mini / "papers/chen2021.yaml"
        path.write_text(path.read_text() + f"url: http://127.0.0.1:{closed}/gone\ncode_url: {base}/moved\n")
        completed = run_cli("validate", "--path", str(mini), "--check-links")
    finally:
        server.shutdown()
        server.server_close()
    assert completed.returncode == 0, completed.stderr
    assert "catalog OK" in completed.stdout and "2 warning(s)" in completed.stdout
    warnings = completed.stderr.strip().splitlines()
    assert len(warnings) == 2 and all(w.startswith("warning: catalog/papers/chen2021.yaml:") for w in warnings)
    assert any(f"127.0.0.1:{closed}/gone" in w and "url:" in w for w in warnings)
    assert any("/moved (HTTP 404)" in w and "code_url:" in w for w in warnings)
    assert run_cli("validate", "--path", str(mini)).stderr == ""  # no check without the flag


def test_committed_json_schema_files_match_the_models(tmp_path):
    completed = run_cli("schema", "--out", str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    for generated in tmp_path.glob("*.schema.json"):
        committed = CATALOG / "schema" / generated.name
        assert committed.read_text() == generated.read_text(), f"{committed} is stale: run `nl2code catalog schema`"


def test_a_setting_that_states_decoding_values_needs_them_in_decoding(mini):
    path = mini / "results/codex.yaml"
    path.write_text(path.read_text().replace("    value: 28.81\n", "    value: 28.81\n    setting: 'sampled, T=0.8, n=100'\n"))
    issues = issues_of(mini)
    assert len(issues) == 2 and all("codex.yaml:" in i and "decoding" in i for i in issues)
    assert any("the setting says temperature 0.8" in i for i in issues) and any("the setting says n 100" in i for i in issues)
    path.write_text(path.read_text().replace("    setting: 'sampled, T=0.8, n=100'\n", "    setting: 'sampled, T=0.8, n=100'\n    decoding: {temperature: 0.8, n: 100}\n"))
    assert issues_of(mini) == []
