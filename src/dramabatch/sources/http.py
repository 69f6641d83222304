"""Media over HTTP(S), streamed with ``requests`` and resumable.

Connect/read timeouts, retries with exponential backoff on connection errors, timeouts and
5xx/429 answers (``Retry-After`` honoured), ``Range`` resume of the partial file across retries and
across job attempts, and a size cap. The read timeout is per read, so a server trickling a few
bytes now and then never trips it: a minimum transfer rate over a window (curl's
``--speed-limit``/``--speed-time``) and an overall deadline per download end such a transfer,
naming the cause. A live stream (an endless answer: ``multipart/x-mixed-replace``, an Icecast
``icy-`` header, or a streaming type with no length) is refused by name (pace.py). Downloads go
to a hidden part file next to the output and are renamed only when complete. An answer that is
a web page (or an HLS/DASH playlist) rather than media raises ``PageNotMedia`` (the caller may
hand the page to yt-dlp). Used for sources and Pexels clips.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import requests

from ..base.errors import DramaError
from ..base.fsutil import atomic_output, write_text_atomic
from ..base.media import probe
from .pace import Pace, TooSlow, blocks, live_stream

log = logging.getLogger(__name__)

CHUNK = 1 << 16
HTML_TYPES = ("text/html", "application/xhtml+xml")
NOT_MEDIA_TYPES = (*HTML_TYPES, "application/json", "text/plain", "text/xml", "application/xml")
#: Playlists of segments (HLS, DASH): a page for yt-dlp, which tells a live one from a recording.
PLAYLIST_TYPES = ("application/vnd.apple.mpegurl", "application/x-mpegurl", "audio/mpegurl",
                  "audio/x-mpegurl", "application/dash+xml")


@dataclass(frozen=True)
class HttpOptions:
    """How one download talks to a server (config section ``download``)."""

    connect_timeout: float = 10
    read_timeout: float = 60
    max_bytes: int = 2 * 1024**3
    retries: int = 4
    backoff: float = 1.0
    max_backoff: float = 30.0
    #: Slower than ``min_rate`` bytes/s over ``rate_window`` s ends the download (0: never).
    min_rate: float = 10_000
    rate_window: float = 60
    #: Longest a whole download may take, retries included (0: no deadline).
    deadline: float = 7200

    @classmethod
    def from_config(cls, dl: dict) -> HttpOptions:
        return cls(connect_timeout=dl.get("connect_timeout_s", 10),
                   read_timeout=dl.get("read_timeout_s", 60),
                   max_bytes=int(dl.get("max_gb", 2) * 1024**3),
                   retries=dl.get("retries", 4), backoff=dl.get("backoff_s", 1.0),
                   max_backoff=dl.get("max_backoff_s", 30.0),
                   min_rate=dl.get("min_rate_kb_s", 10) * 1000,
                   rate_window=dl.get("min_rate_window_s", 60),
                   deadline=dl.get("deadline_s", 7200))


class _Transient(Exception):
    """A failure worth another try (connection lost, timeout, 5xx, 429)."""

    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


def human_size(n: int) -> str:
    return f"{n / 1024**2:.1f} MB" if n >= 1024**2 else f"{n} bytes"


def _partial_path(out: Path) -> Path:
    """A stable hidden name for a download in progress: kept between attempts for Range resume."""
    return out.with_name(f".{out.name}.partial")


def _meta_path(part: Path) -> Path:
    """The sidecar of a partial file: the URL and validator (ETag) it came from."""
    return part.with_name(part.name + ".json")


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After", "").strip()
    return float(value) if re.fullmatch(r"\d+(\.\d+)?", value) else None


def _content_range(resp: requests.Response) -> tuple[int, int | None] | None:
    """(first byte, total size or None) of a 206 answer."""
    m = re.fullmatch(r"bytes (\d+)-\d+/(\d+|\*)", resp.headers.get("Content-Range", "").strip())
    if not m:
        return None
    return int(m.group(1)), (None if m.group(2) == "*" else int(m.group(2)))


class PageNotMedia(DramaError):
    """The URL answered with a web page (HTML), not a media file."""


def _attempt(session: requests.Session, url: str, part: Path, meta: dict, opt: HttpOptions,
             what: str, pace: Pace) -> bool:
    """One request; append to ``part``. Return True when the file is complete."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
        if meta.get("validator"):
            headers["If-Range"] = meta["validator"]
    try:
        with session.get(url, stream=True, headers=headers, allow_redirects=True,
                         timeout=(opt.connect_timeout, pace.read_timeout())) as resp:
            status = resp.status_code
            if status == 429 or status >= 500:
                raise _Transient(f"HTTP {status}", _retry_after(resp))
            if status == 416 and have:
                total = (resp.headers.get("Content-Range", "").rpartition("/")[2])
                if total.isdigit() and int(total) == have:
                    return True  # the partial file was already complete
                part.unlink(missing_ok=True)
                raise _Transient("HTTP 416 (partial file did not match; starting over)", 0)
            if status >= 400:
                raise DramaError(f"{what} failed: HTTP {status} for {safe_url(url)}")
            ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if ctype in HTML_TYPES or ctype in PLAYLIST_TYPES:
                raise PageNotMedia(f"{safe_url(url)} is a web page, not a media file")
            live = live_stream(resp, ctype)
            if live:
                raise DramaError(f"{what}: {safe_url(url)} is a live stream ({live}), not a "
                                 f"file; live streams are refused")
            if ctype in NOT_MEDIA_TYPES:
                raise DramaError(f"{what}: {safe_url(url)} sent '{ctype}', not media")
            if status == 206:
                rng = _content_range(resp)
                if rng is None or rng[0] != have:
                    part.unlink(missing_ok=True)
                    raise _Transient("server answered a different byte range; starting over", 0)
                total = rng[1]
                mode = "ab"
                log.info("%s: resuming at byte %d of %s", what, have, total or "?")
            else:  # 200: the whole file (a server without Range support, or a changed file)
                if have:
                    log.info("%s: server sent the whole file; restarting from byte 0", what)
                have = 0
                length = resp.headers.get("Content-Length", "")
                total = int(length) if length.isdigit() else None
                mode = "wb"
            meta["validator"] = resp.headers.get("ETag") or resp.headers.get("Last-Modified")
            meta["url"] = url
            # Written before the first byte: a partial file is never without its origin, even
            # when the job is killed mid-transfer (resume must never splice two files).
            write_text_atomic(_meta_path(part), json.dumps(meta))
            if total is not None and total > opt.max_bytes:
                raise DramaError(f"{what}: file is {human_size(total)}, over the "
                                 f"{human_size(opt.max_bytes)} size cap ({safe_url(url)})")
            written = have
            pace.restart_window()
            with open(part, mode) as fh:
                for block in blocks(resp, pace):
                    written += len(block)
                    if written > opt.max_bytes:
                        cap = human_size(opt.max_bytes)
                        raise DramaError(f"{what} exceeded the {cap} size cap: "
                                         f"{safe_url(url)}")
                    fh.write(block)
            if total is not None and written < total:
                raise _Transient(f"connection closed after {written} of {total} bytes", 0)
            return True
    except requests.Timeout as exc:
        raise _Transient(f"timed out ({exc.__class__.__name__})") from exc
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
        raise _Transient(f"connection error ({exc.__class__.__name__})", ) from exc
    except requests.RequestException as exc:
        raise DramaError(f"{what} failed: {exc.__class__.__name__} for {safe_url(url)}") from exc


