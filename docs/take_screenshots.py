"""Takes the README's screenshots of the site, built as a user builds it (`nl2code site build`):
the repository's catalog and reproductions, and the runs of a results store.

    .venv/bin/python docs/take_screenshots.py [--db RUNS.db]   # needs Debian's chromium (scripts/test-setup.sh)

Without --db the site has no runs of its own; with the store `nl2code reproduce --db RUNS.db`
fills (plus any other runs in it) the leaderboards and the Runs page show what nl2code measured.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from nl2code.site import make_server

DOCS = Path(__file__).resolve().parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def build(out: Path, db: str | None) -> None:
    command = [sys.executable, "-m", "nl2code", "site", "build", "--out", str(out), *(["--db", db] if db else [])]
    subprocess.run(command, check=True, cwd=DOCS.parent)


def shoot(base: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(base + "index.html")
        page.wait_for_selector("html[data-search-ready=true]")
        page.fill("#q", "starcder")
        page.wait_for_selector("#search-results li")
        page.screenshot(path=DOCS / "site-home.png")
        page.goto(base + "leaderboards/humaneval--pass-10.html")
        page.wait_for_selector("#board[data-ready=true]")
        page.check('input[name="show"][value="reproduced"]')  # nl2code's own numbers, a model's others in its row
        page.locator("#board tbody tr:not([hidden]) summary").first.click()
        page.screenshot(path=DOCS / "site-leaderboard.png")
        page.goto(base + "charts.html")
        page.wait_for_selector("#chart-size-humaneval--pass-1[data-rendered=true]")
        page.locator("#fig-size-humaneval--pass-1").screenshot(path=DOCS / "site-size-vs-pass1.png")
        page.goto(base + "runs.html")
        page.screenshot(path=DOCS / "site-runs.png")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="results store whose runs the site shows (a SQLite file or an SQLAlchemy URL)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp) / "out", args.db)
        server = make_server(Path(tmp) / "out", 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            shoot(f"http://127.0.0.1:{server.server_address[1]}/")
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
