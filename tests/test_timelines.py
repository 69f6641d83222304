"""Each video's OpenTimelineIO timeline, and an edited one put back as its footage.

The sources' pictures encode their own frame number (test_scenes.py's stripes, here with an
offset per file), so every frame of a rendered video says which file and which source time it
shows; a timeline read back with ``opentimelineio`` must predict exactly that, frame by frame.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pysubs2
import pytest
from test_scenes import SPEECH

from dramabatch.base.errors import DramaError
from dramabatch.base.media import ffmpeg_exe
from dramabatch.footage.background import Clip, FootagePlan
from dramabatch.footage.edited import plan_from_timeline
from dramabatch.footage.scene_plan import scenes_background
from dramabatch.render.options import AudioMix, VideoOptions
from dramabatch.render.videos import render, write_video_timeline
from dramabatch.script.compose import make_script
from dramabatch.voice.narrate import narrate
from dramabatch_testkit import timecode
from dramabatch_testkit.media import encode_gray

W, H, FPS, SRC_FPS, BITS = 160, 90, 15, 20, 10
#: First frame number encoded in each test file (so a frame's code names its file).
BASES = {"a.mp4": 0, "b.mp4": 130, "source.mp4": 0, "source.media": 0}


def coded_video(path: Path, base: int, seconds: float) -> Path:
    """Frame i shows ``base + i`` in binary (dramabatch_testkit.timecode; an offset per file, so
    a frame's code names its file)."""
    frames = timecode.coded_frames(base, round(seconds * SRC_FPS), W, H, BITS)
    return encode_gray(frames, path, SRC_FPS)


def read_codes(path: Path, width: int = W, height: int = H) -> list[float]:
    """The code every frame of a rendered video shows, in source seconds (code / SRC_FPS)."""
    return timecode.read_codes(path, width, height, BITS, SRC_FPS)


def silence(path: Path, seconds: float) -> Path:
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    "anullsrc=r=48000:cl=stereo", "-t", str(seconds), "-c:a", "libmp3lame",
                    str(path)], check=True)
    return path


def footage_track(path: Path) -> otio.schema.Track:
    """The footage track read back (the caller holds it: its clips' places need it alive)."""
    timeline = otio.adapters.read_from_file(str(path))
    track = timeline.video_tracks()[0]
    assert track.name == "Footage"
    return track.deepcopy()


def expected_codes(path: Path, track: otio.schema.Track) -> list[tuple[int, float, bool]]:
    """Per output frame, from the timeline: (file base, source seconds shown, held)."""
    out = []
    for clip in track.find_clips():
        rec = clip.range_in_parent()
        speed = 1.0
        held = any(isinstance(e, otio.schema.FreezeFrame) for e in clip.effects)
        for e in clip.effects:
            if isinstance(e, otio.schema.LinearTimeWarp):
                speed *= e.time_scalar
        # the media is where the timeline says, relative to the timeline's folder
        assert (path.parent / clip.media_reference.target_url).is_file()
        base = BASES[Path(clip.media_reference.target_url).name]
        src = clip.source_range.start_time.to_seconds()
        for k in range(round(rec.duration.to_seconds() * FPS)):
            out.append((base, src + (0 if held else k / FPS * speed), held))
    return out


def assert_frames_match(video: Path, otio_path: Path, tol: float = 1.6 / SRC_FPS,
                        size: tuple[int, int] = (W, H)) -> int:
    """Every frame of ``video`` shows what its timeline says; returns the number of cuts."""
    track = footage_track(otio_path)
    want = expected_codes(otio_path, track)
    codes = read_codes(video, *size)  # source seconds (frame code / SRC_FPS)
    assert len(codes) == len(want)
    for n, (code, (base, src, held)) in enumerate(zip(codes, want, strict=True)):
        assert abs(code - (base / SRC_FPS + src)) <= tol + (1 / FPS if held else 0), (
            n, code, base, src)
    return len(track.find_clips())


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    d = tmp_path_factory.mktemp("otio")
    (d / "media").mkdir()
    # longer than the plan uses of them (as Pexels clips capped by seconds_per_clip)
    return (coded_video(d / "media" / "a.mp4", 0, 6.0),
            coded_video(d / "media" / "b.mp4", BASES["b.mp4"], 4.0), silence(d / "n.mp3", 12), d)


