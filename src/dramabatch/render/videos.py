"""Rendering with one ffmpeg filter graph per output: long 16:9 master and native 9:16 shorts.

The graph scales the background to cover the frame, crops, concatenates the clips to the narration
length (optionally crossfading them), burns ASS subtitles built from the SRT/timeline with the
configured style, and mixes the narration with an optional music bed and the source's original
audio, both ducked under the voice (sidechaincompress). No Python touches a frame, so rendering
runs at the speed of the encoder and memory stays flat whatever the length.

Video and audio end together: the output is a whole number of frames, and the audio is padded or
trimmed to exactly that many frames' worth of samples.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pysubs2

from ..base.errors import DramaError
from ..base.fsutil import atomic_output
from ..base.media import ffmpeg_exe, filter_escape, run_ffmpeg
from ..footage.background import FootagePlan
from ..footage.cut_graph import cut_footage
from ..footage.graph import background_graph, footage_inputs
from ..footage.scene_graph import scene_footage
from . import loopback
from .fonts import ass_text, verify_fonts
from .fonts import caption_fonts_dir as fonts_dir  # the caption fonts libass may use, only
from .long_captions import long_placement
from .options import SAMPLE_RATE, AudioMix, SubtitleStyle, VideoOptions
from .placement import place_captions
from .sound import audio_graph, sound_inputs
from .subtitles import read_srt, to_ssa, word_cues

log = logging.getLogger(__name__)


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


def encoder_args(v: VideoOptions) -> list[str]:
    """ffmpeg's video encoder options for ``v``: one place, so a video rendered in pieces
    (render.pieces) is encoded exactly as one rendered in a single pass."""
    if v.encoder == "libx264":
        args = ["-c:v", "libx264", "-preset", v.preset, "-crf", str(v.crf)]
        if v.threads:
            args += ["-threads", str(v.threads)]
    elif v.encoder == "h264_nvenc":
        args = ["-c:v", "h264_nvenc", "-preset", "p4", "-cq", str(v.crf), "-b:v", "0"]
    else:
        raise DramaError(f"unknown video encoder '{v.encoder}' (libx264 or h264_nvenc)")
    return [*args, "-pix_fmt", "yuv420p", "-r", str(v.fps)]


def render(*, footage: FootagePlan, audio: str, subs: pysubs2.SSAFile,
           out: str | os.PathLike[str], duration: float, video: VideoOptions,
           audio_start: float = 0.0, mix: AudioMix | None = None,
           what: str = "render") -> None:
    """Render ``out``: footage covering ``duration`` + audio window + burned subtitles.

    The output holds ``round(duration * fps)`` frames and exactly as many seconds of audio.
    """
    if duration <= 0:
        raise DramaError(f"{what}: nothing to render (duration {duration:.2f} s)")
    mix = mix or AudioMix()
    w, h = video.width, video.height
    frames = max(1, round(duration * video.fps))
    length = frames / video.fps
    samples = round(length * SAMPLE_RATE)
    if footage.cuts:  # an edited timeline's cuts, as they are (footage/edited.py)
        in_args, footage_graph, n_inputs = cut_footage(footage, w, h, video.fps,
                                                       video.max_upscale)
    elif footage.spans:  # the drama's own scenes, from this output's place in the narration
        in_args, footage_graph, n_inputs = scene_footage(footage, audio_start, length, w, h,
                                                         video.fps, video.max_upscale)
    else:
        in_args, pieces = footage_inputs(footage, length, video.fps, video.seconds_per_clip,
                                         video.crossfade)
        n_inputs = 1 if footage.lavfi else len({idx for idx, _ in pieces})
        # inputs are the plan's first clips, in order (footage_inputs)
        footage_graph = background_graph(pieces, w, h, video.fps, video.crossfade,
                                         [c.fit for c in footage.clips], video.max_upscale)
    sound = sound_inputs(footage, audio, mix, audio_start, length, video.fps, n_inputs, what)
    in_args += sound.args
    voice_idx, music_idx, original_idx = sound.voice_idx, sound.music_idx, sound.original_idx
    scene_sound = sound.scene_sound
    with tempfile.TemporaryDirectory() as tmpdir:
        ass = Path(tmpdir) / "subs.ass"
        subs.save(str(ass), encoding="utf-8")
        if len(subs):  # libass says which font it will use; another family fails the job
            verify_fonts(ass, fonts_dir(), ffmpeg_exe())
        drawing = ";".join([
            *([scene_sound] if scene_sound else []),
            # Cloning the last frame then trimming makes the picture exactly ``frames`` long.
            f"[bg]ass=filename={filter_escape(str(ass))}:fontsdir={filter_escape(fonts_dir())},"
            f"tpad=stop_mode=clone:stop_duration=1,trim=end_frame={frames},"
            f"setpts=PTS-STARTPTS[v]",
            audio_graph(voice_idx, samples, mix, music_idx, original_idx),
        ])
        graph_args = loopback.graph_args(footage_graph, drawing, video.fps, frames,
                                         Path(tmpdir))
        with atomic_output(out) as tmp:
            run_ffmpeg(
                [*in_args,
                 *graph_args, "-map", "[v]", "-map", "[a]",
                 "-frames:v", str(frames), *encoder_args(video),
                 "-c:a", "aac", "-b:a", video.audio_bitrate, "-ar", str(SAMPLE_RATE),
                 "-movflags", "+faststart", "-f", "mp4", str(tmp)],
                duration=length, what=what,
            )


def long_subs(srt: str, video: VideoOptions, style: SubtitleStyle) -> pysubs2.SSAFile:
    return styled(to_ssa(read_srt(srt)), style, video.width, video.height)


ENGINES = ("ffmpeg", "moviepy")


def renderer(engine: str):
    """The render function of ``engine``: the ffmpeg graph, or the moviepy composition."""
    if engine == "ffmpeg":
        return render
    if engine == "moviepy":
        from .moviepy_engine import render as moviepy_render

        return moviepy_render
    raise DramaError(f"unknown render engine '{engine}' (one of {', '.join(ENGINES)})")


def write_video_timeline(out: str, *, footage: FootagePlan, subs: pysubs2.SSAFile,
                         duration: float, video: VideoOptions, narration: str,
                         audio_start: float = 0.0, mix: AudioMix | None = None,
                         meta: dict | None = None, xml: bool = False) -> None:
    """The .otio of a video just rendered: its footage as the render cut it (same frames)."""
    from ..footage.cuts import plan_cuts
    from .timeline import write_timeline

    mix = mix or AudioMix()
    frames = max(1, round(duration * video.fps))
    cuts = plan_cuts(footage, frames / video.fps, video.fps, offset=audio_start,
                     seconds_per_clip=video.seconds_per_clip, crossfade=video.crossfade)
    write_timeline(out, footage=footage, cuts=cuts, fps=video.fps, frames=frames, xml=xml,
                   name=Path(out).stem, narration=narration, audio_start=audio_start, subs=subs,
                   music=mix.music, original=mix.original,
                   metadata={**(meta or {}), "width": video.width, "height": video.height})


def render_long(*, background: str | FootagePlan, narration: str, srt: str, out: str,
                duration: float, video: VideoOptions, style: SubtitleStyle,
                mix: AudioMix | None = None, engine: str = "ffmpeg", timeline: str = "",
                timeline_meta: dict | None = None, xml: bool = False,
                render_fn: Callable[..., None] | None = None) -> None:
    """The long video over ``background`` (a footage plan, or the path of one), and its
    ``timeline`` (.otio) when given. ``render_fn``: what renders it, in place of the engine's
    single pass (the render in pieces of an hour-long video: render.pieces)."""
    footage = background if isinstance(background, FootagePlan) else FootagePlan.load(background)
    subs = long_subs(srt, video, style)
    timeline_meta = {**(timeline_meta or {}),  # position faces: cues clear of faces, recorded
                     **long_placement(subs, footage, duration, video, style)}
    (render_fn or renderer(engine))(footage=footage, audio=narration, subs=subs, out=out,
                                    duration=duration, video=video, mix=mix,
                                    what="render long video")
    if timeline:
        write_video_timeline(timeline, footage=footage, subs=subs, duration=duration,
                             video=video, narration=narration, mix=mix, meta=timeline_meta,
                             xml=xml)


def short_subs(*, timeline: dict, plan: dict, video: VideoOptions, style: SubtitleStyle,
               title: str = "", title_seconds: float = 0.0,
               max_words: int = 3, faces_y: list | None = None,
               placed: list | None = None) -> pysubs2.SSAFile:
    """Word-chunked captions of one short (times relative to its start), plus the title card.
    Each caption is placed in the platforms' safe zone clear of the faces ``faces_y`` (the
    portrait plan's crop record); where each went and why is appended to ``placed``."""
    start, end = plan["start"], plan["end"]
    subs = to_ssa(word_cues(timeline["segments"], max_words), offset=start, clip=(start, end))
    subs = styled(subs, style, video.width, video.height)
    if style.position == "faces":
        (placed if placed is not None else []).extend(
            place_captions(subs, faces_y or [], start, video.width, video.height))
    if title and title_seconds > 0:
        subs.styles["Title"] = subs.styles["Default"].copy()
        subs.styles["Title"].alignment = pysubs2.Alignment.TOP_CENTER
        subs.styles["Title"].marginv = round(0.12 * video.height)
        subs.append(pysubs2.SSAEvent(start=0, end=int(title_seconds * 1000),
                                     text=ass_text(title), style="Title"))
    return subs


