"""One decode of a finished video measures everything the checks judge.

ffmpeg's own filters do the work in a single pass (decoding a 1080p H.264 file is the cost;
running the filters on a downscaled copy is small next to it):

- picture, outside the caption band (captions over a black or frozen picture must not hide it):
  ``blackdetect`` and ``freezedetect``;
- the caption band and a reference strip of the same size next to it: the mean frame-to-frame
  change of each (``tblend`` difference, ``signalstats``), so a caption appearing, changing or
  leaving shows as a jump of the band alone (a cut or camera move changes both);
- the sound: ``ebur128`` (integrated loudness, true peak) then ``silencedetect``.

The filters' findings are read from ffmpeg's log and the two strips' series from
``metadata`` files; nothing here judges them (``checks`` does).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..base.errors import DramaError
from ..base.media import ffmpeg_exe, ffmpeg_progress, filter_escape, probe
from ..render.options import SubtitleStyle
from ..render.placement import BOTTOM, TOP

#: Width the picture is analysed at: black and frozen stretches and caption changes show as
#: well at 320 pixels as at 1920, and the filters cost a fraction of the decode.
ANALYSIS_WIDTH = 320
#: Darkest share of a frame's pixels that makes it black, and how dark a pixel is (blackdetect).
#: A picture with half a percent of its pixels lit is not black to a viewer: the Earth's limb
#: and its city lights in space, graded for night, read 100 % black at 0.98 (qc.corpus), while
#: a render gone black is black to the last pixel outside the caption band.
BLACK_PICTURE = 0.995
BLACK_PIXEL = 0.10
#: Over the generated background only pure black counts (luma <= 18 of 16-235): the darkest
#: palette colour (footage.background) sits near 20 and a dark gradient read 65 % black at 0.10,
#: while a render gone black (luma 16) still reads black.
BLACK_PIXEL_GENERATED = 0.01
#: A picture changing less than this (freezedetect noise, dB) for ``FREEZE_MIN_S`` is frozen.
FREEZE_NOISE_DB = -60
FREEZE_MIN_S = 1.0
#: Sound below this level for ``SILENCE_MIN_S`` is silence (narration pauses inside a clause are
#: shorter; pauses between clauses are outside the spoken spans the checks look at).
SILENCE_DB = -45
SILENCE_MIN_S = 0.4
#: Longest silence of the narration's own that is a speaker's pause (a comma or a full stop
#: inside one segment: Kokoro's measured 0.4-1.2 s at the hour). A longer one inside a spoken
#: segment is a fault of the narration itself, and still counts.
PAUSE_MAX_S = 1.5
#: The decoder skips the frames no other frame refers to (x264's non-reference B-frames, about
#: half of them) and the deblocking filter: half the decode's CPU, the cost of the whole check.
#: Black and frozen stretches last many frames, and a caption change on a skipped frame shows
#: on the next decoded one, where ``captions`` expects it (it snaps the cues to decoded frames).
DECODE_SKIP = ("-skip_frame", "noref", "-skip_loop_filter", "all")


@dataclass(frozen=True)
class Band:
    """Rows (fractions of the height) of the caption band, a reference strip, and the picture
    region free of captions."""

    band: tuple[float, float]
    reference: tuple[float, float]
    picture: tuple[float, float]


def caption_band(style: SubtitleStyle, height: int, lines: int = 2) -> Band:
    """Where the render's libass style puts the captions (render.videos.styled): bottom-aligned
    above the margin, or centred; ``lines`` lines of the style's font size, with room for the
    outline and line spacing."""
    font = max(8, round(style.size * height)) / height
    tall = lines * font * 1.35 + 2 * style.outline + 0.02
    if style.position == "faces":  # anywhere in the safe zone (render.placement), never lower
        top, bottom = TOP, min(1.0, BOTTOM + 0.02)
        reference = picture = (bottom, 1.0)
    elif style.position == "center":
        top, bottom = 0.5 - tall / 2, 0.5 + tall / 2
        reference = (bottom, min(1.0, bottom + tall))
        picture = (bottom, 1.0)
    else:
        bottom = min(1.0, 1.0 - style.margin + 0.02)
        top = max(0.0, bottom - tall)
        reference = (max(0.0, top - tall), top)
        picture = (0.0, top)
    return Band((max(0.0, top), min(1.0, bottom)), reference, picture)


def placed_bands(bottoms: list[float], style: SubtitleStyle, height: int,
                 lines: int = 2) -> list[Band]:
    """One band per lower edge the render placed cues at (the long video's ``position: faces``
    record, render/long_captions.py: the bottom, the top, above a face), each with a reference
    strip beside it (above it, or below it where there is no room above), and the picture the
    checks look at: the largest stretch of rows no band covers."""
    font = max(8, round(style.size * height)) / height
    tall = lines * font * 1.35 + 2 * style.outline + 0.02
    rows = []
    for edge in sorted(set(bottoms)):
        bottom, top = min(1.0, edge + 0.02), max(0.0, edge - tall)
        reference = (top - tall, top) if top - tall >= 0 else (bottom, min(1.0, bottom + tall))
        rows.append(((top, bottom), reference))
    gaps, at = [], 0.0
    for top, bottom in sorted(band for band, _ in rows):
        if top > at:
            gaps.append((at, top))
        at = max(at, bottom)
    if at < 1.0:
        gaps.append((at, 1.0))
    picture = max(gaps, key=lambda g: g[1] - g[0], default=(0.0, 1.0))
    return [Band(band, reference, picture) for band, reference in rows]


@dataclass
class Measures:
    """What one decode found in one video (times in seconds from its start)."""

    duration: float
    video_duration: float
    audio_duration: float
    fps: float
    black: list[tuple[float, float]] = field(default_factory=list)
    frozen: list[tuple[float, float]] = field(default_factory=list)
    silence: list[tuple[float, float]] = field(default_factory=list)
    integrated_lufs: float | None = None
    true_peak_db: float | None = None
    #: (time, mean change) per frame of the caption band and of the reference strip.
    band_change: list[tuple[float, float]] = field(default_factory=list)
    reference_change: list[tuple[float, float]] = field(default_factory=list)
    #: the same two series for every band measured (the first is the two above)
    strips: list[tuple[list[tuple[float, float]], list[tuple[float, float]]]] = field(
        default_factory=list)


def _crop(rows: tuple[float, float]) -> str:
    top, bottom = rows
    return f"crop=iw:ih*{bottom - top:.4f}:0:ih*{top:.4f}"


def _strip(rows: tuple[float, float], label: str, path: Path) -> str:
    return (f"[{label}]{_crop(rows)},tblend=all_mode=difference,signalstats,"
            f"metadata=mode=print:key=lavfi.signalstats.YAVG:file={filter_escape(str(path))},"
            f"nullsink")


def graph(bands: list[Band], has_audio: bool, files: list[tuple[Path, Path]],
          black_pixel: float = BLACK_PIXEL) -> str:
    """The filter graph of the one decode: picture checks (in the first band's picture), each
    band and its reference strip (into ``files``), the sound."""
    labels = "".join(f"[band{n}][ref{n}]" for n in range(len(bands)))
    parts = [
        f"[0:v]scale={ANALYSIS_WIDTH}:-2:flags=fast_bilinear,format=yuv420p,"
        f"split={1 + 2 * len(bands)}[pic]{labels}",
        f"[pic]{_crop(bands[0].picture)},blackdetect=d=0.1:pic_th={BLACK_PICTURE}"
        f":pix_th={black_pixel},freezedetect=n={FREEZE_NOISE_DB}dB:d={FREEZE_MIN_S}[vout]",
    ]
    for n, (band, (band_file, reference_file)) in enumerate(zip(bands, files, strict=True)):
        parts += [_strip(band.band, f"band{n}", band_file),
                  _strip(band.reference, f"ref{n}", reference_file)]
    if has_audio:
        parts.append(f"[0:a]ebur128=peak=true,silencedetect=n={SILENCE_DB}dB:d={SILENCE_MIN_S}"
                     f"[aout]")
    return ";".join(parts)


def measure(path: str | Path, style: SubtitleStyle, lines: int = 2,
            timeout: float | None = None, black_pixel: float = BLACK_PIXEL,
            bottoms: list[float] | None = None) -> Measures:
    """Decode ``path`` once and return every measurement the checks need (``black_pixel``:
    how dark a pixel must be to count as black). ``bottoms``: the lower edges the render
    placed its cues at (one band each, in that order, sorted); else the style's one band."""
    info = probe(path)
    if not info.has_video:
        raise DramaError(f"{Path(path).name} has no video stream")
    bands = (placed_bands(bottoms, style, info.height or 1, lines) if bottoms
             else [caption_band(style, info.height or 1, lines)])
    with tempfile.TemporaryDirectory() as tmp:
        files = [(Path(tmp) / f"band{n}.txt", Path(tmp) / f"ref{n}.txt")
                 for n in range(len(bands))]
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-v", "info",
               "-progress", "pipe:1", "-threads", "1", *DECODE_SKIP, "-i", str(path),
               "-filter_complex", graph(bands, info.has_audio, files, black_pixel),
               "-map", "[vout]", *(["-map", "[aout]"] if info.has_audio else []),
               "-f", "null", "-"]
        # "qc: <video>: NN%" for the live display: an hour's check decodes for minutes
        rc, stderr = ffmpeg_progress(cmd, timeout or 600 + 5 * info.duration, info.duration,
                                     f"qc: {Path(path).name}")
        if rc is None:
            raise DramaError(f"checking {Path(path).name} timed out")
        if rc != 0:
            tail = " | ".join(stderr.strip().splitlines()[-5:])
            raise DramaError(f"checking {Path(path).name}: ffmpeg exit {rc}: {tail}")
        found = Measures(
            duration=info.duration,
            video_duration=info.video_duration or info.duration,
            audio_duration=(info.audio_duration or info.duration) if info.has_audio else 0.0,
            fps=info.fps or 0.0,
            strips=[(_series(b), _series(r)) for b, r in files],
        )
        found.band_change, found.reference_change = found.strips[0]
    found.black = [(float(a), float(b)) for a, b in re.findall(
        r"black_start:\s*([\d.]+)\s+black_end:\s*([\d.]+)", stderr)]
    found.frozen = intervals(stderr, r"freeze_start:\s*([\d.]+)", r"freeze_end:\s*([\d.]+)",
                              found.video_duration)
    found.silence = silences(stderr, found.audio_duration)
    summary = stderr[stderr.rfind("Summary:"):] if "Summary:" in stderr else ""
    loud = re.search(r"I:\s*(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"True peak:\s*Peak:\s*(-?[\d.]+|-inf) dBFS", summary)
    found.integrated_lufs = _number(loud.group(1)) if loud else None
    found.true_peak_db = _number(peak.group(1)) if peak else None
    return found


def _number(text: str) -> float:
    return -120.0 if text == "-inf" else float(text)


def intervals(log: str, start_re: str, end_re: str, end: float) -> list[tuple[float, float]]:
    """Pair start/end lines in order; a stretch still open at the end runs to ``end``."""
    events = sorted([(m.start(), "s", float(m.group(1))) for m in re.finditer(start_re, log)]
                    + [(m.start(), "e", float(m.group(1))) for m in re.finditer(end_re, log)])
    out, opened = [], None
    for _, kind, t in events:
        if kind == "s":
            opened = max(0.0, t)
        elif opened is not None:
            out.append((opened, t))
            opened = None
    if opened is not None and end > opened:
        out.append((opened, end))
    return out


def silences(log: str, end: float) -> list[tuple[float, float]]:
    """The stretches ``silencedetect`` reported in ffmpeg's ``log`` (one still open: to ``end``)."""
    return intervals(log, r"silence_start:\s*(-?[\d.]+)", r"silence_end:\s*([\d.]+)", end)


def _series(path: Path) -> list[tuple[float, float]]:
    """(pts_time, YAVG) pairs of a ``metadata=mode=print`` file."""
    if not path.exists():
        return []
    out: list[tuple[float, float]] = []
    when = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        m = re.search(r"pts_time:\s*([\d.]+)", line)
        if m:
            when = float(m.group(1))
        elif when is not None and line.startswith("lavfi.signalstats.YAVG="):
            out.append((when, float(line.split("=", 1)[1])))
    return out


def narration_pauses(path: str | Path, longest: float = PAUSE_MAX_S,
                     timeout: float | None = None) -> list[tuple[float, float]]:
    """The narration's own pauses: its silences (as ``measure`` finds them in a video) no
    longer than ``longest``. A video is silent there because the narrator is, not because the
    render lost its voice (checks.numbers leaves them out of ``silent_narration_share``)."""
    info = probe(path)
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-v", "info",
           "-progress", "pipe:1", "-i", str(path), "-vn",
           "-af", f"silencedetect=n={SILENCE_DB}dB:d={SILENCE_MIN_S}", "-f", "null", "-"]
    rc, stderr = ffmpeg_progress(cmd, timeout or 600 + info.duration, info.duration,
                                 f"qc: {Path(path).name}")
    if rc != 0:
        tail = " | ".join(stderr.strip().splitlines()[-5:])
        raise DramaError(f"measuring the pauses of {Path(path).name}: ffmpeg exit {rc}: {tail}")
    return [(a, b) for a, b in silences(stderr, info.duration) if b - a <= longest]
