"""render.engine: moviepy gives the same outputs as the ffmpeg graph (tiny real renders)."""

import numpy as np
import pysubs2
import pytest

from dramabatch.base.errors import DramaError
from dramabatch.base.media import probe, run_ffmpeg
from dramabatch.footage.background import Clip, FootagePlan, generated
from dramabatch.render.caption_images import font_path
from dramabatch.render.moviepy_engine import render as moviepy_render
from dramabatch.render.options import AudioMix, SubtitleStyle, VideoOptions
from dramabatch.render.videos import render, render_long, renderer, styled
from dramabatch_testkit.media import check_video

ENGINES = ["ffmpeg", "moviepy"]


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    d = tmp_path_factory.mktemp("mp")
    run_ffmpeg(["-f", "lavfi", "-i", "sine=f=440:d=5:r=48000", "-af", "volume=4",
                "-c:a", "libmp3lame", str(d / "voice.mp3")], what="voice")
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=0x202020:s=320x240:r=15:d=2", "-c:v", "libx264",
                "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(d / "clip.mp4")], what="clip")
    (d / "x.srt").write_text("1\n00:00:00,000 --> 00:00:01,500\nMMMM WWWW\n\n", encoding="utf-8")
    return d


def frames_luma(path):
    """Per frame: (time, luma array)."""
    import av

    with av.open(str(path)) as c:
        return [(f.time, f.to_ndarray(format="gray")) for f in c.decode(video=0)]


def check_streams(path, width, height, duration):
    check_video(path, width, height, duration)
    data = path.read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat"), "+faststart: moov before mdat"


def test_engine_dispatch():
    assert renderer("ffmpeg") is render
    assert renderer("moviepy") is moviepy_render
    with pytest.raises(DramaError, match="unknown render engine"):
        renderer("blender")


def test_packaged_font_is_used():
    assert font_path().endswith("Montserrat[wght].ttf")
    from pathlib import Path

    assert Path(font_path()).is_file()


@pytest.mark.parametrize("engine", ENGINES)
def test_long_video_same_contract_both_engines(media, tmp_path, engine):
    out = tmp_path / f"{engine}.mp4"
    render_long(background=_plan(media, tmp_path), narration=str(media / "voice.mp3"),
                srt=str(media / "x.srt"), out=str(out), duration=3.0,
                video=VideoOptions(160, 90, fps=15, preset="ultrafast"),
                style=SubtitleStyle(size=0.18), engine=engine)
    check_streams(out, 160, 90, 3.0)
    frames = frames_luma(out)
    assert len(frames) == 45
    bottom = [(t, f[45:, :].max()) for t, f in frames]
    top = [(t, f[:35, :].max()) for t, f in frames]
    # White subtitle in the lower half while the cue is up, and not after; never at the top.
    assert all(v > 200 for t, v in bottom if t < 1.4), bottom
    assert all(v < 120 for t, v in bottom if t > 1.6), bottom
    assert all(v < 120 for _, v in top), top


def _plan(media, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(FootagePlan("local", clips=[Clip(str(media / "clip.mp4"), 2.0)]).to_json())
    return str(plan)


def test_moviepy_vertical_centre_caption_crossfade_and_bed(media, tmp_path):
    subs = pysubs2.SSAFile()
    subs.append(pysubs2.SSAEvent(start=0, end=2000, text="HI"))
    subs = styled(subs, SubtitleStyle(position="center", size=0.1, margin=0.0), 90, 160)
    clips = [Clip(str(media / "clip.mp4"), 2.0)] * 2
    out = tmp_path / "short.mp4"
    moviepy_render(footage=FootagePlan("pexels", clips=clips), audio=str(media / "voice.mp3"),
                   subs=subs, out=str(out), duration=2.5, audio_start=1.0,
                   video=VideoOptions(90, 160, fps=15, preset="ultrafast", seconds_per_clip=1.2,
                                      crossfade=0.3),
                   mix=AudioMix(music=str(media / "voice.mp3"), music_volume=0.2))
    check_streams(out, 90, 160, 2.5)
    t, first = frames_luma(out)[3]
    assert first[60:100, :].max() > 200  # caption in the middle
    assert first[:40, :].max() < 120 and first[120:, :].max() < 120


def test_generated_background_and_failure_leaves_no_file(media, tmp_path):
    out = tmp_path / "gen.mp4"
    moviepy_render(footage=generated("x", 160, 90, 15), audio=str(media / "voice.mp3"),
                   subs=pysubs2.SSAFile(), out=str(out), duration=1.0,
                   video=VideoOptions(160, 90, fps=15, preset="ultrafast"))
    check_streams(out, 160, 90, 1.0)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes((media / "clip.mp4").read_bytes()[:500])
    bad = tmp_path / "bad.mp4"
    with pytest.raises(DramaError, match="failed \\(moviepy\\)"):
        moviepy_render(footage=FootagePlan("local", clips=[Clip(str(broken), 2.0)]),
                       audio=str(media / "voice.mp3"), subs=pysubs2.SSAFile(), out=str(bad),
                       duration=1.0, video=VideoOptions(160, 90, fps=15, preset="ultrafast"))
    assert not bad.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "part file left"
    assert np.isfinite(probe(out).duration)
