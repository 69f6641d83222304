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

from .background import FootagePlan
from .errors import DramaError
from .fsutil import atomic_output
from .media import filter_escape, run_ffmpeg
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
    #: Longest stretch of one stock clip before cutting to the next (0: use each clip whole).
    seconds_per_clip: float = 0.0


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


def footage_inputs(plan: FootagePlan, duration: float, fps: int,
                   seconds_per_clip: float = 0.0) -> tuple[list[str], list[tuple[int, float]]]:
    """ffmpeg input args for a footage plan and the (input index, seconds) pieces to concat.

    Clips are used in order, each for at most ``seconds_per_clip`` (0: its whole length) and
    cycled when they are too few to cover ``duration``; every input is looped, so a short clip
    can still fill a long piece.
    """
    if plan.lavfi:
        return ["-f", "lavfi", "-i", f"{plan.lavfi}:duration={duration + 1:.3f}"], [(0, duration)]
    if not plan.clips:
        raise DramaError("footage plan has no clips")
    args: list[str] = []
    pieces: list[tuple[int, float]] = []
    remaining, k = duration, 0
    while remaining > 1e-3:
        clip = plan.clips[k % len(plan.clips)]
        length = clip.duration if clip.duration > 0.5 else duration
        if seconds_per_clip > 0:
            length = min(length, seconds_per_clip)
        if len(plan.clips) == 1:
            length = remaining  # one clip: loop it for the whole length
        length = min(length, remaining)
        args += ["-stream_loop", "-1", "-i", clip.path]
        pieces.append((len(pieces), length))
        remaining -= length
        k += 1
    return args, pieces


def background_graph(pieces: list[tuple[int, float]], w: int, h: int, fps: int) -> str:
    """Scale each piece to cover the frame, crop, trim to its length, and concatenate."""
    parts = []
    for idx, length in pieces:
        parts.append(
            f"[{idx}:v]scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},"
            f"setsar=1,fps={fps},trim=duration={length:.3f},setpts=PTS-STARTPTS[bg{idx}]"
        )
    if len(pieces) == 1:
        return parts[0].replace("[bg0]", "[bg]")
    labels = "".join(f"[bg{idx}]" for idx, _ in pieces)
    return ";".join(parts) + f";{labels}concat=n={len(pieces)}:v=1:a=0[bg]"


def render(*, footage: FootagePlan, audio: str, subs: pysubs2.SSAFile,
           out: str | os.PathLike[str], duration: float, video: VideoOptions,
           audio_start: float = 0.0, what: str = "render") -> None:
    """Render ``out``: footage covering ``duration`` + audio window + burned subtitles."""
    if duration <= 0:
        raise DramaError(f"{what}: nothing to render (duration {duration:.2f} s)")
    w, h = video.width, video.height
    in_args, pieces = footage_inputs(footage, duration, video.fps, video.seconds_per_clip)
    audio_idx = len(pieces) if not footage.lavfi else 1
    with tempfile.TemporaryDirectory() as tmpdir:
        ass = Path(tmpdir) / "subs.ass"
        subs.save(str(ass), encoding="utf-8")
        graph = (
            background_graph(pieces, w, h, video.fps)
            + f";[bg]ass=filename={filter_escape(str(ass))}"
            f":fontsdir={filter_escape(fonts_dir())}[v]"
        )
        with atomic_output(out) as tmp:
            run_ffmpeg(
                [*in_args,
                 "-ss", f"{audio_start:.3f}", "-t", f"{duration:.3f}", "-i", audio,
                 "-filter_complex", graph, "-map", "[v]", "-map", f"{audio_idx}:a:0",
                 "-t", f"{duration:.3f}", *_encoder_args(video),
                 "-c:a", "aac", "-b:a", video.audio_bitrate, "-ar", "48000",
                 "-movflags", "+faststart", "-f", "mp4", str(tmp)],
                duration=duration, what=what,
            )


def render_long(*, background: str, narration: str, srt: str, out: str, duration: float,
                video: VideoOptions, style: SubtitleStyle) -> None:
    subs = styled(pysubs2.load(srt, encoding="utf-8"), style, video.width, video.height)
    render(footage=FootagePlan.load(background), audio=narration, subs=subs, out=out,
           duration=duration, video=video, what="render long video")


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
    render(footage=FootagePlan.load(background), audio=narration, subs=subs, out=out,
           duration=end - start,
           video=video, audio_start=start, what=f"render short {plan['number']:02d}")
