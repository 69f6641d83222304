import json

import pytest

from dramabatch.background import Clip, FootagePlan, make_background
from dramabatch.errors import DramaError
from dramabatch.media import decode_check, probe
from dramabatch.narrate import narrate
from dramabatch.render import (
    SubtitleStyle,
    VideoOptions,
    footage_inputs,
    render_long,
    render_short,
)
from dramabatch.script import build_script
from dramabatch.shorts import plan_shorts
from dramabatch.subtitles import write_srt

TEXT = ("¿Quién llamó a la puerta? Nadie lo sabía, pero todos la oyeron. "
        "La casa estaba vacía desde hacía años. Esa noche, alguien encendió una luz.")


@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    d = tmp_path_factory.mktemp("render")
    script = {"language": "es", "segments": [s.to_dict() for s in build_script(TEXT)]}
    timeline = narrate(script, d / "n.mp3", d / "n.json", {"engine": "piper", "voice": "bundled"})
    write_srt(timeline, d / "x.srt")
    for orient in ("landscape", "portrait"):
        make_background("x", orient, d / f"{orient}.json", order=["generated"], source="",
                        options={}, long_wh=(160, 90), short_wh=(90, 160))
    return d, timeline


def check_video(path, width, height, duration):
    info = probe(path)
    assert (info.width, info.height) == (width, height)
    decoded = decode_check(path)
    assert abs(decoded["video"] - decoded["audio"]) <= 0.05 + 1 / 15, decoded
    assert abs(info.duration - duration) <= 0.1, (info.duration, duration)
    return decoded


def test_long_render_duration_and_streams(assets, tmp_path):
    d, timeline = assets
    out = tmp_path / "long.mp4"
    render_long(background=str(d / "landscape.json"), narration=str(d / "n.mp3"),
                srt=str(d / "x.srt"), out=str(out), duration=timeline["duration"],
                video=VideoOptions(160, 90, fps=15, preset="ultrafast"), style=SubtitleStyle())
    assert timeline["duration"] > 10  # longer than the 10 s background clip: it must loop
    check_video(out, 160, 90, timeline["duration"])


def test_short_render_is_native_vertical_and_bounded(assets, tmp_path):
    d, timeline = assets
    plan = plan_shorts(timeline, min_s=3, max_s=8)[0].to_dict()
    out = tmp_path / "short.mp4"
    render_short(background=str(d / "portrait.json"), narration=str(d / "n.mp3"),
                 timeline=timeline, plan=plan, out=str(out),
                 video=VideoOptions(90, 160, fps=15, preset="ultrafast"),
                 style=SubtitleStyle(position="center"), title="Título", title_seconds=1)
    check_video(out, 90, 160, plan["end"] - plan["start"])


def test_failed_render_reports_ffmpeg_and_leaves_no_file(assets, tmp_path, speech_video):
    d, timeline = assets
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(speech_video.read_bytes()[:3000])
    plan = tmp_path / "plan.json"
    plan.write_text(FootagePlan("local", clips=[Clip(str(broken), 5.0)]).to_json())
    out = tmp_path / "long.mp4"
    with pytest.raises(DramaError, match="render long video failed"):
        render_long(background=str(plan), narration=str(d / "n.mp3"), srt=str(d / "x.srt"),
                    out=str(out), duration=timeline["duration"],
                    video=VideoOptions(160, 90, fps=15, preset="ultrafast"),
                    style=SubtitleStyle())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.mp4", "plan.json"]


def test_several_clips_are_concatenated_to_cover_the_narration(assets, tmp_path, speech_video,
                                                                 silent_video):
    d, timeline = assets
    clips = [Clip(str(speech_video), probe(speech_video).duration),
             Clip(str(silent_video), probe(silent_video).duration)]
    plan = FootagePlan("pexels", clips=clips)
    args, pieces = footage_inputs(plan, timeline["duration"], 15, seconds_per_clip=3)
    assert sum(length for _, length in pieces) == pytest.approx(timeline["duration"])
    assert all(length <= 3 + 1e-9 for _, length in pieces)
    assert args.count(str(speech_video)) >= 2  # cycled: too few clips for the length
    (tmp_path / "plan.json").write_text(plan.to_json())
    out = tmp_path / "long.mp4"
    render_long(background=str(tmp_path / "plan.json"), narration=str(d / "n.mp3"),
                srt=str(d / "x.srt"), out=str(out), duration=timeline["duration"],
                video=VideoOptions(160, 90, fps=15, preset="ultrafast", seconds_per_clip=3),
                style=SubtitleStyle())
    check_video(out, 160, 90, timeline["duration"])


def test_background_fallback_order_is_logged(tmp_path, silent_video, caplog):
    caplog.set_level("INFO")
    out = tmp_path / "bg.json"
    plan = make_background("d", "landscape", out, order=["pexels", "local", "source"],
                           source=str(silent_video), options={"local_dir": str(tmp_path / "no")},
                           long_wh=(160, 90), short_wh=(90, 160))
    assert plan.step == "source" and plan.clips[0].path == str(silent_video)
    assert "skipping 'pexels'" in caplog.text and "'local' failed" in caplog.text
    saved = FootagePlan.load(out)
    assert saved.reasons[0].startswith("pexels:") and saved.reasons[1].startswith("local:")


def test_local_background_choice_is_deterministic(tmp_path, silent_video, speech_video):
    folder = tmp_path / "clips"
    folder.mkdir()
    for i, src in enumerate([silent_video, speech_video]):
        (folder / f"c{i}.mp4").write_bytes(src.read_bytes())
    picks = set()
    for _ in range(2):
        out = tmp_path / "bg.json"
        plan = make_background("same-id", "portrait", out, order=["local"], source="",
                               options={"local_dir": str(folder)}, long_wh=(160, 90),
                               short_wh=(90, 160))
        picks.add(plan.clips[0].path)
    assert len(picks) == 1 and picks.pop().startswith(str(folder))


def test_srt_and_timeline_json_are_utf8(assets):
    d, _ = assets
    assert "¿Quién llamó a la puerta?" in (d / "x.srt").read_text(encoding="utf-8")
    assert "¿Quién" in json.loads((d / "n.json").read_text(encoding="utf-8"))["segments"][0]["text"]
