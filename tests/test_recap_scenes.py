"""The recap's picture follows its narration: a source whose picture encodes its own time and
whose sound is real speech, transcribed by Whisper, recapped by the fake endpoint, voiced, planned
under ``scenes`` and rendered; then every frame of the long video is read back.

Measured: the share of narrated frames whose source time lies inside the span of the segments
their beat cites (goal: all of them), the original moment's speed, and its sound (transcribed
again from the long video, it says the segment's own words).
"""

from __future__ import annotations

import difflib
import json
import re

import numpy as np
import pysubs2
import pytest
from test_scenes import SRC_FPS, H, W, read_codes, timecoded_video

from dramabatch.base.audio import extract_audio, trim_silence, write_wav_mono
from dramabatch.base.media import run_ffmpeg
from dramabatch.footage.scene_plan import scenes_background
from dramabatch.render.options import VideoOptions
from dramabatch.render.videos import render
from dramabatch.script.compose import make_script
from dramabatch.speech.transcribe import TranscribeOptions, transcribe
from dramabatch.voice.align import fold, recognise_words
from dramabatch.voice.narrate import narrate
from dramabatch_testkit.media import check_video
from dramabatch_testkit.recap_server import beats, recap_record

#: The drama's lines and where they are said (seconds); the third is the key line.
LINES = [(0.4, "The old door opened slowly."), (3.4, "Nobody was standing there."),
         (6.4, "Where did you hide my letters?"), (9.4, "She burned every one of them.")]
KEY_WORDS = "letters"
FPS = 15


def answer(body: dict, n: int) -> str:
    """A good recap of whatever transcript it is sent: one narration over the segments before
    the key line, the key line itself, one narration over the rest."""
    lines = re.findall(r"^\[(\d+)\] [\d.]+-[\d.]+ (.*)$", body["messages"][1]["content"], re.M)
    key = next(int(k) for k, text in lines if KEY_WORDS in text)
    before, after = list(range(key)), list(range(key + 1, len(lines)))
    items = [{"type": "narration", "segments": before,
              "text": "A door opens in an empty house, and no one is there."},
             {"type": "original", "segments": [key]}]
    if after:
        items.append({"type": "narration", "segments": after,
                      "text": "Then she burns all of them."})
    return beats(*items)

def narrated_recap(source, d) -> tuple[dict, dict, dict]:
    """``source`` transcribed, recapped by the loopback endpoint's ``answer`` and narrated by
    Piper with the original moments' own sound: (transcript, recap record, narration.json)."""
    extract_audio(source, d / "16k.wav")
    transcript = transcribe(d / "16k.wav", TranscribeOptions(language="en"))
    record = recap_record(transcript, answer)
    assert "fallback" not in record, record
    script = make_script(transcript, None, {}, rewritten=record)
    timeline = narrate(script, d / "n.mp3", d / "n.json", {"engine": "piper", "voice": "bundled"},
                       source=str(source))
    return transcript, record, timeline


@pytest.fixture(scope="module")
def recap(tmp_path_factory, piper):
    d = tmp_path_factory.mktemp("recap")
    rate = 22050
    sound = np.zeros(12 * rate, np.float32)
    for at, text in LINES:
        samples, got = piper.synthesize(text)
        assert got == rate
        speech = trim_silence(samples, rate)
        sound[round(at * rate):round(at * rate) + len(speech)] = speech
    write_wav_mono(d / "speech.wav", sound, rate)
    picture = timecoded_video(d / "picture.mp4")
    source = d / "source.mp4"
    run_ffmpeg(["-i", str(picture), "-i", str(d / "speech.wav"), "-map", "0:v", "-map", "1:a",
                "-c:v", "copy", "-c:a", "aac", "-shortest", "-f", "mp4", str(source)],
               what="test source")
    transcript, record, timeline = narrated_recap(source, d)
    plan = scenes_background(str(source), timeline, "landscape", (W, H),
                             {"subtitle_band": "none"})
    out = d / "long.mp4"
    render(footage=plan, audio=str(d / "n.mp3"), subs=pysubs2.SSAFile(), out=str(out),
           duration=timeline["duration"], video=VideoOptions(W, H, fps=FPS, preset="ultrafast"))
    return d, transcript, record, timeline, plan, out


@pytest.mark.slow
def test_every_narrated_frame_shows_the_segments_its_beat_cites(recap):
    d, transcript, record, timeline, plan, out = recap
    check_video(out, W, H, timeline["duration"])
    codes = read_codes(out, W, H)
    segs = transcript["segments"]
    tol = 1.5 / SRC_FPS  # the source's own frame steps
    snap = 0.3  # scenes.snap_s: a beat's edge may move this far to a shot change
    inside = strict = total = 0
    misses = []
    outside: dict[str, int] = {}  # frames outside the cited span itself, by the span's origin
    for span in plan.spans:
        assert span["origin"] in ("recap", "original") and span["cites"], span
        a, b = segs[span["cites"][0]]["start"], segs[span["cites"][-1]]["end"]
        # every output frame of this window but the one on each edge (rounded to frames)
        for k in range(round(span["start"] * FPS) + 1, round(span["end"] * FPS) - 1):
            total += 1
            if a - tol <= codes[k] <= b + tol:
                strict += 1
            else:
                outside[span["origin"]] = outside.get(span["origin"], 0) + 1
            if a - tol - snap <= codes[k] <= b + tol + snap:
                inside += 1
            else:
                misses.append((k / FPS, codes[k], (a, b)))
    share = inside / total
    print(f"recap: {inside}/{total} narrated frames inside their cited span + snap "
          f"({share:.1%}); {strict}/{total} inside it without the snap tolerance {outside}; "
          f"{[r for r in plan.reasons if 'snapped' in r]}")
    (d / "share.json").write_text(json.dumps({"inside": inside, "strict": strict,
                                              "total": total}))
    assert total > 5 * FPS and share == 1.0, misses[:10]


