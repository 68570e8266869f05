"""What a leaderboard row tells about its model (type, open data, release date and the
contamination risk that follows from it) and the per-language layout of multilingual boards."""

from __future__ import annotations

import json
import re

import yaml

from nl2code.catalog import load_catalog, to_dict
from nl2code.site import build_site
from test_site_build import _result, write_catalog


def fields_catalog(root):
    write_catalog(root)
    path = root / "benchmarks" / "humaneval.yaml"
    bench = yaml.safe_load(path.read_text())
    bench["known_leak"] = True
    bench["contamination"] = "its problems and solutions are public since its release"
    path.write_text(yaml.safe_dump(bench, sort_keys=False))
    path = root / "models" / "starcoder2.yaml"
    family = yaml.safe_load(path.read_text())
    family["open_data"] = True
    family["variants"][1]["type"] = "base"
    family["variants"][0]["type"] = "instruct"
    path.write_text(yaml.safe_dump(family, sort_keys=False))
    multilingual = []
    for model, values in (("starcoder2-15b", {"C++": 41.0, "Java": 38.5, "Rust": 33.0}), ("codegen-16b", {"C++": 18.0, "Java": 15.5})):
        for language, value in values.items():
            result = _result(f"{model}-{language.lower().replace('+', 'p')}", model, "multipl-humaneval", 1, value, date="2024-03")
            result["language"] = language
            multilingual.append(result)
    (root / "results" / "multilingual.yaml").write_text(yaml.safe_dump({"results": multilingual}, sort_keys=False))
    return root


def build(tmp_path):
    catalog = to_dict(load_catalog(fields_catalog(tmp_path / "catalog")))
    return build_site(tmp_path / "out", catalog).out


def test_rows_carry_type_open_data_release_and_a_contamination_flag(tmp_path):
    out = build(tmp_path)
    rows = {r["model"]: r for r in json.loads((out / "data/leaderboards/humaneval--pass-1.json").read_text())["rows"] if r["primary"]}
    assert rows["starcoder2-15b"]["model_type"] == "base" and rows["starcoder2-3b"]["model_type"] == "instruct"
    assert rows["starcoder2-15b"]["open_data"] is True and rows["codex-12b"]["open_data"] is None
    assert rows["starcoder2-15b"]["released"] == "2024-02"
    # HumanEval's data is public since 2021-07: a 2024 model may have seen it, Codex (2021-07) not
    assert rows["starcoder2-15b"]["contamination_risk"] is True
    assert rows["codex-12b"]["contamination_risk"] is False
    html = (out / "leaderboards/humaneval--pass-1.html").read_text()
    assert html.count("contamination risk</span>") == sum(1 for r in json.loads((out / "data/leaderboards/humaneval--pass-1.json").read_text())["rows"] if r["contamination_risk"])
    for control in ('name="type"', 'name="data"', 'name="from"', 'name="to"', 'name="clean"', 'name="weights"', 'name="size"'):
        assert control in html, control


def test_a_benchmark_not_known_to_leak_flags_nothing(tmp_path):
    out = build(tmp_path)
    rows = json.loads((out / "data/leaderboards/mbpp--pass-1.json").read_text())["rows"]
    assert rows and not any(r["contamination_risk"] for r in rows)


def test_every_leaderboard_has_the_size_and_openness_filters(tmp_path):
    out = build(tmp_path)
    pages = list((out / "leaderboards").glob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        html = page.read_text()
        assert 'name="size"' in html and 'name="weights"' in html and 'name="data"' in html, page.name


def test_a_multilingual_board_has_a_column_per_language(tmp_path):
    out = build(tmp_path)
    html = (out / "leaderboards/multipl-humaneval--pass-1.html").read_text()
    table = html[html.index('id="language-table"'):]
    table = table[:table.index("</table>")]
    assert re.findall(r'<th scope="col" class="num">([^<]+)</th>', table) == ["C++", "Java", "Rust"]
    lines = re.findall(r"<tr><th scope=\"row\">.*?</tr>", table, re.S)
    assert len(lines) == 2 and "StarCoder2-15B" in lines[0] and "CodeGen-16.1B" in lines[1]
    assert re.findall(r'<td class="num">([^<]*)</td>', lines[1]) == ["18.0", "15.5", ""]
    rows = json.loads((out / "data/leaderboards/multipl-humaneval--pass-1.json").read_text())["rows"]
    assert sum(r["primary"] for r in rows if r["model"] == "starcoder2-15b") == 3  # one per language
    assert "language-table" not in (out / "leaderboards/humaneval--pass-1.html").read_text()


def test_every_page_says_as_of_when_the_data_is_and_the_home_page_lists_the_newest_numbers(tmp_path):
    out = build(tmp_path)
    # the fixture's newest dated thing: the reproduced CodeGen-350M number of 2026-11-01
    for page in ("index.html", "leaderboards/humaneval--pass-1.html", "models/codex.html", "runs.html"):
        assert 'Data as of <time datetime="2026-11-01">2026-11-01</time>' in (out / page).read_text(), page
    home = (out / "index.html").read_text()
    newest = home[home.index('id="newest-numbers"'):]
    newest = newest[:newest.index("</ul>")]
    dates = re.findall(r'<time datetime="([^"]+)">', newest)
    assert dates == sorted(dates, reverse=True) and dates[0] == "2026-11-01" and len(dates) == 8
    assert "CodeGen-350M · HumanEval pass@1 12.5" in newest


def test_a_run_of_one_language_of_a_multilingual_benchmark_fills_that_languages_column(tmp_path):
    from nl2code.site import RunView
    from nl2code.site._data import ProblemRow

    catalog = to_dict(load_catalog(fields_catalog(tmp_path / "catalog")))
    path = tmp_path / "catalog" / "benchmarks" / "multipl-humaneval.yaml"
    problems = [ProblemRow(f"HumanEval_{i}", 1, int(i < 82)) for i in range(161)]
    run = RunView(id="rs-run", model="StarCoder2-3B", benchmark="multipl-e-rs", kind="run", status="complete",
                  scores={"pass@1": 50.93}, problems=problems, problems_in_benchmark=161)
    out = build_site(tmp_path / "out", catalog, [run]).out
    assert path.is_file()
    rows = json.loads((out / "data/leaderboards/multipl-humaneval--pass-1.json").read_text())["rows"]
    (ours,) = [r for r in rows if r["run_id"] == "rs-run"]
    assert ours["language"] == "Rust" and ours["model"] == "starcoder2-3b"
    html = (out / "leaderboards/multipl-humaneval--pass-1.html").read_text()
    table = html[html.index('id="language-table"'):html.index("</table>", html.index('id="language-table"'))]
    line = re.search(r'<tr><th scope="row"><a [^>]*>StarCoder2-3B</a></th>(.*?)</tr>', table).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', line) == ["", "", "50.9"]  # C++, Java, Rust
