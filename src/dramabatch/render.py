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
from dataclasses import dataclass
from pathlib import Path

import pysubs2

from .background import FootagePlan
from .errors import DramaError
from .fonts import ass_text, verify_fonts
from .fsutil import atomic_output
from .media import ffmpeg_exe, filter_escape, probe, run_ffmpeg
from .subtitles import read_srt, to_ssa, word_cues

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
    #: Seconds of crossfade (xfade) between consecutive clips; 0 cuts.
    crossfade: float = 0.0


#: Output audio sample rate.
SAMPLE_RATE = 48000


@dataclass(frozen=True)
class AudioMix:
    """What plays under the narration. Empty paths leave the narration alone."""

    #: A music file, looped to the length, at ``music_volume`` (linear gain).
    music: str = ""
    music_volume: float = 0.15
    #: A media file whose own audio track (the drama's original sound) plays under the voice.
    original: str = ""
    original_volume: float = 0.5
    #: sidechaincompress settings: the narration pushes the bed down while it speaks.
    duck_threshold: float = 0.02
    duck_ratio: float = 8.0
    duck_attack_ms: float = 20.0
    duck_release_ms: float = 400.0

    @property
    def has_bed(self) -> bool:
        return bool(self.music or self.original)

    @classmethod
    def from_config(cls, cfg: dict, original: str = "") -> AudioMix:
        """From the ``audio:`` config section; ``original`` is the source (used if enabled)."""
        duck = cfg.get("ducking", {})
        return cls(music=cfg.get("music", "") or "",
                   music_volume=cfg.get("music_volume", 0.15),
                   original=original if cfg.get("original_audio", False) else "",
                   original_volume=cfg.get("original_volume", 0.5),
                   duck_threshold=duck.get("threshold", 0.02),
                   duck_ratio=duck.get("ratio", 8.0),
                   duck_attack_ms=duck.get("attack_ms", 20.0),
                   duck_release_ms=duck.get("release_ms", 400.0))


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
    """The folder of the caption fonts libass may use (never the system's fonts)."""
    from .fonts import caption_fonts_dir

    return caption_fonts_dir()


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
                   seconds_per_clip: float = 0.0,
                   crossfade: float = 0.0) -> tuple[list[str], list[tuple[int, float]]]:
    """ffmpeg input args for a footage plan and the (input index, seconds) pieces to join.

    Clips are used in order, each for at most ``seconds_per_clip`` (0: its whole length) and
    cycled when they are too few to cover ``duration``. Each distinct clip is one looped input,
    decoded once: a clip's later pieces continue where its previous piece stopped, so a 10-minute
    video cut every 5 s still opens one decoder per clip (memory stays flat with the length).
    The pieces' lengths add up to ``duration``; with a ``crossfade``, a piece too short to fade
    in and out is merged into the one before it.
    """
    if plan.lavfi:
        return ["-f", "lavfi", "-i", f"{plan.lavfi}:duration={duration + 1:.3f}"], [(0, duration)]
    if not plan.clips:
        raise DramaError("footage plan has no clips")
    pieces: list[tuple[int, float]] = []
    remaining, k = duration, 0
    while remaining > 1e-3:
        idx = k % len(plan.clips)
        clip = plan.clips[idx]
        length = clip.duration if clip.duration > 0.5 else duration
        if seconds_per_clip > 0:
            length = min(length, seconds_per_clip)
        if len(plan.clips) == 1:
            length = remaining  # one clip: loop it for the whole length
        length = min(length, remaining)
        if crossfade > 0 and remaining - length < 2 * crossfade:
            length = remaining  # no sliver of a clip at the end: this one runs to the end
        pieces.append((idx, length))
        remaining -= length
        k += 1
    used = sorted({idx for idx, _ in pieces})
    args: list[str] = []
    for idx in used:
        args += ["-stream_loop", "-1", "-i", plan.clips[idx].path]
    # Renumber to input positions (clips beyond the ones needed are never opened).
    position = {idx: n for n, idx in enumerate(used)}
    return args, [(position[idx], length) for idx, length in pieces]


