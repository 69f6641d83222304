"""What the drama's own picture already shows: black and frozen stretches of its source.

A render over the drama's own source (background steps ``source`` and ``scenes``) shows what
that source shows: a film's fade from black, an audio drama's black screen, a poster held under
a voice. A viewer does not call those broken, and no render could do better, so the checks must
not count them. Footage the pipeline picked (Pexels, a local folder) is different: a black or
stuck stretch there is something a better pick would have avoided, and it stays a defect.

How: the render's cuts (footage/cuts.py: which stretch of which file is on screen at which frame,
as the ``.otio`` written with each video records them) name the source stretches used. Only
those are decoded, downscaled, with the non-reference frames skipped (as ``measure``), through
the same ``blackdetect`` and ``freezedetect`` the render's check uses; what they find is mapped
back through each cut's start and speed into the render's time: the *excused* stretches.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..base.errors import DramaError
from ..base.media import ffmpeg_exe, probe
from ..footage.cuts import Cut
from ..footage.edited import plan_from_timeline
from .measure import (
    ANALYSIS_WIDTH,
    BLACK_PICTURE,
    BLACK_PIXEL,
    DECODE_SKIP,
    FREEZE_MIN_S,
    FREEZE_NOISE_DB,
    intervals,
)

log = logging.getLogger(__name__)

Span = tuple[float, float]
#: Context decoded on each side of a used stretch, so a freeze that began before it is seen
#: for long enough (freezedetect needs ``FREEZE_MIN_S``) and black at its edges is whole.
CONTEXT_S = FREEZE_MIN_S + 0.5
#: Used stretches closer than this are decoded in one go (one seek, one ffmpeg start).
JOIN_GAP_S = 10.0


@dataclass
class Excused:
    """Stretches of one render (its own seconds) that show what its source shows there."""

    black: list[Span] = field(default_factory=list)
    frozen: list[Span] = field(default_factory=list)
    #: seconds of source decoded to find them (the cost, recorded in qc.json)
    decoded_s: float = 0.0

    def to_dict(self) -> dict:
        return {"black": [(round(a, 3), round(b, 3)) for a, b in self.black],
                "frozen": [(round(a, 3), round(b, 3)) for a, b in self.frozen],
                "decoded_s": round(self.decoded_s, 2)}


def _same(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def merge(spans: list[Span], gap: float = 0.0) -> list[Span]:
    """Sorted, overlapping (or closer than ``gap``) spans joined."""
    out: list[Span] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + gap:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def used(cuts: list[Cut], fps: int) -> list[Span]:
    """The source stretches ``cuts`` show (a held frame: that frame), in source seconds."""
    out = []
    for c in cuts:
        seconds = 0.0 if c.freeze else c.frames / fps * c.speed
        out.append((c.src_start, c.src_start + seconds))
    return out


def measure_stretches(path: str, stretches: list[Span],
                      timeout: float = 600) -> tuple[list[Span], list[Span], float]:
    """Black and frozen stretches of ``path`` (source seconds) around each of ``stretches``,
    each group of close stretches decoded once; and the seconds decoded."""
    info = probe(path)
    if not info.has_video:
        return [], [], 0.0
    end = info.video_duration or info.duration
    black: list[Span] = []
    frozen: list[Span] = []
    decoded = 0.0
    groups = merge([(max(0.0, a - CONTEXT_S), min(end, b + CONTEXT_S)) for a, b in stretches],
                   JOIN_GAP_S)
    for a, b in groups:
        if b <= a:
            continue
        chain = (f"scale={ANALYSIS_WIDTH}:-2:flags=fast_bilinear,format=yuv420p,"
                 f"blackdetect=d=0.1:pic_th={BLACK_PICTURE}:pix_th={BLACK_PIXEL},"
                 f"freezedetect=n={FREEZE_NOISE_DB}dB:d={FREEZE_MIN_S}")
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-v", "info",
               "-threads", "1", *DECODE_SKIP, "-ss", f"{a:.3f}", "-t", f"{b - a:.3f}",
               "-i", str(path), "-map", "0:v:0", "-vf", chain, "-an", "-f", "null", "-"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                                  timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise DramaError(f"measuring the source {Path(path).name} timed out") from exc
        if proc.returncode != 0:
            tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
            raise DramaError(f"measuring the source {Path(path).name}: ffmpeg exit "
                             f"{proc.returncode}: {tail}")
        log = proc.stderr
        # input seeking restarts the filters' clock at the seek point
        black += [(a + float(s), a + float(e)) for s, e in re.findall(
            r"black_start:\s*([\d.]+)\s+black_end:\s*([\d.]+)", log)]
        frozen += [(a + s, a + e) for s, e in intervals(
            log, r"freeze_start:\s*([\d.]+)", r"freeze_end:\s*([\d.]+)", b - a)]
        decoded += b - a
    return merge(black), merge(frozen), decoded


def to_render(cuts: list[Cut], fps: int, spans: list[Span]) -> list[Span]:
    """Source ``spans`` as the render shows them: through each cut's start and speed (a held
    frame inside a span: the whole hold)."""
    out: list[Span] = []
    for c in cuts:
        a, b = c.start / fps, c.end / fps
        if c.freeze:
            if any(s <= c.src_start <= e for s, e in spans):
                out.append((a, b))
            continue
        s0, s1 = c.src_start, c.src_start + (b - a) * c.speed
        for s, e in spans:
            lo, hi = max(s, s0), min(e, s1)
            if hi > lo:
                out.append((a + (lo - s0) / c.speed, a + (hi - s0) / c.speed))
    return merge(out)


def excused(cuts: list[Cut], fps: int, source: str) -> Excused:
    """The render's stretches that show the source's own black or stillness (``cuts`` of other
    files than ``source`` excuse nothing)."""
    own = [c for c in cuts if c.path and _same(c.path, source)]
    if not own:
        return Excused()
    black, frozen, decoded = measure_stretches(source, used(own, fps))
    return Excused(to_render(own, fps, black), to_render(own, fps, frozen), decoded)


def from_timeline(timeline: str, length: float, fps: int, source: str) -> Excused | None:
    """``excused`` for the video whose ``.otio`` is ``timeline`` (render/timeline.py wrote it
    with the video: its cuts are the render's own). A timeline that cannot be read (a clip
    file gone from a bounded library) excuses nothing: the checks then judge the video alone."""
    try:
        plan = plan_from_timeline(timeline, Path(timeline).parent, length, fps)
    except DramaError as exc:
        log.warning("qc: %s: nothing excused (%s)", Path(timeline).name, exc)
        return None
    return excused([Cut.from_dict(c) for c in plan.cuts], fps, source)


def cut_times(timeline: str, length: float, fps: int) -> list[float] | None:
    """The seconds of the video whose ``.otio`` is ``timeline`` where its footage cuts to
    another shot (None: the timeline cannot be read)."""
    try:
        plan = plan_from_timeline(timeline, Path(timeline).parent, length, fps)
    except DramaError as exc:
        log.warning("qc: %s: cuts unknown (%s)", Path(timeline).name, exc)
        return None
    return [Cut.from_dict(c).start / fps for c in plan.cuts][1:]