def test_a_clip_plans_timeline_matches_its_video_frame_by_frame(clips, tmp_path):
    a, b, narration, _ = clips
    plan = FootagePlan("pexels", clips=[Clip(str(a), 3.0), Clip(str(b), 2.0, "cover")])
    video = VideoOptions(W, H, fps=FPS, preset="ultrafast", seconds_per_clip=0)
    out, timeline = tmp_path / "long.mp4", tmp_path / "long.otio"
    subs = pysubs2.SSAFile()
    subs.append(pysubs2.SSAEvent(start=500, end=2000, text="The door opened."))
    render(footage=plan, audio=str(narration), subs=pysubs2.SSAFile(), out=str(out),
           duration=11.0, video=video)
    write_video_timeline(str(timeline), footage=plan, subs=subs, duration=11.0, video=video,
                         narration=str(narration), mix=AudioMix(music=str(narration)))
    # a, b, a, b, then a again: the clips cycle, each continuing where it stopped
    assert assert_frames_match(out, timeline) == 5
    read = otio.adapters.read_from_file(str(timeline))
    assert read.global_start_time.rate == FPS and read.duration().to_frames() == 11 * FPS
    assert [t.name for t in read.audio_tracks()] == ["Narration", "Music"]
    marker = read.tracks.markers[0]
    assert marker.name == "The door opened."
    assert marker.marked_range.start_time.to_seconds() == pytest.approx(0.5, abs=1 / FPS)
    # relative paths, so the folder can move (assert_frames_match opens them from its folder)
    assert not any(Path(c.media_reference.target_url).is_absolute()
                   for c in read.find_clips())


@pytest.fixture(scope="module")
def scenes_drama(tmp_path_factory):
    d = tmp_path_factory.mktemp("otio_scenes")
    source = coded_video(d / "source.mp4", 0, 12.0)
    transcript = {"language": "en", "segments": [
        {"start": a, "end": b, "text": text} for a, b, text in SPEECH]}
    timeline = narrate(make_script(transcript, None, {}), d / "n.mp3", d / "n.json",
                       {"engine": "piper", "voice": "bundled"})
    plan = scenes_background(str(source), timeline, "landscape", (W, H),
                             {"subtitle_band": "none"})
    return d, source, timeline, plan


@pytest.mark.slow
def test_a_scenes_timeline_has_each_sentences_stretch_speed_and_hold(scenes_drama, tmp_path):
    d, _, timeline, plan = scenes_drama
    video = VideoOptions(W, H, fps=FPS, preset="ultrafast")
    out, otio_path = tmp_path / "long.mp4", tmp_path / "long.otio"
    render(footage=plan, audio=str(d / "n.mp3"), subs=pysubs2.SSAFile(), out=str(out),
           duration=timeline["duration"], video=video)
    write_video_timeline(str(otio_path), footage=plan, subs=pysubs2.SSAFile(),
                         duration=timeline["duration"], video=video, narration=str(d / "n.mp3"))
    track = footage_track(otio_path)
    speeds = [e.time_scalar for c in track.find_clips() for e in c.effects
              if type(e) is otio.schema.LinearTimeWarp]  # (FreezeFrame is one too)
    assert any(isinstance(e, otio.schema.FreezeFrame) for c in track.find_clips()
               for e in c.effects)  # a stretch shorter than its sentence: its frame held
    assert speeds and all(0.8 <= s <= 1.25 for s in speeds)
    assert assert_frames_match(out, otio_path) >= len(SPEECH)


def edit(src: Path, dst: Path) -> list[tuple]:
    """Remove the second clip, trim the first by 10 frames at its end, swap the last two; the
    last one grows by what went (within its file), so the footage still covers the narration."""
    timeline = otio.adapters.read_from_file(str(src))
    track = timeline.video_tracks()[0]
    lost = track[1].duration() + otio.opentime.RationalTime(10, FPS)
    del track[1]
    first = track[0]
    first.source_range = otio.opentime.TimeRange(
        first.source_range.start_time,
        first.source_range.duration - otio.opentime.RationalTime(10, FPS))
    last = track[-1]
    last.source_range = otio.opentime.TimeRange(last.source_range.start_time,
                                                last.source_range.duration + lost)
    assert last.source_range.end_time_exclusive() <= last.available_range().end_time_exclusive()
    a, b = track[-2], track[-1]
    del track[-1]
    del track[-1]
    track.extend([b.deepcopy(), a.deepcopy()])
    # the edited timeline lives elsewhere (the overrides folder): its media resolve from the
    # folder the timeline was exported to
    otio.adapters.write_to_file(timeline, str(dst))
    return [(c.range_in_parent(), c.source_range) for c in track.find_clips()]


