"""The long video rendered in pieces of N minutes, kept across kills, joined without re-encoding.

An hour at 1080p renders at about 0.8x real time on 2 cores (75 minutes: over the rule's time
limit), and a killed single pass starts again from zero. So a video longer than one piece is
rendered as pieces of ``piece_frames`` frames (the last one shorter), picture only, each with
the same footage, captions and encoder as the single pass would give those frames:

- the footage of frames ``a .. b`` (footage_window): a scenes plan from its narration time (as
  a short is), any other plan as its cuts (footage/cuts.py: where each clip's decoder is at
  frame ``a``), a generated background trimmed;
- the captions: the cues that touch the piece, burned at the video's own times (the piece's
  frames are moved to their place in the video before ``ass`` and back after);
- every piece starts with an IDR frame (a fresh encode) at an exact frame boundary, so the
  concat demuxer joins them with ``-c copy`` into exactly ``round(duration * fps)`` frames.

The sound (narration, music, original sound) is made in one pass over the whole length in the
join, so no join can be heard. Each finished piece is kept in ``folder`` (``.render-pieces``
beside the video: Snakemake does not remove it before a rerun) under a key made of everything
that makes it (the ffmpeg inputs with their size and date, its graph, its captions, the encoder,
ffmpeg's version, ``FORMAT``): a kill costs at most one piece, a rerun renders only the missing
ones, and a stale piece is never reused. The folder is removed once the video is finished.

The bytes differ from the single pass's (an IDR frame starts each piece), so the piece length
is tracked (render.piece_minutes reruns render_long); the frames are the same pictures.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pysubs2

from ..base.errors import DramaError
from ..base.fsutil import atomic_output
from ..base.media import ffmpeg_exe, filter_escape, run_ffmpeg
from ..footage.background import FootagePlan
from ..footage.cut_graph import cut_footage
from ..footage.cuts import Cut, plan_cuts
from ..footage.graph import fit_chain
from ..footage.scene_graph import scene_footage, window
from ..footage.scenes import Span
from . import loopback
from .fonts import verify_fonts
from .loopback import ffmpeg_version
from .options import SAMPLE_RATE, AudioMix, VideoOptions
from .sound import audio_graph, sound_inputs
from .videos import encoder_args, fonts_dir

log = logging.getLogger(__name__)

#: Bumped when what a piece holds changes for the same inputs (its graph is part of its key).
#: 2: the footage and the captions joined by a loopback decoder (render.loopback).
FORMAT = 2
#: The folder of the kept pieces, beside the video.
FOLDER = ".render-pieces"
#: The step name of the progress lines ("render_long: 40%", read by the live display).
STEP = "render_long"


def bounds(frames: int, piece_frames: int) -> list[tuple[int, int]]:
    """(first frame, frame count) of each piece: ``piece_frames`` each, the last one shorter."""
    if piece_frames <= 0:
        raise DramaError(f"piece length must be positive, got {piece_frames} frames")
    return [(a, min(piece_frames, frames - a)) for a in range(0, frames, piece_frames)]


def can_split(footage: FootagePlan, video: VideoOptions) -> bool:
    """Whether pieces show the same frames as the single pass. Crossfaded clips overlap their
    neighbours, which a cut list does not hold: such a plan is rendered in one pass."""
    crossfaded = video.crossfade > 0 and len(footage.clips) > 1
    return not (crossfaded and not footage.cuts and not footage.spans and not footage.lavfi)


def slice_cuts(cuts: list[Cut], a: int, n: int, fps: int) -> list[Cut]:
    """The cuts on screen at frames ``a .. a + n``, moved to start at frame 0 (a cut that began
    earlier starts where its source is at frame ``a``)."""
    out = []
    for c in cuts:
        s, e = max(c.start, a), min(c.end, a + n)
        if e <= s:
            continue
        skip = 0.0 if c.freeze else (s - c.start) / fps * c.speed
        out.append(replace(c, start=s - a, frames=e - s, src_start=c.src_start + skip))
    return out


def footage_window(footage: FootagePlan, all_cuts: list[Cut] | None, a: int, n: int,
                   video: VideoOptions) -> tuple[list[str], str]:
    """(input args, graph ending in ``[bg]``) of the footage of frames ``a .. a + n``."""
    w, h, fps = video.width, video.height, video.fps
    if footage.spans and window([Span(**x) for x in footage.spans], a / fps, n / fps):
        args, graph, _ = scene_footage(footage, a / fps, n / fps, w, h, fps, video.max_upscale)
        return args, graph
    if footage.spans:  # past the last sentence: the single pass holds its last frame
        all_cuts = plan_cuts(footage, (a + n) / fps, fps)
    if footage.lavfi:
        chain = (f"{fit_chain('cover', w, h, video.max_upscale)},setsar=1,fps={fps},"
                 f"format=yuv420p,setpts=PTS-STARTPTS,trim=start_frame={a}:end_frame={a + n},"
                 "setpts=PTS-STARTPTS")
        return (["-f", "lavfi", "-i", f"{footage.lavfi}:duration={(a + n) / fps + 1:.3f}"],
                f"[0:v]{chain}[bg]")
    cuts = slice_cuts(all_cuts or [], a, n, fps)
    part = FootagePlan(step=footage.step, cuts=[c.to_dict() for c in cuts])
    args, graph, _ = cut_footage(part, w, h, fps, video.max_upscale)
    return args, graph


def piece_subs(subs: pysubs2.SSAFile, a_ms: int, b_ms: int) -> pysubs2.SSAFile:
    """The cues that show during ``a_ms .. b_ms`` (video times kept), with the file's styles."""
    out = pysubs2.SSAFile()
    out.info = dict(subs.info)
    out.styles = {k: v.copy() for k, v in subs.styles.items()}
    out.events = [e.copy() for e in subs.events if e.end > a_ms and e.start < b_ms]
    return out


