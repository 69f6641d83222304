"""Video platform pages (YouTube, Vimeo, ...) through yt-dlp, used as a library.

yt-dlp downloads into a private folder next to the output; the largest file it leaves is moved
into place atomically, within the same size cap as a plain download. A page whose video is live
(or a scheduled premiere: yt-dlp's ``is_live`` / ``live_status``) is refused by name before any
byte is fetched, since its download would never end; any other download ends at its deadline.

YouTube's pages now need a JavaScript runtime to solve their challenges (yt-dlp's ``ejs``
scripts, the ``yt-dlp-ejs`` package of its ``default`` extra). The install ships one: deno, from
its PyPI wheel, whose binary yt-dlp is pointed at by path (``js_runtimes``), so it is found
whatever the PATH of the job. What yt-dlp finds (its version, the runtime, ffmpeg) is logged at
the first download and printed by ``dramabatch doctor`` (``ytdlp_report``).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

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


def js_runtimes() -> dict[str, dict]:
    """yt-dlp's ``js_runtimes`` option: the deno binary of the ``deno`` wheel, by path; empty
    when the wheel is missing (yt-dlp then looks for a deno on the PATH itself)."""
    try:
        from deno import find_deno_bin

        return {"deno": {"path": find_deno_bin()}}
    except (ImportError, FileNotFoundError):
        return {}


def base_options() -> dict[str, Any]:
    """The yt-dlp options every use shares: the bundled ffmpeg and JavaScript runtime, no cache
    folder of its own, its messages in our log."""
    import imageio_ffmpeg

    opts: dict[str, Any] = {
        "quiet": True,
        "no_warnings": False,
        "noprogress": True,
        "logger": _YdlLogger(),
        "ffmpeg_location": imageio_ffmpeg.get_ffmpeg_exe(),
        "cachedir": False,
    }
    runtimes = js_runtimes()
    if runtimes:
        opts["js_runtimes"] = runtimes
    return opts


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


@functools.cache
def ytdlp_report() -> dict[str, Any]:
    """What a yt-dlp object built with ``base_options`` finds: its version, the challenge
    scripts' (yt-dlp-ejs), each JavaScript runtime it was given (path, version, supported) or
    None when it cannot run it, ffmpeg (path, version) and its optional libraries."""
    import yt_dlp
    from yt_dlp.dependencies import available_dependencies
    from yt_dlp.postprocessor.ffmpeg import FFmpegPostProcessor

    with yt_dlp.YoutubeDL(base_options()) as ydl:
        runtimes: dict[str, Any] = {}
        for name, runtime in getattr(ydl, "_js_runtimes", {}).items():
            info = runtime.info if runtime is not None else None
            runtimes[name] = (None if info is None else {
                "path": info.path, "version": info.version, "supported": bool(info.supported)})
        ffmpeg = FFmpegPostProcessor(ydl)
        found = ({"path": ffmpeg.executable, "version": ffmpeg.get_versions(ydl).get("ffmpeg")}
                 if ffmpeg.available else None)
        solvers = _youtube_solvers(ydl)
    return {"yt_dlp": yt_dlp.version.__version__, "ejs": _version("yt-dlp-ejs"),
            "js_runtimes": runtimes, "youtube_solvers": solvers, "ffmpeg": found,
            "libraries": sorted(available_dependencies)}


def _youtube_solvers(ydl: Any) -> list[str] | None:
    """The challenge solvers YouTube's extractor would find usable (its own test before a
    download); None where this yt-dlp has no such registry (an internal module)."""
    try:
        from yt_dlp.extractor.youtube.jsc._director import initialize_jsc_director
    except ImportError:
        return None
    director = initialize_jsc_director(ydl.get_info_extractor("Youtube"))
    return sorted(name for name, p in director.providers.items() if p.is_available())


def describe(report: dict[str, Any]) -> list[str]:
    """``ytdlp_report`` as lines for a person; a missing runtime or ffmpeg says what fails."""
    lines = [f"yt-dlp {report['yt_dlp']}, challenge scripts (yt-dlp-ejs) "
             f"{report['ejs'] or 'missing: YouTube may fail'}; libraries: "
             f"{', '.join(report['libraries']) or 'none'}"]
    runtimes = {k: v for k, v in report["js_runtimes"].items() if v}
    for name, info in runtimes.items():
        lines.append(f"JavaScript runtime: {name} {info['version']} at {info['path']}"
                     f"{'' if info['supported'] else ' (too old for yt-dlp)'}")
    if not any(info["supported"] for info in runtimes.values()):
        lines.append("JavaScript runtime: none found (YouTube downloads may fail): install the "
                     "deno wheel (pip install deno)")
    if report["youtube_solvers"] is not None:
        lines.append("YouTube challenge solvers: "
                     f"{', '.join(report['youtube_solvers']) or 'none (YouTube may fail)'}")
    ffmpeg = report["ffmpeg"]
    lines.append(f"ffmpeg: {ffmpeg['version']} at {ffmpeg['path']}" if ffmpeg
                 else "ffmpeg: not found (yt-dlp cannot merge video and audio)")
    return lines


def fetch_platform(url: str, out: Path, *, connect_timeout: float = 10, read_timeout: float = 60,
                   max_bytes: int = 2 * 1024**3, retries: int = 4, deadline: float = 7200,
                   **_ignored) -> None:
    """Download the video of a platform page with yt-dlp into ``out`` (atomically)."""
    import time

    import yt_dlp

    for line in describe(ytdlp_report()):
        log.info("yt-dlp setup: %s", line)

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
            **base_options(),
            "outtmpl": str(workdir / "video.%(ext)s"),
            "format": "bv*[ext=mp4]+ba[ext=m4a]/bv*+ba/b",
            "merge_output_format": "mp4",
            "noplaylist": True,
            "socket_timeout": max(connect_timeout, read_timeout),
            "retries": retries,
            "fragment_retries": retries,
            "max_filesize": max_bytes,
            "continuedl": True,
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


