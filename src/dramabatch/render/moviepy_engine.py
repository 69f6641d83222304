"""The moviepy engine (``render.engine: moviepy``): the same outputs, composed in Python.

For users who extend compositions in Python (moviepy 2.x). It takes exactly what the ffmpeg engine
takes (footage plan, narration window, the styled pysubs2 captions, audio bed) and produces the
same kind of file: background clips cover-scaled, cropped and concatenated (optionally
crossfaded) to the narration length, subtitles drawn with the packaged Montserrat font, the bed
ducked under the voice, H.264 yuv420p / AAC 48 kHz, +faststart, written atomically.

It is much slower than the single ffmpeg graph (every frame passes through numpy), which is why it
is not the default; ``benchmarks/render.py`` measures by how much.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path

import numpy as np
import pysubs2

from ..base.errors import DramaError
from ..base.fsutil import atomic_output
from ..base.media import ffmpeg_exe, probe
from ..footage.background import FootagePlan
from ..footage.graph import footage_inputs
from .caption_images import text_image
from .fonts import ass_plain
from .options import SAMPLE_RATE, AudioMix, VideoOptions

log = logging.getLogger(__name__)


def _moviepy():
    # moviepy reads IMAGEIO_FFMPEG_EXE when first imported: use the same ffmpeg as the pipeline.
    os.environ.setdefault("IMAGEIO_FFMPEG_EXE", ffmpeg_exe())
    import moviepy

    return moviepy


def _cover(clip, w: int, h: int):
    """Scale ``clip`` to cover w x h, then crop the centre."""
    scale = max(w / clip.w, h / clip.h)
    nw, nh = max(w, round(clip.w * scale)), max(h, round(clip.h * scale))
    return clip.resized((nw, nh)).cropped(x_center=nw / 2, y_center=nh / 2, width=w, height=h)


def _fill(clip, w: int, h: int, fit: str, max_upscale: float):
    """``clip`` filling w x h as the ffmpeg graph does it (``footage_graph.fit_chain``)."""
    if fit == "cover":
        return _cover(clip, w, h)
    mp = _moviepy()
    scale = min(w / clip.w, h / clip.h, max_upscale)
    fg = clip.resized((max(2, round(clip.w * scale / 2) * 2),
                       max(2, round(clip.h * scale / 2) * 2)))
    if fit == "bars":
        bg = mp.ColorClip((w, h), color=(0, 0, 0), duration=clip.duration)
    else:
        from PIL import Image, ImageFilter

        small = _cover(clip, max(2, w // 8), max(2, h // 8))

        def blurred(frame: np.ndarray) -> np.ndarray:
            img = Image.fromarray(frame).filter(ImageFilter.BoxBlur(4))
            return np.asarray(img.resize((w, h), Image.BILINEAR))

        bg = small.image_transform(blurred)
    return mp.CompositeVideoClip([bg, fg.with_position("center")], size=(w, h))


def _gradient(lavfi: str, w: int, h: int, duration: float):
    """The generated background (a lavfi ``gradients`` spec) as a slowly moving numpy gradient."""
    mp = _moviepy()
    colours = dict(re.findall(r"(c[01])=0x([0-9a-fA-F]{6})", lavfi))
    c0 = np.array([int(colours.get("c0", "202040")[i:i + 2], 16) for i in (0, 2, 4)], float)
    c1 = np.array([int(colours.get("c1", "402020")[i:i + 2], 16) for i in (0, 2, 4)], float)
    xs = np.linspace(0, 1, w)[None, :, None]
    ys = np.linspace(0, 1, h)[:, None, None]

    def frame(t: float) -> np.ndarray:
        phase = 0.5 + 0.5 * np.sin(t * 0.3)
        mix = np.clip(0.5 * (xs + ys) * (0.5 + phase), 0, 1)
        return (c0 * (1 - mix) + c1 * mix).astype(np.uint8)

    return mp.VideoClip(frame_function=frame, duration=duration)


def _background(plan: FootagePlan, video: VideoOptions, length: float):
    mp = _moviepy()
    w, h = video.width, video.height
    if plan.lavfi:
        return _gradient(plan.lavfi, w, h, length), []
    if plan.spans or plan.cuts:
        raise DramaError(f"the '{plan.step}' background (time-mapped source, subtitle band, "
                         "reframed shorts, edited cuts) is rendered by render.engine: ffmpeg only")
    _, pieces = footage_inputs(plan, length, video.fps, video.seconds_per_clip, video.crossfade)
    fade = video.crossfade if len(pieces) > 1 else 0.0
    if fade > 0:
        fade = min(fade, 0.5 * min(piece for _, piece in pieces))
    # One reader per distinct clip, looped; its pieces follow on from each other (as in ffmpeg).
    extras = [fade if k < len(pieces) - 1 else 0.0 for k in range(len(pieces))]
    needed: dict[int, float] = {}
    for (idx, piece), extra in zip(pieces, extras, strict=True):
        needed[idx] = needed.get(idx, 0.0) + piece + extra
    sources, looped = [], {}
    for idx, total in needed.items():
        src = mp.VideoFileClip(plan.clips[idx].path, audio=False)
        sources.append(src)
        looped[idx] = _fill(src, w, h, plan.clips[idx].fit, video.max_upscale).with_effects(
            [mp.vfx.Loop(duration=total + 1)])
    used = dict.fromkeys(needed, 0.0)
    layers, start = [], 0.0
    for k, ((idx, piece), extra) in enumerate(zip(pieces, extras, strict=True)):
        part = looped[idx].subclipped(used[idx], used[idx] + piece + extra).with_start(start)
        used[idx] += piece + extra
        if fade > 0 and k > 0:
            part = part.with_effects([mp.vfx.CrossFadeIn(fade)])
        layers.append(part)
        start += piece
    return mp.CompositeVideoClip(layers, size=(w, h)).with_duration(length), sources


def _captions(subs: pysubs2.SSAFile, w: int, h: int) -> list:
    """One image clip per subtitle event, placed like its ASS style (bottom, middle or top)."""
    mp = _moviepy()
    clips = []
    for event in subs:
        text = ass_plain(event.text).strip()
        if not text or event.end <= event.start:
            continue
        style = subs.styles.get(event.style, subs.styles.get("Default", pysubs2.SSAStyle()))
        # a cue placed beside a face (long_captions) has its own box: wrapped and centred in it
        own = bool(event.marginl or event.marginr)
        left = int(event.marginl or style.marginl)
        box_w = max(16, w - left - int(event.marginr or style.marginr))
        rgba = text_image(text, style, box_w)
        clip = mp.ImageClip(rgba[:, :, :3]).with_mask(
            mp.ImageClip(rgba[:, :, 3] / 255.0, is_mask=True))
        clip_h, clip_w = rgba.shape[:2]
        align = int(style.alignment)
        if align in (1, 2, 3):  # bottom; a caption placed clear of faces has its own margin
            y = h - int(event.marginv or style.marginv) - clip_h
        elif align in (7, 8, 9):  # top
            y = int(style.marginv)
        else:
            y = (h - clip_h) // 2
        start, end = event.start / 1000, event.end / 1000
        clips.append(clip.with_start(start).with_duration(end - start)
                     .with_position((left + (box_w - clip_w) // 2 if own else (w - clip_w) // 2,
                                     max(0, y))))
    return clips


def _duck_gain(voice, mix: AudioMix, length: float, step: float = 0.02):
    """Per-``step`` gain for the bed, from the voice's level (a sidechain compressor in numpy)."""
    frames = max(1, int(np.ceil(length / step)))
    level = np.zeros(frames)
    for k in range(frames):
        t0 = k * step
        if t0 >= voice.duration:
            break
        chunk = voice.subclipped(t0, min(voice.duration, t0 + step)).to_soundarray(fps=8000)
        if len(chunk):
            level[k] = float(np.sqrt(np.mean(np.square(chunk))))
    over = np.maximum(level / mix.duck_threshold, 1.0)
    target = over ** (1 / mix.duck_ratio - 1)  # gain that leaves threshold * over^(1/ratio)
    attack = 1 - np.exp(-step * 1000 / max(1.0, mix.duck_attack_ms))
    release = 1 - np.exp(-step * 1000 / max(1.0, mix.duck_release_ms))
    gain, g = np.ones(frames), 1.0
    for k in range(frames):
        g += (target[k] - g) * (attack if target[k] < g else release)
        gain[k] = g
    return gain