def _stat(arg: str) -> str:
    try:
        st = os.stat(arg)
    except OSError:
        return arg
    return f"{arg}|{st.st_size}|{st.st_mtime_ns}"


def piece_key(in_args: list[str], graph: str, ass_text: str, encoder: list[str],
              n: int) -> str:
    """Everything that makes a piece: its inputs (files with their size and date), its graph,
    its captions, the encoder, ffmpeg's version and this module's FORMAT."""
    blob = json.dumps({"format": FORMAT, "inputs": [_stat(x) for x in in_args],
                       "graph": graph, "ass": ass_text, "encoder": encoder, "frames": n,
                       "ffmpeg": ffmpeg_version(ffmpeg_exe())}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def render_piece(footage: FootagePlan, all_cuts: list[Cut] | None, subs: pysubs2.SSAFile,
                 a: int, n: int, video: VideoOptions, folder: Path,
                 progress: Callable[[float], None] | None = None) -> tuple[Path, bool]:
    """Piece ``a .. a + n`` (picture only) kept in ``folder``, and whether it was rendered now
    (False: kept from an earlier run). ``progress``: seconds of the piece done."""
    fps = video.fps
    in_args, graph = footage_window(footage, all_cuts, a, n, video)
    mine = piece_subs(subs, round(a * 1000 / fps), round((a + n) * 1000 / fps))
    ass_text = mine.to_string("ass")
    encoder = encoder_args(video)
    placeholder = "@ASS@"
    burn = (f"[bg]setpts=PTS-STARTPTS+{a}/({fps}*TB),"
            f"ass=filename={placeholder}:fontsdir={filter_escape(fonts_dir())},"
            f"tpad=stop_mode=clone:stop_duration=1,trim=end_frame={n},"
            f"setpts=PTS-STARTPTS[v]") if len(mine) else (
            "[bg]tpad=stop_mode=clone:stop_duration=1,"
            f"trim=end_frame={n},setpts=PTS-STARTPTS[v]")
    full = f"{graph};{burn}"
    key = piece_key(in_args, full, ass_text, encoder, n)
    path = folder / f"{key}.mp4"
    if path.is_file():
        log.info("%s: piece at frame %d kept from an earlier run (%s)", STEP, a, path.name)
        return path, False
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmpdir:
        ass = Path(tmpdir) / "subs.ass"
        ass.write_text(ass_text, encoding="utf-8")
        if len(mine):
            verify_fonts(ass, fonts_dir(), ffmpeg_exe())
        graph_args = loopback.graph_args(graph, burn.replace(placeholder,
                                                             filter_escape(str(ass))),
                                         fps, n, Path(tmpdir))
        with atomic_output(path) as tmp:
            run_ffmpeg([*in_args, *graph_args, "-map", "[v]", "-an", "-frames:v", str(n),
                        *encoder, "-f", "mp4", str(tmp)],
                       what=f"{STEP} piece at frame {a}", timeout=600 + 20 * n / fps,
                       progress=progress)
    return path, True


def join(paths: list[Path], footage: FootagePlan, audio: str, mix: AudioMix, out: str,
         frames: int, video: VideoOptions, what: str) -> None:
    """The pieces joined (``-c copy``) with the sound of the whole length, made in one pass."""
    length = frames / video.fps
    samples = round(length * SAMPLE_RATE)
    # The scenes' and cuts' own sound comes from the footage's inputs, numbered first.
    in_args: list[str] = []
    if mix.original and (footage.cuts or footage.spans):
        if footage.spans:
            args, _, _ = scene_footage(footage, 0.0, length, 16, 16, video.fps)
        else:
            args, _, _ = cut_footage(footage, 16, 16, video.fps)
        for arg in args:  # their sound only
            in_args += ["-vn", "-i"] if arg == "-i" else [arg]
    n_inputs = in_args.count("-i")
    sound = sound_inputs(footage, audio, mix, 0.0, length, video.fps, n_inputs, what)
    in_args += sound.args
    graph = ";".join([*([sound.scene_sound] if sound.scene_sound else []),
                      audio_graph(sound.voice_idx, samples, mix, sound.music_idx,
                                  sound.original_idx)])
    with tempfile.TemporaryDirectory() as tmpdir:
        listing = Path(tmpdir) / "pieces.txt"
        listing.write_text("".join("file '{}'\n".format(str(p.resolve()).replace("'", r"'\''"))
                                   for p in paths), encoding="utf-8")
        in_args += ["-f", "concat", "-safe", "0", "-i", str(listing)]
        with atomic_output(out) as tmp:
            run_ffmpeg([*in_args, "-filter_complex", graph, "-map", f"{sound.n_inputs}:v",
                        "-map", "[a]", "-c:v", "copy", "-frames:v", str(frames),
                        "-c:a", "aac", "-b:a", video.audio_bitrate, "-ar", str(SAMPLE_RATE),
                        "-movflags", "+faststart", "-f", "mp4", str(tmp)],
                       duration=length, what=f"{what} (join)")


class Percent:
    """Logs "render_long: NN%" of the whole video, every ``step`` percent (the live display
    reads it: workflow/progress/jobpercent.py)."""

    def __init__(self, frames: int, step: float = 5.0) -> None:
        self.frames, self.step, self.last = frames, step, -step

    def at(self, frame: float) -> None:
        pct = min(100.0, frame / self.frames * 100)
        if pct >= self.last + self.step or (pct == 100 and self.last < 100):
            log.info("%s: %.0f%%", STEP, pct)
            self.last = pct


def render_in_pieces(*, footage: FootagePlan, audio: str, subs: pysubs2.SSAFile,
                     out: str | os.PathLike[str], duration: float, video: VideoOptions,
                     piece_seconds: float, folder: str | os.PathLike[str] | None = None,
                     mix: AudioMix | None = None, what: str = "render long video") -> int:
    """Render ``out`` as pieces of ``piece_seconds`` joined; how many pieces were rendered now
    (the others were kept from an earlier run). Same frames and sound as videos.render."""
    if duration <= 0:
        raise DramaError(f"{what}: nothing to render (duration {duration:.2f} s)")
    mix = mix or AudioMix()
    frames = max(1, round(duration * video.fps))
    store = Path(folder) if folder is not None else Path(out).parent / FOLDER
    all_cuts = (None if footage.spans or footage.lavfi
                else plan_cuts(footage, frames / video.fps, video.fps,
                               seconds_per_clip=video.seconds_per_clip,
                               crossfade=video.crossfade))
    pieces = bounds(frames, max(1, round(piece_seconds * video.fps)))
    log.info("%s: %d frames in %d pieces of at most %.0f s, kept in %s", what, frames,
             len(pieces), piece_seconds, store)
    done = Percent(frames)
    paths, rendered = [], 0
    for a, n in pieces:
        path, made = render_piece(footage, all_cuts, subs, a, n, video, store,
                                  progress=lambda s, a=a: done.at(a + s * video.fps))
        rendered += made
        paths.append(path)
        done.at(a + n)
    join(paths, footage, audio, mix, str(out), frames, video, what)
    shutil.rmtree(store, ignore_errors=True)
    return rendered


def long_renderer(*, piece_minutes: float, duration: float, footage: FootagePlan,
                  video: VideoOptions, engine: str,
                  folder: str | os.PathLike[str]) -> Callable[..., None] | None:
    """The render of a long video in pieces (for videos.render_long's ``render_fn``), or None
    for today's single pass: a video no longer than one piece (nothing changes for it), the
    moviepy engine, a crossfaded plan (can_split), or pieces turned off (0)."""
    if (engine != "ffmpeg" or piece_minutes <= 0 or duration <= piece_minutes * 60
            or not can_split(footage, video)):
        shutil.rmtree(folder, ignore_errors=True)  # pieces of an earlier, longer narration
        return None

    def render_fn(**kw) -> None:
        kw.pop("audio_start", None)
        render_in_pieces(piece_seconds=piece_minutes * 60, folder=folder, **kw)

    return render_fn
