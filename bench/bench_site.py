"""The tracker site's budgets, measured on the repository's whole catalog in headless Chromium:
build time, bytes the home page loads, and search latency for typo'd queries.

    .venv/bin/python bench/bench_site.py        # needs Debian's chromium (scripts/test-setup.sh)

Budgets (issue 5): home page <= 300 KB of resources, uncompressed; a search answers in <= 50 ms.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from nl2code.catalog import load_catalog, to_dict
from nl2code.site import build_site, make_server

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BUILDS = 3


def typo(name: str) -> str:
    """The name with one letter dropped from its middle (what a hurried user types)."""
    word = name.split()[0]
    return word if len(word) < 4 else word[: len(word) // 2] + word[len(word) // 2 + 1 :]


def main() -> None:
    catalog = to_dict(load_catalog())
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        build_times = []
        for _ in range(BUILDS):
            start = time.perf_counter()
            report = build_site(out, catalog)
            build_times.append(time.perf_counter() - start)
        docs = json.loads((out / "data/search.json").read_text())
        queries = [typo(d["name"]) for d in docs] + [d["name"][:3] for d in docs]
        server = make_server(out, 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page()
            sizes: dict[str, int] = {}
            page.on("response", lambda r: sizes.__setitem__(r.url.rsplit("/", 1)[-1], len(r.body())))
            start = time.perf_counter()
            page.goto(base + "index.html")
            page.wait_for_selector("html[data-search-ready=true]")
            ready = time.perf_counter() - start
            timings = page.evaluate("qs => qs.map(q => { window.nl2codeSearch.search(q); return window.nl2codeSearch.lastMs; })", queries)
            browser.close()
        server.shutdown()
    timings.sort()
    rows = [
        ("catalog", f"{len(docs)} search documents, {len(catalog['results'])} results"),
        ("build (median of 3)", f"{statistics.median(build_times):.2f} s, {report.pages} pages, {report.leaderboards} leaderboards"),
        ("home page resources", f"{sum(sizes.values()) / 1024:.0f} KB ({', '.join(f'{k} {v / 1024:.0f}' for k, v in sorted(sizes.items()))})"),
        ("home page to search-ready", f"{ready * 1000:.0f} ms (loopback)"),
        (f"search latency, {len(timings)} queries", f"p50 {timings[len(timings) // 2]:.1f} ms, p95 {timings[int(len(timings) * 0.95)]:.1f} ms, max {timings[-1]:.1f} ms"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
