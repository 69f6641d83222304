"""The long video in pieces (render/pieces.py): frame-exact joins without re-encoding, pieces
kept across a kill -9 and never reused stale, the same pictures as the single pass.

The footage encodes its own frame number (time-coded stripes), so which source frame each
output frame shows is read back after encoding: a join that drops or repeats a frame shows up
as a skipped or repeated code, a piece started at the wrong frame as a jump.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pysubs2
import pytest

from dramabatch.base.media import ffmpeg_exe
from dramabatch.footage.background import Clip, FootagePlan
from dramabatch.render.options import SubtitleStyle, VideoOptions
from dramabatch.render.pieces import bounds, long_renderer, render_in_pieces, render_piece
from dramabatch.render.videos import render, styled
from dramabatch.workflow.progress.jobpercent import last_progress
from dramabatch_testkit import timecode
from dramabatch_testkit.media import encode_gray

W, H, BITS, FPS = 160, 90, 7, 30
SOURCE_FRAMES = 128
#: 3.5 s at 30 fps: 105 frames, pieces of 1 s: 30 + 30 + 30 + 15
DURATION, PIECE_S = 3.5, 1.0


def caption(start_ms: int, end_ms: int, text: str) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    subs.append(pysubs2.SSAEvent(start=start_ms, end=end_ms, text=text))
    return styled(subs, SubtitleStyle(size=0.12), W, H)


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """A time-coded clip (frame n shows n) longer than the video, and a narration track."""
    d = tmp_path_factory.mktemp("pieces")
    clip = encode_gray(timecode.coded_frames(0, SOURCE_FRAMES, W, H, BITS), d / "tc.mp4", FPS)
    wav = d / "n.wav"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    "sine=f=300:d=5", "-ar", "24000", str(wav)], check=True)
    plan = FootagePlan(step="local", clips=[Clip(str(clip), SOURCE_FRAMES / FPS, "cover")])
    return plan, str(wav)


def frames_of(path: Path) -> np.ndarray:
    out = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "rawvideo",
                          "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(out, np.uint8).reshape(-1, H, W).astype(np.int16)


def packets(path: Path) -> tuple[list[float], list[int]]:
    """Every video packet's presentation time (sorted) and the frame numbers of the keyframes."""
    with av.open(str(path)) as c:
        st = c.streams.video[0]
        pk = [(float(p.pts * st.time_base), p.is_keyframe) for p in c.demux(st)
              if p.pts is not None]
    return sorted(t for t, _ in pk), sorted(round(t * FPS) for t, key in pk if key)


def video(**kw) -> VideoOptions:
    return VideoOptions(W, H, FPS, **kw)


def test_joined_pieces_are_frame_exact_and_show_the_single_pass_pictures(media, tmp_path,
                                                                          caplog):
    plan, wav = media
    subs = caption(800, 1300, "Across the join")  # on screen over the join at frame 30
    one, joined = tmp_path / "one.mp4", tmp_path / "pieces.mp4"
    render(footage=plan, audio=wav, subs=subs, out=one, duration=DURATION, video=video())
    with caplog.at_level(logging.INFO, logger="dramabatch.render.pieces"):
        made = render_in_pieces(footage=plan, audio=wav, subs=subs, out=joined,
                                duration=DURATION, video=video(), piece_seconds=PIECE_S,
                                folder=tmp_path / "store")
    frames = round(DURATION * FPS)
    starts = [a for a, _ in bounds(frames, round(PIECE_S * FPS))]
    assert made == len(starts) == 4
    # exactly round(duration * fps) frames, evenly timed, each piece opening on a keyframe
    times, keys = packets(joined)
    assert len(times) == frames
    assert max(abs(t - k / FPS) for k, t in enumerate(times)) < 1e-6
    assert set(starts) <= set(keys)
    # frame k shows source frame k: no frame dropped or repeated at a join
    codes = [round(c * FPS) for c in timecode.read_codes(joined, W, H, BITS, FPS)]
    assert codes == list(range(frames))
    # the same pictures as the single pass, captions included (burned at the video's times)
    a, b = frames_of(one), frames_of(joined)
    assert a.shape == b.shape
    assert np.abs(a - b).mean(axis=(1, 2)).max() < 3
    # the caption (0.8-1.3 s: frames 24-38) is burned where the time code alone is not
    ideal = np.stack(timecode.coded_frames(0, frames, W, H, BITS)).astype(np.int16)
    off = np.abs(b - ideal)[:, 60:, 10:150].mean(axis=(1, 2))
    assert (off[24:39] > 3 * off[:20].max() + 2).all() and off[45:].max() < off[24:39].min()
    # the sound is the whole length in one pass, as long as the single pass's
    with av.open(str(joined)) as c, av.open(str(one)) as d:
        assert c.streams.audio[0].frames == d.streams.audio[0].frames > 0
    # progress of the whole video, as the live display reads it, up to 100 %
    steps = [last_progress(f"{r.name}: {r.getMessage()}") for r in caplog.records]
    pct = [p for s, p in filter(None, steps) if s == "render_long"]
    assert pct and pct == sorted(pct) and pct[-1] == 100
    assert not (tmp_path / "store").exists()  # pieces removed once the video is finished


