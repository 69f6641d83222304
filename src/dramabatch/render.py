"""Rendering with one ffmpeg filter graph per output: long 16:9 master and native 9:16 shorts.

The graph scales the background to cover the frame, crops, loops it to the narration length and
burns ASS subtitles built from the SRT/timeline with the configured style. No Python touches a
frame, so rendering runs at the speed of the encoder and memory stays flat whatever the length.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pysubs2

from .errors import DramaError
from .fsutil import atomic_output
from .media import filter_escape, probe, run_ffmpeg
from .subtitles import to_ssa, word_cues

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VideoOptions:
    width: int
    height: int
    fps: int = 30
    crf: int = 23
    preset: str = "veryfast"
    encoder: str = "libx264"
    audio_bitrate: str = "192k"
    threads: int = 0


@dataclass(frozen=True)
class SubtitleStyle:
    font: str = "Montserrat"
    #: Font size as a fraction of the frame height, so one style fits every resolution.
    size: float = 0.05
    colour: str = "FFFFFF"
    outline_colour: str = "000000"
    outline: float = 0.004
    bold: bool = True
    #: "bottom" or "center".
    position: str = "bottom"
    margin: float = 0.06


def fonts_dir() -> str:
    """The directory of the packaged Montserrat font (never the system's fonts)."""
    import fontpkg_montserrat

    return str(Path(fontpkg_montserrat.ROOT) / "files")


def _colour(hex_rgb: str) -> pysubs2.Color:
    hex_rgb = hex_rgb.lstrip("#")
    if len(hex_rgb) != 6:
        raise DramaError(f"colour must be RRGGBB hex, got {hex_rgb!r}")
    return pysubs2.Color(int(hex_rgb[0:2], 16), int(hex_rgb[2:4], 16), int(hex_rgb[4:6], 16))


def styled(subs: pysubs2.SSAFile, style: SubtitleStyle, width: int, height: int) -> pysubs2.SSAFile:
    """Apply ``style`` as the default ASS style, sized in pixels of the output frame."""
    subs.info["PlayResX"] = str(width)
    subs.info["PlayResY"] = str(height)
    subs.info["WrapStyle"] = "0"
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname=style.font,
        fontsize=max(8, round(style.size * height)),
        primarycolor=_colour(style.colour),
        outlinecolor=_colour(style.outline_colour),
        backcolor=pysubs2.Color(0, 0, 0, 128),
        bold=style.bold,
        outline=max(1.0, style.outline * height),
        shadow=0,
        alignment=(pysubs2.Alignment.MIDDLE_CENTER if style.position == "center"
                   else pysubs2.Alignment.BOTTOM_CENTER),
        marginv=round(style.margin * height),
        marginl=round(0.05 * width),
        marginr=round(0.05 * width),
    )
    for event in subs:
        event.style = "Default"
    return subs


def _encoder_args(v: VideoOptions) -> list[str]:
    if v.encoder == "libx264":
        args = ["-c:v", "libx264", "-preset", v.preset, "-crf", str(v.crf)]
        if v.threads:
            args += ["-threads", str(v.threads)]
    elif v.encoder == "h264_nvenc":
        args = ["-c:v", "h264_nvenc", "-preset", "p4", "-cq", str(v.crf), "-b:v", "0"]
    else:
        raise DramaError(f"unknown video encoder '{v.encoder}' (libx264 or h264_nvenc)")
    return [*args, "-pix_fmt", "yuv420p", "-r", str(v.fps)]


def render(*, background: str, audio: str, subs: pysubs2.SSAFile, out: str | os.PathLike[str],
           duration: float, video: VideoOptions, audio_start: float = 0.0,
           what: str = "render") -> None:
    """Render ``out``: looped, cover-cropped background + audio window + burned subtitles."""
    if duration <= 0:
        raise DramaError(f"{what}: nothing to render (duration {duration:.2f} s)")
    probe(background)
    w, h = video.width, video.height
    with tempfile.TemporaryDirectory() as tmpdir:
        ass = Path(tmpdir) / "subs.ass"
        subs.save(str(ass), encoding="utf-8")
        graph = (
            f"[0:v]scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},setsar=1,"
            f"fps={video.fps},"
            f"ass=filename={filter_escape(str(ass))}:fontsdir={filter_escape(fonts_dir())}[v]"
        )
        with atomic_output(out) as tmp:
            run_ffmpeg(
                ["-stream_loop", "-1", "-i", background,
                 "-ss", f"{audio_start:.3f}", "-t", f"{duration:.3f}", "-i", audio,
                 "-filter_complex", graph, "-map", "[v]", "-map", "1:a:0",
                 "-t", f"{duration:.3f}", *_encoder_args(video),
                 "-c:a", "aac", "-b:a", video.audio_bitrate, "-ar", "48000",
                 "-movflags", "+faststart", "-f", "mp4", str(tmp)],
                duration=duration, what=what,
            )


def render_long(*, background: str, narration: str, srt: str, out: str, duration: float,
                video: VideoOptions, style: SubtitleStyle) -> None:
    subs = styled(pysubs2.load(srt, encoding="utf-8"), style, video.width, video.height)
    render(background=background, audio=narration, subs=subs, out=out, duration=duration,
           video=video, what="render long video")


def render_short(*, background: str, narration: str, timeline: dict, plan: dict, out: str,
                 video: VideoOptions, style: SubtitleStyle, title: str = "",
                 title_seconds: float = 0.0, max_words: int = 3) -> None:
    start, end = plan["start"], plan["end"]
    subs = to_ssa(word_cues(timeline["segments"], max_words), offset=start, clip=(start, end))
    subs = styled(subs, style, video.width, video.height)
    if title and title_seconds > 0:
        subs.styles["Title"] = subs.styles["Default"].copy()
        subs.styles["Title"].alignment = pysubs2.Alignment.TOP_CENTER
        subs.styles["Title"].marginv = round(0.12 * video.height)
        subs.append(pysubs2.SSAEvent(start=0, end=int(title_seconds * 1000), text=title,
                                     style="Title"))
    render(background=background, audio=narration, subs=subs, out=out, duration=end - start,
           video=video, audio_start=start, what=f"render short {plan['number']:02d}")
