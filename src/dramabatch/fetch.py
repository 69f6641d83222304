"""Bring a drama's source into the results tree: a local file, a media URL, or a platform page.

* A local path is linked (a symbolic link to it; copied only where links cannot be made).
* An ``http(s)`` URL to a media file is streamed with ``requests``: connect/read timeouts, retries
  with exponential backoff on connection errors, timeouts and 5xx/429 answers, ``Range`` resume of
  the partial file (across retries and across job attempts), and a size cap.
* A page of a video platform (any URL a specific yt-dlp extractor claims, or any URL that answers
  with an HTML page instead of media) is handed to ``yt-dlp`` as a library.

Whatever arrives is probed: it must be media with a video stream. Downloads go to a hidden part
file next to the output and are renamed only when complete, so nothing partial is ever left under
the final name.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import requests

from .errors import DramaError
from .fsutil import atomic_output, write_text_atomic
from .media import probe

log = logging.getLogger(__name__)

CHUNK = 1 << 16
HTML_TYPES = ("text/html", "application/xhtml+xml")
NOT_MEDIA_TYPES = (*HTML_TYPES, "application/json", "text/plain", "text/xml", "application/xml")


@dataclass(frozen=True)
class HttpOptions:
    """How one download talks to a server (config section ``download``)."""

    connect_timeout: float = 10
    read_timeout: float = 60
    max_bytes: int = 2 * 1024**3
    retries: int = 4
    backoff: float = 1.0
    max_backoff: float = 30.0

    @classmethod
    def from_config(cls, dl: dict) -> HttpOptions:
        return cls(connect_timeout=dl.get("connect_timeout_s", 10),
                   read_timeout=dl.get("read_timeout_s", 60),
                   max_bytes=int(dl.get("max_gb", 2) * 1024**3),
                   retries=dl.get("retries", 4), backoff=dl.get("backoff_s", 1.0),
                   max_backoff=dl.get("max_backoff_s", 30.0))


class _Transient(Exception):
    """A failure worth another try (connection lost, timeout, 5xx, 429)."""

    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


def _size(n: int) -> str:
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
             what: str) -> bool:
    """One request; append to ``part``. Return True when the file is complete."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
        if meta.get("validator"):
            headers["If-Range"] = meta["validator"]
    try:
        with session.get(url, stream=True, headers=headers, allow_redirects=True,
                         timeout=(opt.connect_timeout, opt.read_timeout)) as resp:
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
                raise DramaError(f"{what} failed: HTTP {status} for {_safe_url(url)}")
            ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if ctype in HTML_TYPES:
                raise PageNotMedia(f"{_safe_url(url)} is a web page, not a media file")
            if ctype in NOT_MEDIA_TYPES:
                raise DramaError(f"{what}: {_safe_url(url)} sent '{ctype}', not media")
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
                raise DramaError(f"{what}: file is {_size(total)}, over the "
                                 f"{_size(opt.max_bytes)} size cap ({_safe_url(url)})")
            written = have
            with open(part, mode) as fh:
                for block in resp.iter_content(CHUNK):
                    written += len(block)
                    if written > opt.max_bytes:
                        raise DramaError(f"{what} exceeded the {_size(opt.max_bytes)} size cap: "
                                         f"{_safe_url(url)}")
                    fh.write(block)
            if total is not None and written < total:
                raise _Transient(f"connection closed after {written} of {total} bytes", 0)
            return True
    except requests.Timeout as exc:
        raise _Transient(f"timed out ({exc.__class__.__name__})") from exc
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
        raise _Transient(f"connection error ({exc.__class__.__name__})", ) from exc
    except requests.RequestException as exc:
        raise DramaError(f"{what} failed: {exc.__class__.__name__} for {_safe_url(url)}") from exc


def _safe_url(url: str) -> str:
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
    try:
        for attempt in range(opt.retries + 1):
            try:
                _attempt(session, url, part, meta, opt, what)
                break
            except _Transient as exc:
                meta_path.write_text(json.dumps(meta), encoding="utf-8")
                if attempt >= opt.retries:
                    keep_partial = True  # a later job attempt resumes it
                    raise DramaError(f"{what} failed after {attempt + 1} attempts: {exc.reason} "
                                     f"({_safe_url(url)})") from None
                wait = min(opt.max_backoff, opt.backoff * 2**attempt)
                if exc.wait is not None:
                    wait = min(max(exc.wait, 0), opt.max_backoff)
                log.warning("%s: %s; retry %d/%d in %.1f s", what, exc.reason, attempt + 1,
                            opt.retries, wait)
                time.sleep(wait)
    except DramaError:
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