CHILD = """
import sys
from dramabatch.footage.background import FootagePlan, Clip
from dramabatch.render.pieces import render_in_pieces
from test_render_pieces import caption, video
plan = FootagePlan(step="local", clips=[Clip(sys.argv[1], float(sys.argv[2]), "cover")])
render_in_pieces(footage=plan, audio=sys.argv[3], subs=caption(800, 1300, "Across the join"),
                 out=sys.argv[4], duration=float(sys.argv[5]), video=video(),
                 piece_seconds=float(sys.argv[6]), folder=sys.argv[7])
"""


def finished(store: Path) -> list[Path]:
    return [p for p in store.glob("*.mp4") if not p.name.startswith(".")]


def test_a_killed_render_redoes_only_missing_pieces_and_no_stale_one(media, tmp_path):
    plan, wav = media
    store, out = tmp_path / "store", tmp_path / "long.mp4"
    piece_s = 0.5  # 7 pieces of 15 frames
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, "-c", CHILD, plan.clips[0].path,
                              str(plan.clips[0].duration), wav, str(out), str(DURATION),
                              str(piece_s), str(store)], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(finished(store)) < 2:
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    kept = finished(store)  # (a piece cut off mid-write is a hidden part file)
    assert len(kept) >= 2 and not out.exists()
    # a stale piece (another caption in the first piece's time) is never reused
    changed = caption(100, 400, "Another line")
    changed.events += caption(800, 1300, "Across the join").events
    total = len(bounds(round(DURATION * FPS), round(piece_s * FPS)))
    made = render_in_pieces(footage=plan, audio=wav, subs=changed, out=out, duration=DURATION,
                            video=video(), piece_seconds=piece_s, folder=store)
    assert made == total - len(kept) + 1
    codes = [round(c * FPS) for c in timecode.read_codes(out, W, H, BITS, FPS)]
    assert codes == list(range(round(DURATION * FPS)))
    assert not store.exists()


def test_a_kept_piece_is_used_as_it_is(media, tmp_path):
    plan, wav = media
    subs = caption(800, 1300, "Across the join")
    store = tmp_path / "store"
    first, made = render_piece(plan, None if plan.spans else _cuts(plan), subs, 0, 30, video(),
                               store)
    assert made
    again, made_again = render_piece(plan, _cuts(plan), subs, 0, 30, video(), store)
    assert again == first and not made_again
    other, made_other = render_piece(plan, _cuts(plan), subs, 0, 30, video(crf=30), store)
    assert other != first and made_other  # another encoder setting: another piece


def _cuts(plan: FootagePlan):
    from dramabatch.footage.cuts import plan_cuts

    return plan_cuts(plan, DURATION, FPS)


