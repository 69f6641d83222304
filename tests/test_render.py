import json

import numpy as np
import pysubs2
import pytest

from dramabatch.base.errors import DramaError
from dramabatch.base.media import probe, run_ffmpeg
from dramabatch.footage.background import Clip, FootagePlan, generated, make_background
from dramabatch.footage.graph import background_graph, footage_inputs
from dramabatch.render.options import AudioMix, SubtitleStyle, VideoOptions
from dramabatch.render.subtitles import write_srt
from dramabatch.render.videos import render, render_long, render_short
from dramabatch.script.sentences import build_script
from dramabatch.shorts.plan import plan_shorts
from dramabatch.voice.narrate import narrate
from dramabatch_testkit.media import check_video

TEXT = ("¿Quién llamó a la puerta? Nadie lo sabía, pero todos la oyeron. "
        "La casa estaba vacía desde hacía años. Esa noche, alguien encendió una luz.")


@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    d = tmp_path_factory.mktemp("render")
    script = {"language": "en", "segments": [s.to_dict() for s in build_script(TEXT)]}
    timeline = narrate(script, d / "n.mp3", d / "n.json", {"engine": "piper", "voice": "bundled"})
    write_srt(timeline, d / "x.srt")
    for orient in ("landscape", "portrait"):
        make_background("x", orient, d / f"{orient}.json", order=["generated"], source="",
                        options={}, long_wh=(160, 90), short_wh=(90, 160))
    return d, timeline




@pytest.mark.slow
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
    # cycled (too few clips for the length), yet each clip is one input, decoded once
    assert [idx for idx, _ in pieces[:4]] == [0, 1, 0, 1] and len(pieces) > 4
    assert args.count(str(speech_video)) == 1 and args.count(str(silent_video)) == 1
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


# --------------------------------------------------------------------------- crossfades, audio bed
def tone(path, freq, seconds, volume=0.5, video=False):
    """A real file holding a sine tone (optionally with a picture, like a drama source)."""
    args = []
    if video:
        args += ["-f", "lavfi", "-i", f"testsrc2=s=160x90:r=15:d={seconds}"]
    args += ["-f", "lavfi", "-i", f"sine=f={freq}:d={seconds}:r=48000", "-af",
             f"volume={volume}"]
    if video:
        args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    args += ["-c:a", "aac" if video else "libmp3lame", "-t", str(seconds), str(path)]
    run_ffmpeg(args, what="test tone")
    return path


def decoded_audio(path):
    """All audio samples of a file, mono float, with its rate."""
    import av

    with av.open(str(path)) as c:
        chunks = [f.to_ndarray().mean(axis=0) for f in c.decode(audio=0)]
        rate = c.streams.audio[0].rate
    return np.concatenate(chunks), rate


def band_level(samples, rate, t0, t1, freq):
    """Amplitude of the ``freq`` component in [t0, t1) (Hann-windowed FFT peak)."""
    seg = samples[int(t0 * rate):int(t1 * rate)]
    spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg))))
    freqs = np.fft.rfftfreq(len(seg), 1 / rate)
    near = (freqs > freq - 15) & (freqs < freq + 15)
    return spec[near].max() / len(seg)


@pytest.fixture(scope="module")
def voice_with_gap(tmp_path_factory):
    """A stand-in narration at speech loudness: 3 kHz tone 0-2 s, silence 2-4 s, tone 4-6 s."""
    d = tmp_path_factory.mktemp("gap")
    path = d / "voice.mp3"
    run_ffmpeg(["-f", "lavfi", "-i", "sine=f=3000:d=6:r=48000", "-af",
                "volume='if(between(t,2,4),0,4)':eval=frame", "-c:a", "libmp3lame",
                str(path)], what="test voice")
    return path


def test_music_and_original_audio_are_mixed_and_ducked_under_the_voice(voice_with_gap,
                                                                       tmp_path):
    music = tone(tmp_path / "music.mp3", 500, 2.5)  # shorter than the video: must loop
    source = tone(tmp_path / "source.mp4", 250, 8, video=True)
    out = tmp_path / "mixed.mp4"
    render(footage=generated("x", 160, 90, 15), audio=str(voice_with_gap),
           subs=pysubs2.SSAFile(), out=str(out), duration=6.0,
           video=VideoOptions(160, 90, fps=15, preset="ultrafast"),
           mix=AudioMix(music=str(music), music_volume=0.5, original=str(source),
                        original_volume=0.5))
    check_video(out, 160, 90, 6.0)
    samples, rate = decoded_audio(out)
    for freq in (500, 250):
        speaking = band_level(samples, rate, 0.6, 1.8, freq)
        paused = band_level(samples, rate, 2.9, 3.9, freq)
        later = band_level(samples, rate, 4.6, 5.8, freq)
        assert paused > 0.004, (freq, paused)  # the bed is really there
        assert paused > 3 * speaking and paused > 3 * later, (freq, speaking, paused, later)
    # the voice itself is not ducked
    assert band_level(samples, rate, 0.6, 1.8, 3000) > 0.05


