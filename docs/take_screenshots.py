"""Takes the README's screenshots of the site built from the repository's catalog.

    .venv/bin/python docs/take_screenshots.py   # needs Debian's chromium (scripts/test-setup.sh)
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from nl2code.catalog import load_catalog, to_dict
from nl2code.site import build_site, make_server

DOCS = Path(__file__).resolve().parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        build_site(Path(tmp) / "out", to_dict(load_catalog()))
        server = make_server(Path(tmp) / "out", 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.goto(base + "index.html")
            page.wait_for_selector("html[data-search-ready=true]")
            page.fill("#q", "starcder")
            page.wait_for_selector("#search-results li")
            page.screenshot(path=DOCS / "site-home.png")
            page.goto(base + "leaderboards/humaneval--pass-1.html")
            page.wait_for_selector("#board[data-ready=true]")
            page.locator("#board tbody tr").nth(1).locator("summary").click()
            page.screenshot(path=DOCS / "site-leaderboard.png")
            page.goto(base + "charts.html")
            page.wait_for_selector("#chart-size-humaneval--pass-1[data-rendered=true]")
            page.locator("#fig-size-humaneval--pass-1").screenshot(path=DOCS / "site-size-vs-pass1.png")
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