def test_only_videos_longer_than_one_piece_render_in_pieces(media, tmp_path):
    plan, _ = media
    store = tmp_path / "store"
    store.mkdir()
    kw = {"footage": plan, "video": video(), "folder": store}
    assert long_renderer(piece_minutes=5, duration=299.0, engine="ffmpeg", **kw) is None
    assert not store.exists()  # an earlier, longer narration's pieces are dropped
    assert long_renderer(piece_minutes=5, duration=301.0, engine="ffmpeg", **kw) is not None
    assert long_renderer(piece_minutes=0, duration=3600.0, engine="ffmpeg", **kw) is None
    assert long_renderer(piece_minutes=5, duration=3600.0, engine="moviepy", **kw) is None
    two = FootagePlan(step="local", clips=plan.clips * 2)
    assert long_renderer(piece_minutes=5, duration=3600.0, engine="ffmpeg", footage=two,
                         video=video(crossfade=0.5), folder=store) is None


@pytest.mark.slow
def test_a_scenes_plan_in_pieces_shows_and_sounds_as_the_single_pass(tmp_path):
    """The drama's own scenes under each sentence, with their own sound (audio.original_audio):
    pieces cut through sentences and pauses, the frames and the sound match the single pass."""
    from test_render import decoded_audio
    from test_scenes import timecoded_video, timeline_of

    from dramabatch.base.media import run_ffmpeg
    from dramabatch.footage.scene_plan import scenes_background
    from dramabatch.render.options import AudioMix

    picture = timecoded_video(tmp_path / "picture.mp4")  # 20 fps, 8 stripes, 12 s
    source = tmp_path / "source.mp4"
    run_ffmpeg(["-i", str(picture), "-f", "lavfi", "-i", "sine=f=500:d=12:r=48000",
                "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", str(source)],
               what="test source")
    voice = tmp_path / "voice.mp3"
    run_ffmpeg(["-f", "lavfi", "-i", "sine=f=3000:d=6:r=48000", "-af",
                "volume='if(between(t,2,3)+between(t,5,6),0,4)':eval=frame", "-c:a",
                "libmp3lame", str(voice)], what="test voice")
    plan = scenes_background(str(source), timeline_of([(0, 3, (1, 4)), (3, 6, (6, 9))]),
                             "landscape", (W, H), {"subtitle_band": "none"})
    opts = VideoOptions(W, H, fps=15, preset="ultrafast")
    mix = AudioMix(original=str(source), original_volume=0.5)
    one, joined = tmp_path / "one.mp4", tmp_path / "pieces.mp4"
    # 6.5 s: the last piece (6.0-6.5 s) is past the last sentence, its last frame held
    render(footage=plan, audio=str(voice), subs=pysubs2.SSAFile(), out=one, duration=6.5,
           video=opts, mix=mix)
    made = render_in_pieces(footage=plan, audio=str(voice), subs=pysubs2.SSAFile(), out=joined,
                            duration=6.5, video=opts, mix=mix, piece_seconds=2.0,
                            folder=tmp_path / "store")
    assert made == 4  # 3 x 30 frames + 8: cuts inside both sentences, the last one past them
    read = [timecode.read_codes(p, W, H, 8, 20) for p in (one, joined)]
    assert len(read[1]) == len(read[0]) == 98
    # the same source frame, or its neighbour where a moved frame falls between two output
    # frames (the run is read from another seek point); a frame lost or repeated at a join
    # would shift what follows by 1.2 source frames
    off = [abs(x - y) for x, y in zip(*read, strict=True)]
    assert max(off[:90]) <= 1 / 20 + 1e-6 and sum(x > 0 for x in off) <= len(off) // 3
    assert max(off[90:]) <= 2 / 20 + 1e-6  # the held last frame: the stretch's end, +-2
    (a, rate), (b, _) = decoded_audio(one), decoded_audio(joined)
    assert len(a) == len(b) >= 6.5 * rate and np.abs(a - b).max() < 1e-4
