"""A long hold in the footage does not make the render's ffmpeg hold a copy of every held frame.

At the hour, a scenes plan that held one frame for 55 s took render_long to 5.4 GB: ``fps``
filled the gap with references to one frame at once, and the caption filter made each of them a
writable copy (render/loopback.py). Here a 30 s hold at 1280x720 and 15 fps (450 frames of
1.4 MB: about 620 MB if they are copied together) is rendered with a caption on it, and the
ffmpeg's peak memory is read from the kernel (a wrapper ffmpeg that reports its child's
``ru_maxrss``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pysubs2
import pytest
from test_scenes import timecoded_video, timeline_of

from dramabatch.base import media
from dramabatch.render import loopback

WRAPPER = """import json, resource, subprocess, sys
rc = subprocess.call([{exe!r}, *sys.argv[1:]])
with open({log!r}, "a") as f:
    f.write(json.dumps({{"args": sys.argv[1:], "rss_kb":
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}}) + "\\n")
sys.exit(rc)
"""


@contextmanager
def ffmpeg_rss(tmp_path: Path, monkeypatch) -> Iterator[Path]:
    """Every ffmpeg the code runs inside the block goes through a wrapper that appends its
    arguments and peak memory (``rss_kb``, the kernel's ``ru_maxrss``) to the file yielded."""
    log = tmp_path / "rss.jsonl"
    wrapper = tmp_path / "ffmpeg"
    wrapper.write_text(f"#!{sys.executable}\n"
                       + WRAPPER.format(exe=media.ffmpeg_exe(), log=str(log)))
    wrapper.chmod(0o755)
    monkeypatch.setenv("DRAMABATCH_FFMPEG", str(wrapper))
    media.ffmpeg_exe.cache_clear()
    try:
        yield log
    finally:
        media.ffmpeg_exe.cache_clear()


@pytest.mark.slow
def test_a_30_second_hold_under_a_caption_renders_in_bounded_memory(tmp_path, monkeypatch):
    from dramabatch.footage.scene_plan import scenes_background
    from dramabatch.render.options import SubtitleStyle, VideoOptions
    from dramabatch.render.videos import render, styled

    source = timecoded_video(tmp_path / "source.mp4")
    # sentence 0: 0.2 s of source under 30 s of narration (held); sentence 1 plays 2 s
    plan = scenes_background(str(source), timeline_of([(0, 30, (1, 1.2)), (30, 32, (3, 5))]),
                             "landscape", (1280, 720), {"subtitle_band": "none"})
    voice = tmp_path / "voice.wav"
    media.run_ffmpeg(["-f", "lavfi", "-i", "sine=f=300:d=32:r=48000", str(voice)],
                     what="test voice")
    raw = pysubs2.SSAFile()
    raw.append(pysubs2.SSAEvent(start=500, end=31_000, text="held under a caption"))
    subs = styled(raw, SubtitleStyle(), 1280, 720)

    out = tmp_path / "held.mp4"
    with ffmpeg_rss(tmp_path, monkeypatch) as log:
        assert loopback.has_loopback(loopback.ffmpeg_version(media.ffmpeg_exe()))
        render(footage=plan, audio=str(voice), subs=subs, out=str(out), duration=32,
               video=VideoOptions(1280, 720, fps=15, preset="ultrafast"))
    runs = [json.loads(line) for line in log.read_text().splitlines()]
    renders = [r for r in runs if str(out.name) in " ".join(r["args"])
               or any(a.endswith(".mp4") and ".part" in a for a in r["args"])]
    assert renders, runs
    peak_mb = max(r["rss_kb"] for r in renders) / 1024
    # 450 held frames of 1.4 MB would be ~620 MB on their own
    assert peak_mb < 300, f"render peaked at {peak_mb:.0f} MB"
    assert media.probe(out).duration == pytest.approx(32, abs=0.1)
    assert os.path.getsize(out) > 0


@pytest.mark.parametrize("line, has", [
    ("ffmpeg version n9.0.2-17-g2a571b6068-20260930 Copyright (c) 2000-2026", True),
    ("ffmpeg version 7.1.1-1ubuntu1 Copyright (c) 2000-2025", True),
    ("ffmpeg version 6.1.1-3ubuntu5 Copyright (c) 2000-2023", False),
    ("ffmpeg version 4.4.2-0ubuntu0.22.04.1", False),
    ("ffmpeg version N-118000-g1234abcd Copyright", True),
    ("", False),
])
def test_loopback_decoders_are_used_from_ffmpeg_7(line, has):
    assert loopback.has_loopback(line) is has


def test_the_two_graphs_show_the_frames_of_the_single_graph(tmp_path, monkeypatch):
    """The loopback join changes how ffmpeg runs, not what is shown: the same source frame at
    every output frame, the last one held to the video's end, as in one graph (older ffmpeg)."""
    from test_scenes import H, W, read_codes

    from dramabatch.footage.scene_plan import scenes_background
    from dramabatch.render.options import VideoOptions
    from dramabatch.render.videos import render

    source = timecoded_video(tmp_path / "source.mp4")
    plan = scenes_background(str(source), timeline_of([(0, 2, (1, 1.3)), (2, 3, (4, 5))]),
                             "landscape", (W, H), {"subtitle_band": "none"})
    voice = tmp_path / "voice.wav"
    media.run_ffmpeg(["-f", "lavfi", "-i", "sine=f=300:d=3.5:r=48000", str(voice)],
                     what="test voice")
    codes = {}
    for joined in (True, False):
        monkeypatch.setattr(loopback, "has_loopback", lambda _line, j=joined: j)
        out = tmp_path / f"{joined}.mp4"
        render(footage=plan, audio=str(voice), subs=pysubs2.SSAFile(), out=str(out),
               duration=3.5, video=VideoOptions(W, H, fps=15, preset="ultrafast"))
        codes[joined] = read_codes(out, W, H)
    assert len(codes[True]) == round(3.5 * 15)  # past the plan's 3 s: its last frame held
    assert codes[True] == codes[False]


def test_a_footage_graph_without_end_stops_at_the_videos_frames(tmp_path):
    """The video's ``-frames:v`` does not stop the footage's own output: without its own limit
    a footage with no end (a lavfi source) keeps ffmpeg running until the watchdog."""
    if not loopback.has_loopback(loopback.ffmpeg_version(media.ffmpeg_exe())):
        pytest.skip("this ffmpeg has no loopback decoders (before 7.0): one graph is used")
    out = tmp_path / "o.mp4"
    args = loopback.graph_args("[0:v]fps=15[bg]", "[bg]tpad=stop_mode=clone:stop_duration=1,"
                               "trim=end_frame=35[v]", 15, 35, tmp_path)
    media.run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=160x90:r=15", *args, "-map", "[v]",
                      "-frames:v", "35", "-c:v", "libx264", "-preset", "ultrafast", str(out)],
                     what="endless footage", timeout=30)
    assert media.probe(out).duration == pytest.approx(35 / 15, abs=0.05)
