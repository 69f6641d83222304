"""Video platform pages (YouTube, Vimeo, ...) through yt-dlp, used as a library.

yt-dlp downloads into a private folder next to the output; the largest file it leaves is moved
into place atomically, within the same size cap as a plain download.
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