def test_an_edited_timeline_renders_its_own_cuts(clips, tmp_path):
    a, b, narration, d = clips
    plan = FootagePlan("pexels", clips=[Clip(str(a), 3.0), Clip(str(b), 2.0)])
    video = VideoOptions(W, H, fps=FPS, preset="ultrafast")
    exported = tmp_path / "results"
    exported.mkdir()
    write_video_timeline(str(exported / "long.otio"), footage=plan, subs=pysubs2.SSAFile(),
                         duration=11.0, video=video, narration=str(narration))
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    edited = edit(exported / "long.otio", overrides / "long.otio")
    new = plan_from_timeline(overrides / "long.otio", exported, 11.0, FPS)
    assert new.step == "timeline" and len(new.cuts) == len(edited) == 4
    out = tmp_path / "edited.mp4"
    render(footage=new, audio=str(narration), subs=pysubs2.SSAFile(), out=str(out),
           duration=11.0, video=video, mix=AudioMix(original=str(a)))
    # the timeline written with the new video is the edited one, cut for cut
    write_video_timeline(str(exported / "edited.otio"), footage=new, subs=pysubs2.SSAFile(),
                         duration=11.0, video=video, narration=str(narration))
    track = footage_track(exported / "edited.otio")
    got = [(c.range_in_parent(), c.source_range) for c in track.find_clips()]
    assert got == edited
    assert_frames_match(out, exported / "edited.otio")


def test_an_edited_timeline_with_a_speed_and_a_held_frame_renders_them(clips, tmp_path):
    a, b, narration, _ = clips
    timeline = otio.schema.Timeline(name="t")
    track = otio.schema.Track(name="Footage")
    fast = otio.schema.Clip(name="fast", media_reference=otio.schema.ExternalReference(
        target_url=f"file://{a}"), source_range=otio.opentime.range_from_start_end_time(
        otio.opentime.RationalTime(0, FPS), otio.opentime.RationalTime(15, FPS)))
    fast.effects.append(otio.schema.LinearTimeWarp(time_scalar=1.5))
    held = otio.schema.Clip(name="held", media_reference=otio.schema.ExternalReference(
        target_url=str(b)), source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(15, FPS), otio.opentime.RationalTime(30, FPS)))
    held.effects.append(otio.schema.FreezeFrame())
    track.extend([fast, held])
    timeline.tracks.append(track)
    otio.adapters.write_to_file(timeline, str(tmp_path / "t.otio"))
    plan = plan_from_timeline(tmp_path / "t.otio", tmp_path, 3.0, FPS)
    out = tmp_path / "t.mp4"
    render(footage=plan, audio=str(narration), subs=pysubs2.SSAFile(), out=str(out),
           duration=3.0, video=VideoOptions(W, H, fps=FPS, preset="ultrafast"))
    codes = read_codes(out)
    assert codes[14] == pytest.approx(14 / FPS * 1.5, abs=1.6 / SRC_FPS)  # 1.5x
    held = round(BASES["b.mp4"] / SRC_FPS + 1.0, 2)  # b's frame at 1 s
    assert {round(c, 2) for c in codes[16:]} == {held}


def _one_clip_timeline(path: Path, url: str, frames: int, second_track: bool = False,
                       gap: int = 0) -> Path:
    timeline = otio.schema.Timeline()
    track = otio.schema.Track(name="Footage")
    if gap:
        track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(
            duration=otio.opentime.RationalTime(gap, FPS))))
    clip = otio.schema.Clip(name="shot", media_reference=otio.schema.ExternalReference(
        target_url=url), source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, FPS), otio.opentime.RationalTime(frames, FPS)))
    track.append(clip)
    timeline.tracks.append(track)
    if second_track:
        other = otio.schema.Track(name="V2")
        other.append(clip.deepcopy())
        timeline.tracks.append(other)
    otio.adapters.write_to_file(timeline, str(path))
    return path


@pytest.mark.parametrize("kind, message", [
    ("missing", "names a missing file: nowhere.mp4"),
    ("overlap", "overlaps: video track 'V2' holds clip 'shot' at 0.00 s"),
    ("short", "does not cover the narration: its footage ends at 1.00 s, the video is 2.00 s"),
    ("gap", "does not cover the narration: a gap at 0.00-0.33 s"),
    ("garbage", "cannot be read"),
])
def test_a_bad_timeline_fails_with_its_cause(clips, tmp_path, kind, message):
    a = clips[0]
    path = tmp_path / "long.otio"
    if kind == "garbage":
        path.write_text("{not json")
    else:
        _one_clip_timeline(path, "nowhere.mp4" if kind == "missing" else str(a),
                           15 if kind == "short" else 30, kind == "overlap",
                           5 if kind == "gap" else 0)
    with pytest.raises(DramaError) as err:
        plan_from_timeline(path, tmp_path, 2.0, FPS)
    assert message in str(err.value) and str(err.value).startswith("timeline long.otio")
    assert "\n" not in str(err.value)