def background_graph(pieces: list[tuple[int, float]], w: int, h: int, fps: int,
                     crossfade: float = 0.0) -> str:
    """Scale each input to cover the frame, crop, cut it into its pieces, and join them.

    Piece boundaries are whole frames. Each input is scaled once and split into consecutive
    pieces by the ``segment`` filter (one decoder per clip, however many pieces). Without
    ``crossfade`` the pieces are concatenated. With it, each piece but the last runs
    ``crossfade`` seconds longer and overlaps the next one by that much (xfade), so the joined
    length is still the sum of the pieces' lengths.
    """
    fade = crossfade if len(pieces) > 1 else 0.0
    if fade > 0:
        # A fade never takes more than half of the shortest piece.
        fade = min(fade, 0.5 * min(length for _, length in pieces))
    fade_frames = round(fade * fps)
    # Frame boundaries of the joined result, and each piece's own length in frames.
    bounds, acc = [0], 0.0
    for _, length in pieces:
        acc += length
        bounds.append(round(acc * fps))
    frames = [bounds[k + 1] - bounds[k] + (fade_frames if k < len(pieces) - 1 else 0)
              for k in range(len(pieces))]
    cover = (f"scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},setsar=1,"
             f"fps={fps},format=yuv420p,setpts=PTS-STARTPTS")
    parts = []
    for idx in sorted({idx for idx, _ in pieces}):
        mine = [k for k, (i, _) in enumerate(pieces) if i == idx]
        if len(mine) == 1:
            parts.append(f"[{idx}:v]{cover},trim=end_frame={frames[mine[0]]}[p{mine[0]}]")
            continue
        cuts, at = [], 0
        for k in mine[:-1]:
            at += frames[k]
            cuts.append(str(at))
        outs = "".join(f"[s{k}]" for k in mine)
        parts.append(f"[{idx}:v]{cover},segment=frames={'|'.join(cuts)}{outs}")
        parts += [f"[s{k}]setpts=PTS-STARTPTS,trim=end_frame={frames[k]}[p{k}]" for k in mine]
    if len(pieces) == 1:
        return ";".join(parts).replace("[p0]", "[bg]")
    if fade_frames <= 0:
        labels = "".join(f"[p{k}]" for k in range(len(pieces)))
        return ";".join(parts) + f";{labels}concat=n={len(pieces)}:v=1:a=0[bg]"
    chain, prev = [], "p0"
    for k in range(1, len(pieces)):
        label = "bg" if k == len(pieces) - 1 else f"x{k}"
        chain.append(f"[{prev}][p{k}]xfade=transition=fade:duration={fade_frames / fps:.6f}"
                     f":offset={bounds[k] / fps:.6f}[{label}]")
        prev = label
    return ";".join(parts + chain)


