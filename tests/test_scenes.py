"""The ``scenes`` background: each narration sentence shows the stretch of source it was said in.

The source's picture encodes its own frame number (eight horizontal stripes, one bit each), so
the frame under any moment of the output can be read back after encoding and compared with the
transcript's speech spans.
"""

from __future__ import annotations

import pysubs2
import pytest

from dramabatch.footage.background import FootagePlan, make_background
from dramabatch.footage.scene_plan import scenes_background
from dramabatch.footage.scenes import map_spans, runs, sentence_windows
from dramabatch.render.options import VideoOptions
from dramabatch.render.videos import render
from dramabatch.script.compose import make_script
from dramabatch.voice.narrate import narrate
from dramabatch_testkit import timecode
from dramabatch_testkit.media import check_video, encode_gray

SRC_FPS, SRC_SECONDS, W, H, BITS = 20, 12, 160, 90, 8
#: What the transcript heard, and when (the known speech spans of the source).
SPEECH = [(1.0, 3.4, "The door opened slowly."), (4.0, 5.2, "Nobody was there."),
          (7.0, 8.6, "She ran back inside, and she locked it.")]


def timecoded_video(path, seconds: float = SRC_SECONDS, fps: int = SRC_FPS):
    """Frame n shows n in binary: stripe k (top to bottom) white when bit k is set."""
    return encode_gray(timecode.coded_frames(0, round(seconds * fps), W, H, BITS), path, fps)


def read_codes(path, width: int, height: int) -> list[float]:
    """The source time (frame number / SRC_FPS) shown by every frame of a rendered video."""
    return timecode.read_codes(path, width, height, BITS, SRC_FPS)


@pytest.fixture(scope="module")
def drama(tmp_path_factory):
    """A time-coded source, its transcript, the script and a real (Piper) narration of it."""
    d = tmp_path_factory.mktemp("scenes")
    source = timecoded_video(d / "source.mp4")
    transcript = {"language": "en", "segments": [
        {"start": a, "end": b, "text": text} for a, b, text in SPEECH]}
    script = make_script(transcript, None, {})
    timeline = narrate(script, d / "n.mp3", d / "n.json", {"engine": "piper", "voice": "bundled"})
    return d, source, timeline


@pytest.mark.slow
def test_frames_under_each_sentence_come_from_its_source_span(drama, tmp_path):
    d, source, timeline = drama
    plan_path = tmp_path / "landscape.json"
    plan = make_background("x", "landscape", plan_path, order=["scenes", "source"],
                           source=str(source), options={}, long_wh=(W, H), short_wh=(H, W),
                           scenes=lambda: scenes_background(str(source), timeline, "landscape",
                                                            (W, H), {"subtitle_band": "none"}))
    assert plan.step == "scenes" and len(plan.spans) == len(SPEECH)
    out = tmp_path / "long.mp4"
    fps = 15
    render(footage=FootagePlan.load(plan_path), audio=str(d / "n.mp3"), subs=pysubs2.SSAFile(),
           out=str(out), duration=timeline["duration"],
           video=VideoOptions(W, H, fps=fps, preset="ultrafast"))
    check_video(out, W, H, timeline["duration"])
    codes = read_codes(out, W, H)
    tol = 1.5 / SRC_FPS
    for w, (a, b, _) in zip(sentence_windows(timeline), SPEECH, strict=True):
        # frames strictly inside the window (its edges are rounded to whole output frames)
        shown = [c for k, c in enumerate(codes)
                 if w["start"] - 1e-6 <= k / fps - (w["start"] > 0) / fps < w["end"] - 2 / fps]
        assert shown, w
        # every frame under the sentence is from the stretch it was said in, in order
        assert all(a - tol <= c <= b + tol for c in shown), (w, (a, b), shown)
        assert shown == sorted(shown), shown
        assert shown[0] <= a + tol + 1.25 / fps  # from where the sentence starts in the source
        # the source runs at a bounded speed: from its start to where it stops moving
        moving_until = shown.index(shown[-1]) / fps
        if moving_until > 0.5:
            speed = (shown[-1] - shown[0]) / moving_until
            assert 0.8 - 0.1 <= speed <= 1.25 + 0.1, (w, speed)