def _audio(audio: str, audio_start: float, length: float, mix: AudioMix, what: str):
    mp = _moviepy()
    narration = mp.AudioFileClip(audio, fps=SAMPLE_RATE)
    voice = narration.subclipped(min(audio_start, narration.duration),
                                 min(audio_start + length, narration.duration))
    closers = [narration]
    beds = []
    if mix.music:
        if not Path(mix.music).is_file():
            raise DramaError(f"background music file not found: {mix.music}")
        music = mp.AudioFileClip(mix.music, fps=SAMPLE_RATE)
        closers.append(music)
        beds.append(music.with_effects([mp.afx.AudioLoop(duration=length)])
                    .with_volume_scaled(mix.music_volume))
    if mix.original:
        if probe(mix.original).has_audio:
            orig = mp.AudioFileClip(mix.original, fps=SAMPLE_RATE)
            closers.append(orig)
            start = audio_start % max(orig.duration, 1e-3)
            beds.append(orig.with_effects([mp.afx.AudioLoop(duration=start + length)])
                        .subclipped(start, start + length)
                        .with_volume_scaled(mix.original_volume))
        else:
            log.warning("%s: the source has no audio track; no original audio under the voice",
                        what)
    if not beds:
        return mp.CompositeAudioClip([voice]).with_duration(length), closers
    gain = _duck_gain(voice, mix, length)

    def duck(get_frame, t):
        frame = get_frame(t)
        k = np.clip((np.asarray(t) / 0.02).astype(int), 0, len(gain) - 1)
        g = gain[k]
        return frame * (g[:, None] if np.ndim(g) else g)

    bed = mp.CompositeAudioClip(beds).with_duration(length).transform(duck, keep_duration=True)
    return mp.CompositeAudioClip([voice, bed]).with_duration(length), closers


