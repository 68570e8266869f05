"""A local preview server for a built site, bound to 127.0.0.1 only."""

from __future__ import annotations

import functools
import logging
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from nl2code.errors import InputError

log = logging.getLogger(__name__)


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".json": "application/json", ".csv": "text/csv; charset=utf-8"}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        log.debug("%s %s", self.address_string(), format % args)


def make_server(directory: str | Path, port: int = 8000, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A server for `directory` (port 0: any free port; read it from `server.server_address`)."""
    directory = Path(directory)
    if not (directory / "index.html").is_file():
        raise InputError(f"{directory} has no index.html; build the site first: nl2code site build --out {directory}")
    handler = functools.partial(_QuietHandler, directory=str(directory))
    return ThreadingHTTPServer((host, port), handler)


def serve(directory: str | Path, port: int = 8000, host: str = "127.0.0.1") -> None:
    server = make_server(directory, port, host)
    log.info("serving %s on http://%s:%d/", directory, *server.server_address[:2])
    try:
        server.serve_forever()
    finally:
        server.server_close()