def test_a_short_shows_the_scenes_of_its_own_sentences(drama, tmp_path):
    d, source, timeline = drama
    plan = scenes_background(str(source), timeline, "portrait", (H, W), {"subtitle_band": "none"})
    assert plan.crop["mode"] == "centre"  # no face in stripes: the plan says so
    assert any("no face found" in r for r in plan.reasons), plan.reasons
    second = sentence_windows(timeline)[1]
    out = tmp_path / "short.mp4"
    length = timeline["duration"] - second["start"]
    render(footage=plan, audio=str(d / "n.mp3"), subs=pysubs2.SSAFile(), out=str(out),
           duration=length, audio_start=second["start"],
           video=VideoOptions(H, W, fps=15, preset="ultrafast"))
    check_video(out, H, W, length)
    codes = read_codes(out, H, W)
    first_len = round((second["end"] - second["start"]) * 15)
    a, b, _ = SPEECH[1]
    assert all(a - 0.08 <= c <= b + 0.08 for c in codes[:first_len - 1]), codes[:first_len]
    a, b, _ = SPEECH[2]
    assert all(a - 0.08 <= c <= b + 0.08 for c in codes[first_len + 1:]), codes[first_len:]


def timeline_of(windows: list[tuple[float, float, tuple[float, float] | None]]) -> dict:
    segs = []
    for n, (start, end, src) in enumerate(windows):
        seg = {"text": f"s{n}", "sentence": n, "start": start, "end": end - 0.5}
        if src:
            seg.update(source_start=src[0], source_end=src[1])
        segs.append(seg)
    return {"duration": windows[-1][1], "segments": segs}


def test_the_fit_rule_trims_or_holds_within_the_speed_bounds():
    tl = timeline_of([(0, 2, (0, 4)), (2, 4, (5, 6)), (4, 6, (6, 8.2))])
    spans, notes = map_spans(tl, 20.0, 0.8, 1.25)
    assert not notes
    too_long, too_short, near = spans
    assert too_long.speed == 1.25 and too_long.played == pytest.approx(2 * 1.25)  # trimmed
    assert too_short.speed == 0.8 and too_short.played == pytest.approx(1.0)  # held
    assert too_short.shown_until == pytest.approx(2 + 1 / 0.8)
    assert near.speed == pytest.approx(1.1) and near.played == pytest.approx(2.2)  # whole


def test_sentences_without_source_times_borrow_their_neighbours_and_say_so():
    tl = timeline_of([(0, 2, (1, 3)), (2, 4, None), (4, 6, (9, 11)), (6, 8, None)])
    spans, notes = map_spans(tl, 12.0)
    assert [s.origin for s in spans] == ["transcript", "after previous", "transcript",
                                         "after previous"]
    assert spans[1].src_start == pytest.approx(spans[0].src_end)  # the story continues
    assert spans[1].src_end <= spans[2].src_start
    assert len(notes) == 2 and "sentence 1: no source time" in notes[0]
    assert len(runs(spans)) == 1  # still one forward pass over the source
    override = make_script({"segments": [{"start": 0, "end": 2, "text": "Hi."}]},
                           "One. Two. Three.", {})
    tl = {"duration": 6.0, "segments": [{**s, "start": 2.0 * n, "end": 2.0 * n + 1.5}
                                        for n, s in enumerate(override["segments"])]}
    spans, notes = map_spans(tl, 30.0)
    assert {s.origin for s in spans} == {"proportional"} and "overridden" in notes[0]
    assert [round(s.src_start) for s in spans] == [0, 10, 20]  # the same share of the source


def test_the_sources_own_sound_follows_its_scenes_in_the_pauses(tmp_path):
    """audio.original_audio with scenes: the pause after each sentence sounds like the source
    stretch that sentence shows (500 Hz in 1-4 s, 250 Hz in 6-9 s), ducked under the voice."""
    from test_render import band_level, decoded_audio

    from dramabatch.base.media import run_ffmpeg
    from dramabatch.render.options import AudioMix

    picture = timecoded_video(tmp_path / "picture.mp4")
    source = tmp_path / "source.mp4"
    run_ffmpeg(["-i", str(picture), "-f", "lavfi", "-i", "sine=f=500:d=12:r=48000", "-f", "lavfi",
                "-i", "sine=f=250:d=12:r=48000", "-filter_complex",
                "[1:a]volume='between(t,1,4)':eval=frame[x];[2:a]volume='between(t,6,9)':"
                "eval=frame[y];[x][y]amix=inputs=2:normalize=0[a]", "-map", "0:v", "-map", "[a]",
                "-c:v", "copy", "-c:a", "aac", str(source)], what="test source")
    voice = tmp_path / "voice.mp3"  # speaks 0-2 s and 3-5 s: the pauses are 2-3 s and 5-6 s
    run_ffmpeg(["-f", "lavfi", "-i", "sine=f=3000:d=6:r=48000", "-af",
                "volume='if(between(t,2,3)+between(t,5,6),0,4)':eval=frame", "-c:a",
                "libmp3lame", str(voice)], what="test voice")
    plan = scenes_background(str(source), timeline_of([(0, 3, (1, 4)), (3, 6, (6, 9))]),
                             "landscape", (W, H), {"subtitle_band": "none"})
    out = tmp_path / "o.mp4"
    render(footage=plan, audio=str(voice), subs=pysubs2.SSAFile(), out=str(out), duration=6.0,
           video=VideoOptions(W, H, fps=15, preset="ultrafast"),
           mix=AudioMix(original=str(source), original_volume=0.5))
    check_video(out, W, H, 6.0)
    samples, rate = decoded_audio(out)
    first = band_level(samples, rate, 2.3, 2.95, 500), band_level(samples, rate, 2.3, 2.95, 250)
    second = band_level(samples, rate, 5.3, 5.95, 250), band_level(samples, rate, 5.3, 5.95, 500)
    assert first[0] > 0.004 and first[0] > 5 * first[1], first
    assert second[0] > 0.004 and second[0] > 5 * second[1], second  # not the source at 5-6 s
    assert band_level(samples, rate, 3.5, 4.5, 250) < second[0] / 3  # ducked under the voice