@pytest.mark.slow
def test_the_original_moment_plays_its_own_sound_and_picture_at_1x(recap):
    d, transcript, record, timeline, plan, out = recap
    (moment,) = [s for s in timeline["segments"] if s.get("kind") == "original"]
    (span,) = [s for s in plan.spans if s["origin"] == "original"]
    assert span["speed"] == 1.0 and span["cites"] == moment["cites"]
    own = transcript["segments"][moment["cites"][0]]
    beat = record["beats"][moment["beat"]]
    assert beat["source_start"] == own["start"] and 0 <= beat["source_end"] - own["end"] <= 0.3
    assert abs((moment["end"] - moment["start"])
               - (beat["source_end"] - beat["source_start"])) < 1e-3
    # the picture moves at 1x under it
    codes = read_codes(out, W, H)
    k0, k1 = round(moment["start"] * FPS) + 1, round(moment["end"] * FPS) - 1
    speed = (codes[k1] - codes[k0]) / ((k1 - k0) / FPS)
    assert 0.9 <= speed <= 1.1, speed
    # the narration after it starts exactly where its pause ends (sample-exact timing)
    after = timeline["segments"][moment["index"] + 1]
    assert abs(after["start"] - moment["end"] - moment["pause_ms"] / 1000) < 1e-3
    # its sound, transcribed again from the long video, is the segment's own words
    run_ffmpeg(["-ss", f"{moment['start']:.3f}", "-t", f"{moment['end'] - moment['start']:.3f}",
                "-i", str(out), "-vn", "-ac", "1", "-ar", "16000", str(d / "moment.wav")],
               what="moment audio")
    heard, _ = recognise_words(d / "moment.wav", language="en")
    said = [fold(w["word"]) for w in heard]
    words = [fold(w) for w in own["text"].split()]
    ratio = difflib.SequenceMatcher(None, said, words).ratio()
    print(f"recap: the original moment heard {said} for {words} (match {ratio:.2f})")
    assert ratio >= 0.8 and "hide" in said, (said, words)


def test_a_beat_edge_snaps_to_the_nearest_shot_change_within_reach(tmp_path):
    """A cut at 1.4 s: a beat starting at 1.25 s starts on it; an edge with no cut in reach,
    and an original moment's edges (its sound is cut at its own times), stay."""
    from dramabatch.footage.snap import snap_beats
    from dramabatch_testkit.media import encode_gray

    frames = [np.full((H, W), 30 if n < 28 else 220, np.uint8) for n in range(60)]  # 20 fps
    source = str(encode_gray(frames, tmp_path / "cut.mp4", 20))
    timeline = {"duration": 9.0, "segments": [
        {"text": "a", "sentence": 0, "beat": 0, "source_start": 1.25, "source_end": 2.0},
        {"text": "b", "sentence": 1, "beat": 0, "source_start": 2.0, "source_end": 2.9},
        {"text": "c", "sentence": 2, "beat": 1, "kind": "original", "source_start": 1.3,
         "source_end": 2.5}]}
    snapped, notes = snap_beats(timeline, source, 0.3, 3.0)
    first, second, original = snapped["segments"]
    assert abs(first["source_start"] - 1.4) <= 0.1 + 1e-6, notes
    assert second["source_end"] == 2.9 and original["source_start"] == 1.3
    assert len(notes) == 1 and "snapped to the shot change" in notes[0]
    assert timeline["segments"][0]["source_start"] == 1.25  # the input is left alone
    assert snap_beats(timeline, source, 0.0, 3.0) == (timeline, [])
    far = {**timeline, "segments": [{**timeline["segments"][0], "source_start": 0.9}]}
    assert snap_beats(far, source, 0.3, 3.0)[1] == []  # the cut is 0.5 s away: out of reach


@pytest.mark.slow
def test_the_music_is_ducked_under_the_original_moment(recap, tmp_path):
    """The moment's sound is in the narration track, the key of the ducking: a music tone is
    pushed down under it as under the voice, and comes back in the silence after the end."""
    from dramabatch.base.audio import decode_to_mono
    from dramabatch.render.options import AudioMix

    d, transcript, record, timeline, plan, out = recap
    rate, tone = 44100, 5000.0
    t = np.arange(round(timeline["duration"] * rate) + rate) / rate
    write_wav_mono(tmp_path / "music.wav", (0.5 * np.sin(2 * np.pi * tone * t)).astype(np.float32),
                   rate)
    mixed = tmp_path / "mixed.mp4"
    render(footage=plan, audio=str(d / "n.mp3"), subs=pysubs2.SSAFile(), out=str(mixed),
           duration=timeline["duration"], video=VideoOptions(W, H, fps=FPS, preset="ultrafast"),
           mix=AudioMix(music=str(tmp_path / "music.wav")))
    samples, got = decode_to_mono(mixed)

    def tone_level(a: float, b: float) -> float:
        """Magnitude of the music's tone between ``a`` and ``b`` seconds (speech has little
        energy in that one bin)."""
        piece = samples[round(a * got):round(b * got)]
        spectrum = np.abs(np.fft.rfft(piece * np.hanning(len(piece))))
        return float(spectrum[round(tone * len(piece) / got)] / len(piece))

    (moment,) = [s for s in timeline["segments"] if s.get("kind") == "original"]
    under = 4 * tone_level(moment["start"] + 0.3, moment["end"])  # a Hann window's gain: 1/4
    free = 0.5 * 0.15  # the tone's amplitude at music_volume 0.15, not ducked
    print(f"recap: music tone {20 * np.log10(under / free):.1f} dB under the original moment")
    assert under < free / 2, (under, free)
