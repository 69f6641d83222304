"""A recap's original moment of a quiet speaker is heard at the narration's loudness: a source whose
key line is spoken 15 dB under the others, transcribed by Whisper, recapped by the loopback
stand-in endpoint (which cites that line as an original moment), narrated and rendered; then the
long video's sound is measured (EBU R128) over the moment and over the narration around it."""

from __future__ import annotations

import re
import subprocess

import numpy as np
import pysubs2
import pytest
from test_recap_scenes import KEY_WORDS, LINES, narrated_recap

from dramabatch.base.audio import trim_silence, write_wav_mono
from dramabatch.base.media import ffmpeg_exe, run_ffmpeg
from dramabatch.footage.background import generated
from dramabatch.render.options import VideoOptions
from dramabatch.render.videos import render

# slow: Whisper, narration and a render per test; make test-fast leaves it out
pytestmark = pytest.mark.slow

#: How far under the other lines the key line is said (the issue's speaker: 13 dB under).
QUIET_DB = 15.0


def lufs(path, start: float, end: float) -> float:
    """Integrated loudness of ``path``'s sound from ``start`` to ``end`` s (ffmpeg ebur128)."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostats", "-nostdin", "-ss", f"{start:.3f}", "-t",
         f"{end - start:.3f}", "-i", str(path), "-map", "0:a:0", "-af", "ebur128", "-f", "null",
         "-"], capture_output=True, text=True, timeout=120)
    summary = proc.stderr[proc.stderr.rfind("Summary:"):]
    return float(re.search(r"I:\s*(-?[\d.]+) LUFS", summary).group(1))


@pytest.fixture(scope="module")
def quiet_recap(tmp_path_factory, piper):
    d = tmp_path_factory.mktemp("quiet")
    rate = 22050
    sound = np.zeros(12 * rate, np.float32)
    for at, text in LINES:
        samples, got = piper.synthesize(text)
        speech = trim_silence(samples, got)
        if KEY_WORDS in text:
            speech = speech * 10 ** (-QUIET_DB / 20)
        sound[round(at * rate):round(at * rate) + len(speech)] = speech
    write_wav_mono(d / "speech.wav", sound, rate)
    source = d / "source.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=gray:s=160x90:r=15:d=12", "-i",
                str(d / "speech.wav"), "-map", "0:v", "-map", "1:a", "-c:v", "libx264",
                "-preset", "ultrafast", "-c:a", "aac", "-shortest", "-f", "mp4", str(source)],
               what="quiet source")
    transcript, _, timeline = narrated_recap(source, d)
    out = d / "long.mp4"
    render(footage=generated("quiet", 160, 90, 15), audio=str(d / "n.mp3"),
           subs=pysubs2.SSAFile(), out=str(out), duration=timeline["duration"],
           video=VideoOptions(160, 90, fps=15, preset="ultrafast"))
    return source, transcript, timeline, out


def test_a_quiet_original_moment_is_as_loud_as_the_narration_around_it(quiet_recap):
    source, transcript, timeline, long_mp4 = quiet_recap
    segs = timeline["segments"]
    (k,) = [i for i, s in enumerate(segs) if s.get("kind") == "original"]
    moment = segs[k]
    # the source really says it quietly: the cited line under the line before it
    key = next(s for s in transcript["segments"] if KEY_WORDS in s["text"])
    other = transcript["segments"][0]
    assert (lufs(source, key["start"], key["end"]) + QUIET_DB / 2
            < lufs(source, other["start"], other["end"]))
    heard = lufs(long_mp4, moment["start"], moment["end"])
    around = [s for s in (segs[k - 1] if k else None, segs[k + 1] if k + 1 < len(segs) else None)
              if s is not None]
    voice = [lufs(long_mp4, s["start"], s["end"]) for s in around]
    both = lufs_concat(long_mp4, around)
    print(f"moment {heard:.1f} LUFS; narration around it {voice} LUFS (together {both:.1f}); "
          f"levelling record {timeline.get('moments')}")
    assert abs(heard - both) <= 2.0, (heard, voice, both)
    assert all(abs(heard - v) <= 2.5 for v in voice), (heard, voice)
    assert timeline["moments"][0]["gain_db"] > QUIET_DB / 2


def lufs_concat(path, segs: list[dict]) -> float:
    """Integrated loudness of several stretches of ``path``'s sound together (one meter)."""
    parts = "".join(f"[0:a]atrim={s['start']:.3f}:{s['end']:.3f},asetpts=N/SR/TB[a{i}];"
                    for i, s in enumerate(segs))
    graph = parts + "".join(f"[a{i}]" for i in range(len(segs))) + \
        f"concat=n={len(segs)}:v=0:a=1,ebur128[out]"
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostats", "-nostdin", "-i", str(path),
         "-filter_complex", graph, "-map", "[out]", "-f", "null", "-"],
        capture_output=True, text=True, timeout=120)
    summary = proc.stderr[proc.stderr.rfind("Summary:"):]
    return float(re.search(r"I:\s*(-?[\d.]+) LUFS", summary).group(1))


@pytest.mark.parametrize(("db", "click"), [(-15.0, 0.0), (12.0, 0.0), (-15.0, 0.3)],
                         ids=["quiet", "loud", "quiet-with-a-click"])
def test_each_moment_is_levelled_to_the_voice_around_it_sample_for_sample(piper, db, click):
    """Unit: a quiet moment is raised, a loud one lowered (its peaks held under the ceiling by
    the limiter, not clipped), each to within 1 LU of the voice around it, every sample kept
    in place; the voice itself is not touched."""
    from dramabatch.voice.moments import MOMENT_CEILING, level_moments, loudness

    before, rate = piper.synthesize(LINES[0][1])
    line, _ = piper.synthesize(LINES[2][1])
    after, _ = piper.synthesize(LINES[3][1])
    moment = (trim_silence(line, rate) * 10 ** (db / 20)).astype(np.float32)
    moment[len(moment) // 2] = click or moment[len(moment) // 2]  # a door's click: one peak
    pieces = [trim_silence(before, rate), moment, trim_silence(after, rate)]
    voice = [p.copy() for p in pieces[::2]]
    segments = [{"kind": "narration"}, {"kind": "original"}, {"kind": "narration"}]
    (record,) = level_moments(segments, pieces, rate)
    assert record["index"] == 1 and len(pieces[1]) == len(moment)
    want = loudness(np.concatenate(voice), rate)
    assert abs(loudness(pieces[1], rate) - want) <= 1.0, record
    assert float(np.abs(pieces[1]).max()) <= MOMENT_CEILING + 0.01
    assert all(np.array_equal(a, b) for a, b in zip(pieces[::2], voice, strict=True))
    assert (record["gain_db"] > 0) == (db < 0)
    if click:
        assert record["limited"], record