def test_a_plan_of_hundreds_of_sentences_renders_each_from_its_stretch(tmp_path, monkeypatch):
    """More spans than ffmpeg's expression parser takes in one flat sum, stretches overlapping
    by a few hundredths (one forward run), and the graph read from a file."""
    import dramabatch.render.loopback as loopback_module
    from dramabatch.base.media import run_ffmpeg

    source = timecoded_video(tmp_path / "source.mp4")
    n, step, shift = 110, 0.1, 0.09  # played 0.125 s each (MIN_STRETCH at 1.25x): overlaps
    plan = scenes_background(str(source), timeline_of(
        [(k * step, (k + 1) * step, (k * shift, k * shift + step)) for k in range(n)]),
        "landscape", (W, H), {"subtitle_band": "none"})
    assert len(plan.spans) == n and len(runs(map_spans(timeline_of(
        [(k * step, (k + 1) * step, (k * shift, k * shift + step)) for k in range(n)]),
        SRC_SECONDS)[0])) == 1
    voice = tmp_path / "voice.mp3"
    run_ffmpeg(["-f", "lavfi", "-i", f"sine=f=300:d={n * step}:r=48000", "-c:a", "libmp3lame",
                str(voice)], what="test voice")
    monkeypatch.setattr(loopback_module, "GRAPH_INLINE_MAX", 1000)
    out = tmp_path / "o.mp4"
    render(footage=plan, audio=str(voice), subs=pysubs2.SSAFile(), out=str(out),
           duration=n * step, video=VideoOptions(W, H, fps=15, preset="ultrafast"))
    codes = read_codes(out, W, H)
    assert len(codes) == round(n * step * 15)
    for j, code in enumerate(codes):
        k = min(n - 1, int(j / 15 / step + 1e-9))
        assert k * shift - 0.1 <= code <= k * shift + step + 0.1, (j, k, code)


def test_without_opencv_the_short_is_a_centre_crop_and_the_plan_says_why(tmp_path, monkeypatch):
    import dramabatch.footage.reframe as reframe_module

    monkeypatch.setattr(reframe_module, "detector", lambda: None)
    source = timecoded_video(tmp_path / "source.mp4", seconds=3)
    plan = scenes_background(str(source), timeline_of([(0, 2, (0.5, 2.5))]), "portrait", (H, W),
                             {"subtitle_band": "none"})
    assert plan.crop["mode"] == "centre" and not plan.crop["path"]
    assert any("opencv-python-headless is not installed" in r for r in plan.reasons)


def test_the_moviepy_engine_refuses_a_scenes_plan_by_name(tmp_path):
    from dramabatch.base.errors import DramaError
    from dramabatch.render.moviepy_engine import render as moviepy_render

    source = timecoded_video(tmp_path / "source.mp4", seconds=3)
    plan = scenes_background(str(source), timeline_of([(0, 2, (0.5, 2.5))]), "landscape",
                             (W, H), {"subtitle_band": "none"})
    with pytest.raises(DramaError, match="render.engine: ffmpeg"):
        moviepy_render(footage=plan, audio=str(source), subs=pysubs2.SSAFile(),
                       out=str(tmp_path / "o.mp4"), duration=2.0,
                       video=VideoOptions(W, H, fps=15, preset="ultrafast"))
    assert not (tmp_path / "o.mp4").exists()


def test_with_the_moviepy_engine_the_step_falls_back_and_says_why(tmp_path):
    source = timecoded_video(tmp_path / "source.mp4", seconds=3)
    tl = timeline_of([(0, 2, (0.5, 2.5))])
    plan = make_background("x", "landscape", tmp_path / "bg.json", order=["scenes", "source"],
                           source=str(source), options={}, long_wh=(W, H), short_wh=(H, W),
                           scenes=lambda: scenes_background(str(source), tl, "landscape", (W, H),
                                                            {"engine": "moviepy"}))
    assert plan.step == "source" and not plan.spans
    assert plan.reasons[0] == "scenes: render.engine moviepy cannot render it (ffmpeg only)"