def safe_url(url: str) -> str:
    """The URL without credentials or query string (which may hold tokens)."""
    p = urlparse(url)
    host = p.hostname or ""
    if p.port:
        host += f":{p.port}"
    return f"{p.scheme}://{host}{p.path}"


def download(url: str, out: str | os.PathLike[str], opt: HttpOptions = HttpOptions(), *,
             what: str = "download", session: requests.Session | None = None) -> None:
    """Stream ``url`` to ``out`` with retries, backoff and Range resume; atomic.

    The partial file (``.NAME.partial``) survives a failed attempt, so the next attempt (or the
    next job attempt) resumes it with a ``Range`` request; a permanent failure deletes it.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = _partial_path(out)
    meta_path = _meta_path(part)
    meta: dict = {}
    with contextlib.suppress(OSError, ValueError):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("url") != url:  # no sidecar, or a leftover from another URL: not ours to resume
        part.unlink(missing_ok=True)
        meta = {}
    own = session is None
    session = session or requests.Session()
    keep_partial = False
    pace = Pace(opt, what, safe_url(url))
    try:
        for attempt in range(opt.retries + 1):
            try:
                _attempt(session, url, part, meta, opt, what, pace)
                break
            except _Transient as exc:
                meta_path.write_text(json.dumps(meta), encoding="utf-8")
                if attempt >= opt.retries:
                    keep_partial = True  # a later job attempt resumes it
                    raise DramaError(f"{what} failed after {attempt + 1} attempts: {exc.reason} "
                                     f"({safe_url(url)})") from None
                wait = min(opt.max_backoff, opt.backoff * 2**attempt)
                if exc.wait is not None:
                    wait = min(max(exc.wait, 0), opt.max_backoff)
                pace.before_retry(wait)
                log.warning("%s: %s; retry %d/%d in %.1f s", what, exc.reason, attempt + 1,
                            opt.retries, wait)
                time.sleep(wait)
    except DramaError as exc:
        keep_partial = keep_partial or isinstance(exc, TooSlow)
        if not keep_partial:  # permanent failure (4xx, cap, not media): nothing worth resuming
            part.unlink(missing_ok=True)
            meta_path.unlink(missing_ok=True)
        raise
    finally:
        if own:
            session.close()
    with atomic_output(out) as tmp:
        os.replace(part, tmp)
    meta_path.unlink(missing_ok=True)


def download_media(url: str, out: str | os.PathLike[str], opt: HttpOptions = HttpOptions(), *,
                   what: str = "download") -> None:
    """``download`` and check that what arrived is a video; a non-video is deleted."""
    download(url, out, opt, what=what)
    try:
        if not probe(out).has_video:
            raise DramaError("it has no video stream")
    except DramaError as exc:
        Path(out).unlink(missing_ok=True)
        raise DramaError(f"{what}: what arrived is not a usable video: {exc.cause}") from None