def render(*, footage: FootagePlan, audio: str, subs: pysubs2.SSAFile,
           out: str | os.PathLike[str], duration: float, video: VideoOptions,
           audio_start: float = 0.0, mix: AudioMix | None = None,
           what: str = "render") -> None:
    """Same contract as :func:`dramabatch.render.videos.render`, composed with moviepy."""
    if duration <= 0:
        raise DramaError(f"{what}: nothing to render (duration {duration:.2f} s)")
    if video.encoder != "libx264":
        raise DramaError(f"{what}: the moviepy engine encodes with libx264 only")
    mp = _moviepy()
    mix = mix or AudioMix()
    frames = max(1, round(duration * video.fps))
    length = frames / video.fps
    log.info("%s (moviepy): %dx%d, %.2f s", what, video.width, video.height, length)
    sources: list = []
    closers: list = []
    final = None
    try:
        background, sources = _background(footage, video, length)
        sound, closers = _audio(audio, audio_start, length, mix, what)
        final = mp.CompositeVideoClip([background, *_captions(subs, video.width, video.height)],
                                      size=(video.width, video.height))
        final = final.with_duration(length).with_audio(sound)
        with tempfile.TemporaryDirectory() as tmpdir, atomic_output(out) as tmp:
            final.write_videofile(
                str(tmp), fps=video.fps, codec="libx264", preset=video.preset,
                audio_codec="aac", audio_fps=SAMPLE_RATE, audio_bitrate=video.audio_bitrate,
                temp_audiofile=str(Path(tmpdir) / "audio.m4a"),
                threads=video.threads or None, logger=None, pixel_format="yuv420p",
                ffmpeg_params=["-crf", str(video.crf), "-movflags", "+faststart",
                               "-f", "mp4"])
    except DramaError:
        raise
    except (OSError, ValueError, RuntimeError, KeyError, IndexError) as exc:
        detail = " ".join(str(exc).split())[-500:]
        raise DramaError(f"{what} failed (moviepy): {exc.__class__.__name__}: {detail}") from exc
    finally:
        for clip in [final, *sources, *closers]:
            if clip is not None:
                clip.close()
    log.info("%s: done", what)
