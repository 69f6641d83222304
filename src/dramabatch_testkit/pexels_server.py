"""A fake Pexels API and file host on 127.0.0.1, reproducing the shapes of real answers.

* ``GET /videos/search`` checks the ``Authorization`` header, answers the Pexels JSON shape
  (``video_files`` mixing ``uhd``/``hd``/``sd``/``hls`` entries, null ``width``/``height``/``fps``)
  and sends ``X-Ratelimit-*`` headers.
* ``GET /redirect/...`` answers 302 to the file host path, like Pexels' download links.
* ``GET /video-files/...`` serves real mp4 bytes with ``Range`` support (206 + Content-Range).

Faults are queued per path with :meth:`FakePexels.fault`: ``"503"``, ``"401"``, ``"429:SECONDS"``,
``"hang"`` (sleep longer than any test timeout, then close), ``"notjson"`` (HTML with 200),
``"drop:N"`` (send N bytes of a file, then cut the connection), ``"slow"`` (trickle the file).
Every request is recorded in ``hits`` (path with query) and ``requests`` (path, headers).
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import parse_qs, urlparse

HANG_SECONDS = 4.0


def pexels_video(vid: int, orientation: str, base: str, duration: int = 12,
                 sizes: bool = True) -> dict:
    """One video in the shape /videos/search returns it."""
    dims = [("uhd", 3840, 2160, 25), ("hd", 1920, 1080, 25), ("hd", 1280, 720, None),
            ("sd", 640, 360, 29.97), ("sd", 320, 180, 25)]
    files = [{"id": vid * 10 + 9, "quality": "hls", "file_type": "video/mp4", "width": None,
              "height": None, "fps": None,
              "link": f"{base}/hls/{vid}/playlist.m3u8?token=abc"}]
    for n, (quality, w, h, fps) in enumerate(dims):
        if orientation == "portrait":
            w, h = h, w
        name = f"{vid}-{quality}_{w}_{h}_{fps or 25}fps.mp4"
        # Pexels file links redirect to the file host; the small files here go through a 302.
        link = (f"{base}/redirect/{vid}/{name}" if w * h <= 320 * 180
                else f"{base}/video-files/{vid}/{name}")
        files.append({"id": vid * 10 + n, "quality": quality, "file_type": "video/mp4",
                      "width": w if sizes else None, "height": h if sizes else None,
                      "fps": fps, "size": 1000 * w, "link": link})
    return {"id": vid, "width": 1920 if orientation == "landscape" else 1080,
            "height": 1080 if orientation == "landscape" else 1920,
            "duration": duration, "url": f"https://www.pexels.com/video/clip-{vid}/",
            "image": f"{base}/img/{vid}.jpg", "user": {"id": 1, "name": "Tester",
                                                       "url": "https://www.pexels.com/@t"},
            "video_files": files, "video_pictures": []}


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server API
        srv: FakePexels = self.server
        parsed = urlparse(self.path)
        with srv.lock:
            srv.hits.append(self.path)
            srv.requests.append((parsed.path, dict(self.headers.items())))
            queue = srv.faults.get(parsed.path)
            fault = queue.pop(0) if queue else ""
        if fault == "hang":
            time.sleep(HANG_SECONDS)
            self.close_connection = True
            return
        if fault in ("503", "401"):
            return self._send(int(fault), b'{"error": "fault"}', "application/json")
        if fault.startswith("429:"):
            return self._send(429, b"Rate limit exceeded", "text/plain",
                              {"Retry-After": fault.split(":")[1]})
        if fault == "notjson":
            return self._send(200, b"<html><body>Bad gateway page</body></html>", "text/html")
        if parsed.path == "/videos/search":
            return self._search(parse_qs(parsed.query))
        if parsed.path.startswith("/redirect/"):
            target = parsed.path.replace("/redirect/", "/video-files/", 1)
            return self._send(302, b"", "text/plain", {"Location": srv.url + target})
        if parsed.path.startswith("/video-files/"):
            return self._file(parsed.path, fault)
        if parsed.path in srv.pages:
            return self._send(200, srv.pages[parsed.path].encode(), "text/html; charset=utf-8")
        return self._send(404, b"not found", "text/plain")

    def _send(self, status, body: bytes, ctype: str, headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _search(self, q: dict):
        srv: FakePexels = self.server
        if self.headers.get("Authorization") != srv.key:
            return self._send(401, b'{"status":401,"code":"Unauthorized"}', "application/json")
        with srv.lock:
            srv.remaining = max(0, srv.remaining - 1)
            remaining = srv.remaining
        query = q.get("query", [""])[0]
        orientation = q.get("orientation", [""])[0]
        per_page = int(q.get("per_page", ["15"])[0])
        videos = srv.results(query, orientation)[:per_page]
        body = {"page": 1, "per_page": per_page, "total_results": len(videos),
                "url": f"https://www.pexels.com/search/videos/{query}/", "videos": videos}
        if videos:
            body["next_page"] = "https://api.pexels.com/videos/search/?page=2"
        self._send(200, json.dumps(body).encode(), "application/json; charset=utf-8",
                   {"X-Ratelimit-Limit": "200", "X-Ratelimit-Remaining": str(remaining),
                    "X-Ratelimit-Reset": str(int(time.time()) + 3600)})

    def _file(self, path: str, fault: str):
        srv: FakePexels = self.server
        data = srv.file_bytes(path)
        if data is None:
            return self._send(404, b"not found", "text/plain")
        start, status = 0, 200
        rng = self.headers.get("Range", "")
        if rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            if start >= len(data):
                return self._send(416, b"", "text/plain",
                                  {"Content-Range": f"bytes */{len(data)}"})
            status = 206
        body = data[start:]
        self.send_response(status)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", f'"{len(data)}"')
        self.send_header("Content-Length", str(len(body)))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if fault.startswith("drop:"):
            self.wfile.write(body[:int(fault.split(":")[1])])
            self.wfile.flush()
            self.close_connection = True
            return
        if fault == "slow":
            for i in range(0, len(body), 2048):
                self.wfile.write(body[i:i + 2048])
                self.wfile.flush()
                time.sleep(0.05)
            return
        self.wfile.write(body)


class FakePexels(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, key: str = "test-key-0123456789", clips: list[Path] | None = None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.key = key
        self.clips = clips or []
        self.lock = threading.Lock()
        self.hits: list[str] = []
        self.requests: list[tuple[str, dict]] = []
        self.faults: dict[str, list[str]] = defaultdict(list)
        self.catalogue: dict[tuple[str, str], list[dict]] = {}
        self.pages: dict[str, str] = {}
        self.extra_files: dict[str, bytes] = {}
        self.remaining = 200
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def handle_error(self, request, client_address):
        pass  # clients that time out or get killed midway are part of the tests

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def fault(self, path: str, *faults: str) -> None:
        self.faults[path].extend(faults)

    def add_query(self, query: str, n: int, first_id: int, durations: int = 12) -> None:
        """``n`` videos for ``query`` in both orientations (distinct ids per orientation)."""
        for k, orientation in enumerate(("landscape", "portrait")):
            base = first_id + 1000 * k
            self.catalogue[(query, orientation)] = [
                pexels_video(base + i, orientation, self.url, durations) for i in range(n)]

    def results(self, query: str, orientation: str) -> list[dict]:
        return self.catalogue.get((query, orientation), [])

    def file_bytes(self, path: str) -> bytes | None:
        if path in self.extra_files:
            return self.extra_files[path]
        if not self.clips:
            return None
        vid = int(path.split("/")[2])
        portrait = "_180_320_" in path or "_1080_1920_" in path or "_720_1280_" in path
        pool = [c for c in self.clips if ("portrait" in c.name) == portrait] or self.clips
        return pool[vid % len(pool)].read_bytes()

    # counting helpers
    def searches(self) -> list[str]:
        return [h for h in self.hits if h.startswith("/videos/search")]

    def file_hits(self) -> Counter:
        return Counter(urlparse(h).path for h in self.hits if h.startswith("/video-files/"))
