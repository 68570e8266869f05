"""The static NL2Code tracker: pages rendered at build time from the catalog and our runs,
with vendored MiniSearch (search) and Vega-Lite (charts) for what needs the browser.

    from nl2code.site import build_site, runs_from_store, serve
    build_site("site-out", catalog=to_dict(load_catalog()), runs=runs_from_store(url))
"""

from __future__ import annotations

from nl2code.site._build import BuildReport, build_site
from nl2code.site._data import ProblemRow, RunView, SampleRow, SiteData
from nl2code.site._runs import runs_from_store
from nl2code.site._serve import make_server, serve

__all__ = ["BuildReport", "ProblemRow", "RunView", "SampleRow", "SiteData", "build_site", "make_server", "runs_from_store", "serve"]