def test_source_without_audio_still_renders_narration_only(voice_with_gap, tmp_path,
                                                          silent_video, caplog):
    caplog.set_level("INFO")
    out = tmp_path / "o.mp4"
    render(footage=generated("x", 160, 90, 15), audio=str(voice_with_gap),
           subs=pysubs2.SSAFile(), out=str(out), duration=3.0,
           video=VideoOptions(160, 90, fps=15, preset="ultrafast"),
           mix=AudioMix(original=str(silent_video)))
    check_video(out, 160, 90, 3.0)
    assert "no audio track" in caplog.text


def test_missing_music_file_is_a_clear_error(voice_with_gap, tmp_path):
    with pytest.raises(DramaError, match="music file not found"):
        render(footage=generated("x", 160, 90, 15), audio=str(voice_with_gap),
               subs=pysubs2.SSAFile(), out=str(tmp_path / "o.mp4"), duration=3.0,
               video=VideoOptions(160, 90, fps=15, preset="ultrafast"),
               mix=AudioMix(music=str(tmp_path / "nope.mp3")))
    assert not list(tmp_path.iterdir())


def colour_clip(path, colour, seconds=3):
    run_ffmpeg(["-f", "lavfi", "-i", f"color=c={colour}:s=160x90:r=15:d={seconds}",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
               what="test clip")
    return Clip(str(path), float(seconds))


def frame_rgb_at(path, t):
    import av

    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            if frame.time >= t - 1e-6:
                return frame.to_ndarray(format="rgb24")[40:50, 70:90].reshape(-1, 3).mean(axis=0)
    raise AssertionError(f"no frame at {t}")


@pytest.mark.parametrize("crossfade", [0.0, 0.6])
def test_crossfade_blends_clips_and_keeps_the_duration_exact(voice_with_gap, tmp_path,
                                                             crossfade):
    clips = [colour_clip(tmp_path / "red.mp4", "red"), colour_clip(tmp_path / "blue.mp4", "blue")]
    video = VideoOptions(160, 90, fps=15, preset="ultrafast", seconds_per_clip=2,
                         crossfade=crossfade)
    _, pieces = footage_inputs(FootagePlan("pexels", clips=clips), 5.0, 15, 2, crossfade)
    assert sum(length for _, length in pieces) == pytest.approx(5.0)
    graph = background_graph(pieces, 160, 90, 15, crossfade)
    assert ("xfade" in graph) == (crossfade > 0)
    out = tmp_path / "x.mp4"
    render(footage=FootagePlan("pexels", clips=clips), audio=str(voice_with_gap),
           subs=pysubs2.SSAFile(), out=str(out), duration=5.0, video=video)
    check_video(out, 160, 90, 5.0)
    red_end = frame_rgb_at(out, 1.5)
    mid_fade = frame_rgb_at(out, 2.0 + crossfade / 2)
    assert red_end[0] > 200 and red_end[2] < 50  # first clip alone: red
    if crossfade:
        assert 60 < mid_fade[0] < 200 and 60 < mid_fade[2] < 200, mid_fade  # a blend
    else:
        assert mid_fade[2] > 200 and mid_fade[0] < 50, mid_fade  # a cut straight to blue
    assert frame_rgb_at(out, 3.5)[2] > 200  # second clip alone: blue


@pytest.mark.parametrize("duration", [2.99, 3.01, 4.4666])
def test_video_and_audio_end_together_whatever_the_duration(voice_with_gap, tmp_path, duration):
    out = tmp_path / "o.mp4"
    render(footage=generated("x", 160, 90, 15), audio=str(voice_with_gap),
           subs=pysubs2.SSAFile(), out=str(out), duration=duration,
           video=VideoOptions(160, 90, fps=15, preset="ultrafast"))
    decoded = check_video(out, 160, 90, duration)
    assert abs(decoded["video"] - round(duration * 15) / 15) < 1e-3  # a whole number of frames
