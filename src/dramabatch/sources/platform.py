"""Video platform pages (YouTube, Vimeo, ...) through yt-dlp, used as a library.

yt-dlp downloads into a private folder next to the output; the largest file it leaves is moved
into place atomically, within the same size cap as a plain download. A page whose video is live
(or a scheduled premiere: yt-dlp's ``is_live`` / ``live_status``) is refused by name before any
byte is fetched, since its download would never end; any other download ends at its deadline.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from ..base.errors import DramaError
from ..base.fsutil import atomic_output
from .http import human_size, safe_url

log = logging.getLogger(__name__)

#: yt-dlp's live_status values whose download would not end (or not start).
LIVE_STATUSES = ("is_live", "is_upcoming")


def live_reason(info: dict) -> str:
    """Why yt-dlp's ``info`` is a live stream, or ''."""
    status = info.get("live_status") or ""
    if info.get("is_live") or status in LIVE_STATUSES:
        return f"live_status {status or 'is_live'}"
    return ""


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
                   max_bytes: int = 2 * 1024**3, retries: int = 4, deadline: float = 7200,
                   **_ignored) -> None:
    """Download the video of a platform page with yt-dlp into ``out`` (atomically)."""
    import time

    import imageio_ffmpeg
    import yt_dlp

    started = time.monotonic()

    class _PastDeadline(yt_dlp.utils.DownloadCancelled):
        msg = f"passed its deadline of {deadline:g} s (download.deadline_s)"

    def _deadline(_progress: dict) -> None:
        if deadline > 0 and time.monotonic() - started > deadline:
            raise _PastDeadline()

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
            "progress_hooks": [_deadline],
        }
        with yt_dlp.YoutubeDL(opts) as ydl:
            try:
                info = ydl.extract_info(url, download=False)
                live = live_reason(info or {})
                if live:
                    raise DramaError(f"{safe_url(url)} is a live stream (yt-dlp: {live}); live "
                                     f"streams are refused")
                info = ydl.process_ie_result(info, download=True)
            except _PastDeadline as exc:
                raise DramaError(f"yt-dlp download of {safe_url(url)} {exc.msg}") from None
            except yt_dlp.utils.DownloadError as exc:
                msg = re.sub(r"^ERROR:\s*", "", str(exc)).splitlines()[0]
                raise DramaError(f"yt-dlp could not download {safe_url(url)}: {msg}") from None
        files = [p for p in workdir.iterdir() if p.is_file() and not p.name.endswith(
            (".part", ".ytdl", ".temp"))]
        if not files:
            size = (info or {}).get("filesize") or (info or {}).get("filesize_approx")
            if size and size > max_bytes:
                raise DramaError(f"video is {human_size(size)}, over the "
                                 f"{human_size(max_bytes)} size cap")
            raise DramaError(f"yt-dlp produced no file for {safe_url(url)} "
                             "(over the size cap, or no downloadable format)")
        best = max(files, key=lambda p: p.stat().st_size)
        if best.stat().st_size > max_bytes:
            raise DramaError(f"video is {human_size(best.stat().st_size)}, over the "
                             f"{human_size(max_bytes)} size cap")
        with atomic_output(out) as tmp:
            os.replace(best, tmp)
        log.info("yt-dlp: %s -> %s (%s)", safe_url(url), out.name, (info or {}).get("title"))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