def audio_graph(voice_idx: int, samples: int, mix: AudioMix, music_idx: int | None,
                original_idx: int | None) -> str:
    """The narration (exactly ``samples`` long at 48 kHz), with the ducked bed mixed under it."""
    fmt = f"aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"
    exact = f"apad,atrim=end_sample={samples},asetpts=N/SR/TB"
    voice = f"[{voice_idx}:a]asetpts=PTS-STARTPTS,{fmt},{exact}"
    beds = []
    if music_idx is not None:
        beds.append(f"[{music_idx}:a]asetpts=PTS-STARTPTS,{fmt},volume={mix.music_volume},"
                    f"{exact}[music]")
    if original_idx is not None:
        beds.append(f"[{original_idx}:a]asetpts=PTS-STARTPTS,{fmt},"
                    f"volume={mix.original_volume},{exact}[orig]")
    if not beds:
        return voice + "[a]"
    parts = [voice + ",asplit=2[voice][key]", *beds]
    labels = [b[b.rindex("["):] for b in beds]
    if len(labels) == 2:
        parts.append(f"{''.join(labels)}amix=inputs=2:normalize=0:duration=first[bed]")
        bed = "[bed]"
    else:
        bed = labels[0]
    parts.append(f"{bed}[key]sidechaincompress=threshold={mix.duck_threshold}"
                 f":ratio={mix.duck_ratio}:attack={mix.duck_attack_ms}"
                 f":release={mix.duck_release_ms}[ducked]")
    parts.append(f"[voice][ducked]amix=inputs=2:normalize=0:duration=first,{exact}[a]")
    return ";".join(parts)


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
    in_args, pieces = footage_inputs(footage, length, video.fps, video.seconds_per_clip,
                                     video.crossfade)
    n_inputs = 1 if footage.lavfi else len({idx for idx, _ in pieces})
    in_args += ["-ss", f"{audio_start:.3f}", "-t", f"{length + 0.5:.3f}", "-i", audio]
    voice_idx, n_inputs = n_inputs, n_inputs + 1
    music_idx = original_idx = None
    if mix.music:
        if not Path(mix.music).is_file():
            raise DramaError(f"background music file not found: {mix.music}")
        in_args += ["-stream_loop", "-1", "-i", mix.music]
        music_idx, n_inputs = n_inputs, n_inputs + 1
    if mix.original:
        if probe(mix.original).has_audio:
            in_args += ["-stream_loop", "-1", "-ss", f"{audio_start:.3f}", "-i", mix.original]
            original_idx, n_inputs = n_inputs, n_inputs + 1
        else:
            log.warning("%s: the source has no audio track; no original audio under the voice",
                        what)
    with tempfile.TemporaryDirectory() as tmpdir:
        ass = Path(tmpdir) / "subs.ass"
        subs.save(str(ass), encoding="utf-8")
        if len(subs):  # libass says which font it will use; another family fails the job
            verify_fonts(ass, fonts_dir(), ffmpeg_exe())
        graph = ";".join([
            background_graph(pieces, w, h, video.fps, video.crossfade),
            # Cloning the last frame then trimming makes the picture exactly ``frames`` long.
            f"[bg]ass=filename={filter_escape(str(ass))}:fontsdir={filter_escape(fonts_dir())},"
            f"tpad=stop_mode=clone:stop_duration=1,trim=end_frame={frames},"
            f"setpts=PTS-STARTPTS[v]",
            audio_graph(voice_idx, samples, mix, music_idx, original_idx),
        ])
        with atomic_output(out) as tmp:
            run_ffmpeg(
                [*in_args,
                 "-filter_complex", graph, "-map", "[v]", "-map", "[a]",
                 "-frames:v", str(frames), *_encoder_args(video),
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


def video_options(render_cfg: dict, kind: str, threads: int = 0) -> VideoOptions:
    """VideoOptions from the ``render:`` config section; ``kind`` is 'long' or 'short'."""
    return VideoOptions(width=render_cfg[kind]["width"], height=render_cfg[kind]["height"],
                        fps=render_cfg["fps"], crf=render_cfg["crf"],
                        preset=render_cfg["preset"], encoder=render_cfg["encoder"],
                        threads=threads,
                        seconds_per_clip=render_cfg.get("seconds_per_clip", 0.0),
                        crossfade=render_cfg.get("crossfade", 0.0))


def render_long(*, background: str, narration: str, srt: str, out: str, duration: float,
                video: VideoOptions, style: SubtitleStyle, mix: AudioMix | None = None,
                engine: str = "ffmpeg") -> None:
    renderer(engine)(footage=FootagePlan.load(background), audio=narration,
           subs=long_subs(srt, video, style), out=out, duration=duration, video=video, mix=mix,
           what="render long video")


def short_subs(*, timeline: dict, plan: dict, video: VideoOptions, style: SubtitleStyle,
               title: str = "", title_seconds: float = 0.0,
               max_words: int = 3) -> pysubs2.SSAFile:
    """Word-chunked captions of one short (times relative to its start), plus the title card."""
    start, end = plan["start"], plan["end"]
    subs = to_ssa(word_cues(timeline["segments"], max_words), offset=start, clip=(start, end))
    subs = styled(subs, style, video.width, video.height)
    if title and title_seconds > 0:
        subs.styles["Title"] = subs.styles["Default"].copy()
        subs.styles["Title"].alignment = pysubs2.Alignment.TOP_CENTER
        subs.styles["Title"].marginv = round(0.12 * video.height)
        subs.append(pysubs2.SSAEvent(start=0, end=int(title_seconds * 1000),
                                     text=ass_text(title), style="Title"))
    return subs


def render_short(*, background: str, narration: str, timeline: dict, plan: dict, out: str,
                 video: VideoOptions, style: SubtitleStyle, title: str = "",
                 title_seconds: float = 0.0, max_words: int = 3,
                 mix: AudioMix | None = None, engine: str = "ffmpeg") -> None:
    subs = short_subs(timeline=timeline, plan=plan, video=video, style=style, title=title,
                      title_seconds=title_seconds, max_words=max_words)
    renderer(engine)(footage=FootagePlan.load(background), audio=narration, subs=subs, out=out,
           duration=plan["end"] - plan["start"], video=video, audio_start=plan["start"],
           mix=mix, what=f"render short {plan['number']:02d}")