def render_short(*, background: str | FootagePlan, narration: str, timeline: dict, plan: dict,
                 out: str, video: VideoOptions, style: SubtitleStyle, title: str = "",
                 title_seconds: float = 0.0, max_words: int = 3,
                 mix: AudioMix | None = None, engine: str = "ffmpeg", otio_out: str = "",
                 timeline_meta: dict | None = None, xml: bool = False) -> None:
    """One short over ``background`` (the portrait plan's path, or an edited timeline's plan,
    whose times are the short's own), and its timeline (``otio_out``) when given."""
    footage = background if isinstance(background, FootagePlan) else FootagePlan.load(background)
    placed: list[dict] = []
    subs = short_subs(timeline=timeline, plan=plan, video=video, style=style, title=title,
                      title_seconds=title_seconds, max_words=max_words,
                      faces_y=footage.crop.get("faces_y", []), placed=placed)
    duration = plan["end"] - plan["start"]
    renderer(engine)(footage=footage, audio=narration, subs=subs, out=out, duration=duration,
                     video=video, audio_start=plan["start"], mix=mix,
                     what=f"render short {plan['number']:02d}")
    if otio_out:
        write_video_timeline(otio_out, footage=footage, subs=subs, duration=duration,
                             video=video, narration=narration, audio_start=plan["start"],
                             mix=mix, meta={**(timeline_meta or {}), "captions": placed},
                             xml=xml)