def test_the_final_cut_pro_xml_reads_back_with_the_same_cuts(clips, tmp_path):
    """render.timeline_xml: the .xml beside the .otio, read back through OpenTimelineIO's FCP 7
    XML adapter (what Premiere, Final Cut and Resolve import), has the same footage cuts."""
    a, b, narration, _ = clips
    plan = FootagePlan("pexels", clips=[Clip(str(a), 3.0), Clip(str(b), 2.0)])
    subs = pysubs2.SSAFile()
    subs.append(pysubs2.SSAEvent(start=0, end=1000, text="Title a", style="Title"))
    subs.append(pysubs2.SSAEvent(start=1000, end=2000, text="the door opened"))
    video = VideoOptions(W, H, fps=30)
    write_video_timeline(str(tmp_path / "long.otio"), footage=plan, subs=subs, duration=11.0,
                         video=video, narration=str(narration), xml=True)
    ours = otio.adapters.read_from_file(str(tmp_path / "long.otio"))
    xml = otio.adapters.read_from_file(str(tmp_path / "long.xml"))

    def cuts(timeline):
        return [(c.media_reference.target_url, c.range_in_parent(), c.source_range)
                for c in timeline.video_tracks()[0].find_clips()]

    assert len(cuts(ours)) == 5 and cuts(xml) == cuts(ours)
    assert [m.name for m in xml.tracks.markers] == ["the door opened", "Title: Title a"]
    narrated = [t.audio_tracks()[0].find_clips()[0].media_reference.target_url
                for t in (ours, xml)]
    assert narrated[0] == narrated[1] == os.path.relpath(narration, tmp_path)
    # its timecodes need a SMPTE rate: another one fails with the reason, in one line
    with pytest.raises(DramaError, match="render.fps 24, 25, 30, 50 or 60"):
        write_video_timeline(str(tmp_path / "odd.otio"), footage=plan, subs=subs, duration=2.0,
                             video=VideoOptions(W, H, fps=FPS), narration=str(narration),
                             xml=True)


def test_an_edited_timeline_carries_each_cuts_own_sound_under_the_voice(speech_video, clips,
                                                                        tmp_path):
    """audio.original_audio with an edited timeline: each cut's own sound at its speed (a
    fast cut's sound is shorter: atempo), silence under a held frame or a silent file."""
    from dramabatch_testkit.media import check_video

    _, b, narration, _ = clips
    timeline = otio.schema.Timeline()
    track = otio.schema.Track(name="Footage")
    for url, start, frames, effect in [(str(speech_video), 0, 15, otio.schema.LinearTimeWarp(
            time_scalar=2.5)), (str(b), 0, 10, None), (str(speech_video), 5, 20,
                                                     otio.schema.FreezeFrame())]:
        clip = otio.schema.Clip(name="c", media_reference=otio.schema.ExternalReference(
            target_url=url), source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(start, FPS), otio.opentime.RationalTime(frames, FPS)))
        if effect is not None:
            clip.effects.append(effect)
        track.append(clip)
    timeline.tracks.append(track)
    otio.adapters.write_to_file(timeline, str(tmp_path / "t.otio"))
    plan = plan_from_timeline(tmp_path / "t.otio", tmp_path, 3.0, FPS)
    out = tmp_path / "t.mp4"
    render(footage=plan, audio=str(narration), subs=pysubs2.SSAFile(), out=str(out),
           duration=3.0, video=VideoOptions(W, H, fps=FPS, preset="ultrafast"),
           mix=AudioMix(original=str(speech_video), original_volume=1.0))
    check_video(out, W, H, 3.0)
    proc = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(out), "-f", "s16le", "-ac",
                           "1", "-ar", "8000", "-"], capture_output=True, check=True)
    pcm = np.abs(np.frombuffer(proc.stdout, np.int16).astype(float))
    loud = [pcm[round(a * 8000):round(b * 8000)].mean() for a, b in
            [(0.1, 0.9), (1.1, 1.6), (1.8, 2.9)]]
    # the narration is silence: what is heard is the first cut's speech, then nothing
    assert loud[0] > 50 * max(loud[1], loud[2], 1.0), loud
