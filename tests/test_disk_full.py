"""A full disk during render fails the job cleanly and leaves no partial file under a final name."""

from __future__ import annotations

import pytest

from dramabatch.base.errors import DramaError
from dramabatch.footage.background import Clip, FootagePlan
from dramabatch.render.options import SubtitleStyle, VideoOptions
from dramabatch.render.subtitles import write_srt
from dramabatch.render.videos import render_long
from dramabatch.script.sentences import build_script
from dramabatch.voice.narrate import narrate
from dramabatch_testkit.media import make_video


@pytest.mark.slow
def test_render_on_a_full_disk_fails_cleanly(tiny_disk, tmp_path):
    script = {"language": "en", "segments": [s.to_dict() for s in build_script(
        "The disk was almost full, and the render kept going. Then it stopped.")]}
    timeline = narrate(script, tmp_path / "n.mp3", tmp_path / "n.json",
                       {"engine": "piper", "voice": "bundled"})
    write_srt(timeline, tmp_path / "x.srt")
    busy = make_video(tmp_path / "busy.mp4", wav=None, seconds=3, size="640x360")
    (tmp_path / "bg.json").write_text(FootagePlan("local", clips=[Clip(str(busy), 3.0)]).to_json())
    out = tiny_disk / "long.mp4"
    with pytest.raises(DramaError, match="No space left on device"):
        # a busy test pattern at crf 0, 640x360: 1.7 MB for 5 s (measured), over 512 KB
        render_long(background=str(tmp_path / "bg.json"), narration=str(tmp_path / "n.mp3"),
                    srt=str(tmp_path / "x.srt"), out=str(out), duration=timeline["duration"],
                    video=VideoOptions(640, 360, fps=30, crf=0, preset="ultrafast"),
                    style=SubtitleStyle())
    assert list(tiny_disk.iterdir()) == [], "a partial or part file was left on the full disk"