def fetch_local(source: str, out: Path) -> None:
    """``out`` becomes a symbolic link to the source's absolute path (a copy only where links
    cannot be made).

    Not a hard link: Snakemake touches every output once its job is done, and a hard link's
    mtime is the source file's own, so each fetch changed the user's file and made every other
    drama and batch reading it look out of date (seen: a second batch over the demo sources
    left the demo's Spanish drama to be redone). Snakemake touches a link itself, and follows
    it to tell whether the source was replaced.
    """
    src = Path(source)
    if not src.is_file():
        raise DramaError(f"source file not found: {source}")
    with atomic_output(out) as tmp:
        try:
            os.symlink(src.resolve(), tmp)
        except OSError:
            shutil.copyfile(src, tmp)


def fetch_url(url: str, out: Path, *, connect_timeout: float = 10, read_timeout: float = 60,
              max_bytes: int = 2 * 1024**3, retries: int = 4, backoff: float = 1.0,
              max_backoff: float = 30.0) -> None:
    download(url, out, HttpOptions(connect_timeout, read_timeout, max_bytes, retries, backoff,
                                   max_backoff), what="download")


# --------------------------------------------------------------------------- yt-dlp
def is_platform_page(url: str) -> bool:
    """True when a site-specific yt-dlp extractor (not the generic one) claims ``url``."""
    from yt_dlp.extractor import gen_extractor_classes

    return any(ie.suitable(url) for ie in gen_extractor_classes()
               if ie.ie_key() not in ("Generic",) and ie.working())


class _YdlLogger:
    def debug(self, msg):
        if not msg.startswith("[debug] "):
            log.info("yt-dlp: %s", msg)

    def info(self, msg):
        log.info("yt-dlp: %s", msg)

    def warning(self, msg):
        log.warning("yt-dlp: %s", msg)

    def error(self, msg):
        log.error("yt-dlp: %s", msg)


def fetch_platform(url: str, out: Path, *, connect_timeout: float = 10, read_timeout: float = 60,
                   max_bytes: int = 2 * 1024**3, retries: int = 4, **_ignored) -> None:
    """Download the video of a platform page with yt-dlp into ``out`` (atomically)."""
    import imageio_ffmpeg
    import yt_dlp

    out.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{out.name}.ytdlp-", dir=out.parent))
    try:
        opts = {
            "outtmpl": str(workdir / "video.%(ext)s"),
            "format": "bv*[ext=mp4]+ba[ext=m4a]/bv*+ba/b",
            "merge_output_format": "mp4",
            "noplaylist": True,
            "quiet": True,
            "no_warnings": False,
            "noprogress": True,
            "logger": _YdlLogger(),
            "socket_timeout": max(connect_timeout, read_timeout),
            "retries": retries,
            "fragment_retries": retries,
            "max_filesize": max_bytes,
            "continuedl": True,
            "ffmpeg_location": imageio_ffmpeg.get_ffmpeg_exe(),
            "cachedir": False,
        }
        with yt_dlp.YoutubeDL(opts) as ydl:
            try:
                info = ydl.extract_info(url, download=True)
            except yt_dlp.utils.DownloadError as exc:
                msg = re.sub(r"^ERROR:\s*", "", str(exc)).splitlines()[0]
                raise DramaError(f"yt-dlp could not download {_safe_url(url)}: {msg}") from None
        files = [p for p in workdir.iterdir() if p.is_file() and not p.name.endswith(
            (".part", ".ytdl", ".temp"))]
        if not files:
            size = (info or {}).get("filesize") or (info or {}).get("filesize_approx")
            if size and size > max_bytes:
                raise DramaError(f"video is {_size(size)}, over the {_size(max_bytes)} size cap")
            raise DramaError(f"yt-dlp produced no file for {_safe_url(url)} "
                             "(over the size cap, or no downloadable format)")
        best = max(files, key=lambda p: p.stat().st_size)
        if best.stat().st_size > max_bytes:
            raise DramaError(f"video is {_size(best.stat().st_size)}, over the "
                             f"{_size(max_bytes)} size cap")
        with atomic_output(out) as tmp:
            os.replace(best, tmp)
        log.info("yt-dlp: %s -> %s (%s)", _safe_url(url), out.name, (info or {}).get("title"))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def fetch_source(source: str, out: str | os.PathLike[str], **http_options) -> None:
    """Fetch ``source`` to ``out`` and check that what arrived is readable media with a picture."""
    out = Path(out)
    if source.startswith(("http://", "https://")):
        if is_platform_page(source):
            log.info("source is a video platform page: using yt-dlp")
            fetch_platform(source, out, **http_options)
        else:
            try:
                fetch_url(source, out, **http_options)
            except PageNotMedia:
                log.info("source URL is a web page: trying yt-dlp's page extraction")
                fetch_platform(source, out, **http_options)
    else:
        fetch_local(source, out)
    try:
        probe(out)
    except DramaError as exc:
        out.unlink(missing_ok=True)
        raise DramaError(f"source is not a usable video: {exc.cause}") from exc
