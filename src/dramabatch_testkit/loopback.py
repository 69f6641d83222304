"""A plain HTTP server on 127.0.0.1 with per-path routes: the remote host a test downloads from.

Real sockets and real HTTP, so the download code runs exactly as against a remote server.
"""

from __future__ import annotations

import http.server
from pathlib import Path


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):  # noqa: N802 - http.server API
        self.server.hits.append(self.path)
        route = self.server.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_error(404, "not found")
            return
        route(self)


class LoopbackServer(http.server.ThreadingHTTPServer):
    """Routes (path -> handler(request)) and every requested path in ``hits``."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict = {}
        self.hits: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def serve_file(self, route: str, path: Path, content_type: str = "video/mp4") -> None:
        data = path.read_bytes()

        def handler(h):
            h.send_response(200)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)

        self.routes[route] = handler
