"""ffmpeg and PyAV: finding the binary, running it with progress, and probing media.

ffmpeg comes from ``imageio-ffmpeg`` (a static build with libx264, libass and libmp3lame), so no
system package is needed; ``DRAMABATCH_FFMPEG`` overrides it (for example with an NVENC build).
Probing uses PyAV rather than an ffprobe binary, which imageio-ffmpeg does not ship.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import av

from .errors import DramaError

log = logging.getLogger(__name__)

#: Lines of ffmpeg's stderr quoted in an error message.
STDERR_TAIL = 15


@cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary to run."""
    override = os.environ.get("DRAMABATCH_FFMPEG")
    if override:
        return override
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def filter_escape(value: str) -> str:
    """Escape a string used as an option value inside an ffmpeg filter graph.

    Two levels apply (ffmpeg-filters "Notes on filtergraph escaping"): the option value, where
    ``\\ ' :`` are special, and then the graph, where ``\\ ' [ ] , ;`` are. Paths with spaces,
    colons, quotes or accents survive both.
    """
    level1 = value.replace("\\", "\\\\").replace("'", "\\'").replace(":", "\\:")
    return "".join("\\" + ch if ch in "\\'[],;" else ch for ch in level1)


_TIME_RE = re.compile(r"^out_time_us=(\d+)$")


def run_ffmpeg(
    args: list[str],
    *,
    duration: float | None = None,
    what: str = "ffmpeg",
    progress_every: float = 10.0,
    timeout: float | None = None,
    progress: Callable[[float], None] | None = None,
) -> None:
    """Run ffmpeg with ``args``; log percentage progress; raise with its last stderr lines on error.

    ``progress``: called with the seconds of output done, for a caller that reports its own
    percentage (one piece of a longer render: render.pieces).

    ``-progress pipe:1`` gives machine-readable progress on stdout while stderr (errors only) goes
    to a temporary file, so neither pipe can fill up and block the encoder. A watchdog kills a
    run that exceeds ``timeout`` (default: 10 minutes plus 20x the media duration), so a stalled
    input can never hold a job forever.
    """
    if timeout is None:
        timeout = 600 + 20 * (duration or 0)
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
           "-progress", "pipe:1", "-nostats", *args]
    log.info("%s: %s", what, " ".join(_quote(a) for a in cmd))
    rc, stderr = ffmpeg_progress(cmd, timeout, duration, what, progress_every, progress)
    if rc is None:
        raise DramaError(f"{what} timed out after {timeout:.0f} s")
    if rc != 0:
        tail = stderr.splitlines()[-STDERR_TAIL:]
        # One line, so the batch summary can show it: "drama, stage: cause".
        detail = " | ".join(line.strip() for line in tail if line.strip()) or f"exit {rc}"
        raise DramaError(f"{what} failed (ffmpeg exit {rc}): {detail}")
    log.info("%s: done", what)


def ffmpeg_progress(cmd: list[str], timeout: float, duration: float | None, what: str,
                    every: float = 10.0,
                    progress: Callable[[float], None] | None = None) -> tuple[int | None, str]:
    """Run a full ffmpeg command line that has ``-progress pipe:1``: log ``<what>: NN%`` every
    ``every`` percent of ``duration``, pass the seconds done to ``progress``, kill it past
    ``timeout``. Returns (exit status, None when it was killed for time; its stderr). stderr
    goes to a temporary file, so neither pipe can fill up and block the encoder."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        fired = threading.Event()  # set before the kill: the timer thread may still be alive

        def stop() -> None:
            fired.set()
            proc.kill()

        watchdog = threading.Timer(timeout, stop)
        watchdog.start()
        next_report = 0.0
        assert proc.stdout is not None
        for line in proc.stdout:
            m = _TIME_RE.match(line.strip())
            if m and progress is not None:
                progress(int(m.group(1)) / 1e6)
            if m and duration:
                pct = min(100.0, int(m.group(1)) / 1e6 / duration * 100)
                if pct >= next_report:
                    log.info("%s: %.0f%%", what, pct)
                    next_report = pct + every
        rc = proc.wait()
        watchdog.cancel()
        timed_out = fired.is_set() and rc < 0
        err.seek(0)
        return (None if timed_out else rc), err.read()


def _quote(arg: str) -> str:
    return arg if re.fullmatch(r"[\w@%+=:,./-]+", arg) else repr(arg)


@dataclass(frozen=True)
class MediaInfo:
    """What the pipeline needs to know about a media file."""

    duration: float
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    video_duration: float | None = None
    audio_duration: float | None = None


def probe(path: str | os.PathLike[str]) -> MediaInfo:
    """Probe a media file with PyAV; raise a DramaError that says what is wrong with it."""
    path = Path(path)
    if not path.exists():
        raise DramaError(f"file not found: {path}")
    if path.stat().st_size == 0:
        raise DramaError(f"file is empty: {path.name}")
    try:
        with av.open(str(path)) as container:
            vstreams = [s for s in container.streams.video if s.codec_context is not None]
            astreams = list(container.streams.audio)
            v = vstreams[0] if vstreams else None
            a = astreams[0] if astreams else None

            def stream_dur(s) -> float | None:
                if s is None or s.duration is None or s.time_base is None:
                    return None
                return float(s.duration * s.time_base)

            duration = container.duration / 1e6 if container.duration else None
            vd, ad = stream_dur(v), stream_dur(a)
            duration = duration or max(d for d in (vd, ad, 0.0) if d is not None)
            return MediaInfo(
                duration=float(duration or 0.0),
                has_video=v is not None,
                has_audio=a is not None,
                width=v.codec_context.width if v is not None else None,
                height=v.codec_context.height if v is not None else None,
                fps=float(v.average_rate) if v is not None and v.average_rate else None,
                video_duration=vd,
                audio_duration=ad,
            )
    except av.error.FFmpegError as exc:
        raise DramaError(f"not a readable media file ({path.name}): {exc}") from exc


def display_size(path: str | os.PathLike[str]) -> tuple[int, int]:
    """The picture's size as players show it: coded size, turned by a 90/270° display matrix
    (phone videos). ffmpeg applies the same rotation when it decodes for a filter graph."""
    info = probe(path)
    if not info.has_video:
        raise DramaError(f"no video stream in {Path(path).name}")
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
                          capture_output=True, text=True, timeout=60)
    match = re.search(r"rotation of (-?[\d.]+) degrees", proc.stderr)
    turned = match is not None and round(abs(float(match.group(1)))) % 180 == 90
    return (info.height, info.width) if turned else (info.width, info.height)


def decode_check(path: str | os.PathLike[str]) -> dict[str, float]:
    """Decode every frame of every stream; return decoded durations per stream type.

    Used by tests and the packager to prove a file is complete, not just that its header parses.
    """
    ends: dict[str, float] = {}
    with av.open(str(path)) as container:
        streams = [s for s in container.streams if s.type in ("video", "audio")]
        for frame in container.decode(*streams):
            kind = "video" if isinstance(frame, av.VideoFrame) else "audio"
            if frame.time is None:
                continue
            if kind == "audio":
                end = frame.time + frame.samples / frame.sample_rate
            else:
                rate = container.streams.video[0].average_rate
                end = frame.time + (1 / float(rate) if rate else 0)
            ends[kind] = max(ends.get(kind, 0.0), end)
    return ends
