"""Background footage for one drama and orientation, following a configurable fallback order.

Steps: ``pexels`` (stock footage; see pexels.py), ``local`` (a folder of clips), ``source`` (the
source video's own picture, muted) and ``generated`` (an ffmpeg gradient, always available).
Each step that is skipped is logged with its reason, so a user sees why a video looks as it does.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from .errors import DramaError
from .fsutil import atomic_output
from .media import probe, run_ffmpeg

log = logging.getLogger(__name__)

VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".webm", ".m4v"}
ORIENTATIONS = ("landscape", "portrait")


def frame_size(orientation: str, long_wh: tuple[int, int], short_wh: tuple[int, int]):
    if orientation not in ORIENTATIONS:
        raise DramaError(f"unknown orientation '{orientation}'")
    return long_wh if orientation == "landscape" else short_wh


def _palette(drama_id: str) -> tuple[str, str]:
    digest = hashlib.sha256(drama_id.encode()).digest()
    # Dark, saturated colours keep white subtitles readable.
    c0 = f"0x{digest[0] // 3:02x}{digest[1] // 3:02x}{40 + digest[2] // 3:02x}"
    c1 = f"0x{40 + digest[3] // 3:02x}{digest[4] // 4:02x}{digest[5] // 3:02x}"
    return c0, c1


def generated(drama_id: str, out: Path, width: int, height: int, seconds: float = 10.0,
              fps: int = 30) -> None:
    """A slowly moving two-colour gradient, rendered small (the renderer scales it up)."""
    w, h = max(16, width // 4) // 2 * 2, max(16, height // 4) // 2 * 2
    c0, c1 = _palette(drama_id)
    src = f"gradients=s={w}x{h}:c0={c0}:c1={c1}:speed=0.02:rate={fps}:duration={seconds}"
    with atomic_output(out) as tmp:
        run_ffmpeg(["-f", "lavfi", "-i", src, "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", "-f", "mp4", str(tmp)],
                   duration=seconds, what="generate background")


def local(drama_id: str, out: Path, folder: str) -> None:
    """Pick a clip from ``folder`` deterministically by drama id (reruns choose the same one)."""
    if not folder:
        raise DramaError("no background.local_dir configured")
    clips = sorted(p for p in Path(folder).expanduser().glob("*")
                   if p.suffix.lower() in VIDEO_SUFFIXES)
    if not clips:
        raise DramaError(f"no video files in background folder {folder}")
    pick = clips[int(hashlib.sha256(drama_id.encode()).hexdigest(), 16) % len(clips)]
    probe(pick)
    with atomic_output(out) as tmp:
        shutil.copyfile(pick, tmp)
    log.info("background: local clip %s", pick.name)


def from_source(source: str, out: Path) -> None:
    """The source's own picture without its audio (a stream copy, no re-encode)."""
    info = probe(source)
    if not info.has_video:
        raise DramaError("source has no video stream")
    with atomic_output(out) as tmp:
        run_ffmpeg(["-i", source, "-map", "0:v:0", "-an", "-sn", "-c:v", "copy",
                    "-f", "mp4", str(tmp)], duration=info.duration, what="background from source")


def make_background(drama_id: str, orientation: str, out: str | os.PathLike[str], *,
                    order: list[str], source: str, options: dict,
                    long_wh: tuple[int, int], short_wh: tuple[int, int],
                    pexels: Callable[[Path], None] | None = None) -> str:
    """Try each step of ``order``; return the name of the step that produced ``out``."""
    out = Path(out)
    width, height = frame_size(orientation, long_wh, short_wh)
    steps: dict[str, Callable[[], None]] = {
        "local": lambda: local(drama_id, out, options.get("local_dir", "")),
        "source": lambda: from_source(source, out),
        "generated": lambda: generated(drama_id, out, width, height,
                                       fps=options.get("fps", 30)),
    }
    if pexels is not None:
        steps["pexels"] = lambda: pexels(out)
    reasons = []
    for step in order:
        if step not in steps:
            reason = "not available in this configuration" if step == "pexels" else "unknown step"
            log.info("background: skipping '%s': %s", step, reason)
            reasons.append(f"{step}: {reason}")
            continue
        try:
            steps[step]()
            log.info("background (%s): using '%s'", orientation, step)
            return step
        except DramaError as exc:
            log.warning("background: '%s' failed: %s", step, exc.cause)
            reasons.append(f"{step}: {exc.cause}")
    raise DramaError("no background could be made: " + "; ".join(reasons))
