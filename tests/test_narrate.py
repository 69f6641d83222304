import json
import subprocess

import numpy as np
import pytest

from dramabatch.base.audio import decode_to_mono
from dramabatch.base.errors import DramaError
from dramabatch.base.media import ffmpeg_exe, probe
from dramabatch.script.sentences import build_script
from dramabatch.voice.narrate import _join, narrate


def loudness(path):
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-af",
                           "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True)
    summary = proc.stderr[proc.stderr.rindex("Summary:"):]
    integrated = float(summary.split("I:")[1].split("LUFS")[0])
    peak = float(summary.split("Peak:")[1].split("dBFS")[0])
    return integrated, peak


@pytest.fixture(scope="module")
def narrated(tmp_path_factory):
    out = tmp_path_factory.mktemp("narr")
    segs = build_script("The storm came at night, and the lights went out. Nobody moved.",
                        sentence_pause_ms=600, comma_pause_ms=300)
    script = {"language": "en", "segments": [s.to_dict() for s in segs]}
    timeline = narrate(script, out / "n.mp3", out / "n.json",
                       {"engine": "piper", "voice": "bundled", "loudness_lufs": -14,
                        "true_peak_db": -1})
    return out, timeline


@pytest.mark.slow
def test_timeline_matches_mp3_and_silences_are_real(narrated):
    out, timeline = narrated
    assert json.loads((out / "n.json").read_text()) == timeline
    assert abs(probe(out / "n.mp3").duration - timeline["duration"]) < 0.06
    samples, rate = decode_to_mono(out / "n.mp3")
    segs = timeline["segments"]
    assert [s["text"] for s in segs] == ["The storm came at night,", "and the lights went out.",
                                         "Nobody moved."]
    for a, b in zip(segs, segs[1:], strict=False):
        gap = b["start"] - a["end"]
        assert abs(gap - a["pause_ms"] / 1000) < 0.002
        mid = slice(int((a["end"] + 0.06) * rate), int((b["start"] - 0.06) * rate))
        assert np.abs(samples[mid]).max() < 0.02, "pause is not silent"
        speech = slice(int(a["start"] * rate), int(a["end"] * rate))
        assert np.abs(samples[speech]).max() > 0.1, "segment has no speech"


def test_loudness_is_normalised(narrated):
    out, timeline = narrated
    integrated, peak = loudness(out / "n.mp3")
    assert abs(integrated - -14) <= 1.0 or peak > -1.6, (integrated, peak)
    assert peak <= -0.5
    assert timeline["loudness"]["target_lufs"] == -14


class CountingEngine:
    name = "counting"

    def __init__(self):
        self.calls = []

    def synthesize(self, text):
        self.calls.append(text)
        return np.full(2205, 0.5, np.float32), 22050


def test_identical_segments_synthesised_once():
    engine = CountingEngine()
    segs = [{"text": "Yes.", "pause_ms": 100}, {"text": "No.", "pause_ms": 100},
            {"text": "Yes.", "pause_ms": 0}]
    samples, rate, timed = _join(segs, engine)
    assert engine.calls == ["Yes.", "No."]
    assert len(timed) == 3 and timed[2]["end"] == pytest.approx(len(samples) / rate, abs=1e-3)


def test_failing_engine_is_named_and_fallback_used(tmp_path):
    script = {"language": "en", "segments": [{"text": "Hello there.", "sentence": 0,
                                              "pause_ms": 0}]}
    with pytest.raises(DramaError, match="espeak-ng|every TTS engine failed"):
        narrate(script, tmp_path / "a.mp3", tmp_path / "a.json",
                {"engine": "piper", "voice": "/nonexistent/voice.onnx", "fallback": []})
    timeline = narrate(script, tmp_path / "b.mp3", tmp_path / "b.json",
                       {"engine": "piper", "voice": "/nonexistent/voice.onnx",
                        "fallback": ["piper"]} | {"voice": "bundled"})
    assert timeline["engine"] == "piper"


@pytest.mark.slow
@pytest.mark.parametrize("target", [-14.0, -20.0])
def test_loudness_target_and_true_peak_measured_by_ebur128(tmp_path, target):
    segs = build_script("¡Cuidado! The storm came at night, and the lights went out. 🌩️ Nobody "
                        "moved, nobody spoke.")
    script = {"language": "en", "segments": [s.to_dict() for s in segs]}
    timeline = narrate(script, tmp_path / "n.mp3", tmp_path / "n.json",
                       {"engine": "piper", "loudness_lufs": target, "true_peak_db": -1.0})
    integrated, peak = loudness(tmp_path / "n.mp3")
    assert abs(integrated - target) <= 1.0, (integrated, peak)
    assert peak <= -1.0, peak  # true peak (ebur128 peak=true), after MP3 encoding
    assert timeline["loudness"]["target_lufs"] == target
    assert timeline["loudness"]["output_lufs"] == pytest.approx(integrated, abs=0.2)
    assert "🌩" in timeline["segments"][-2]["text"] or "🌩" in json.dumps(timeline,
                                                                        ensure_ascii=False)


@pytest.mark.slow
def test_a_loudness_the_ceiling_cannot_allow_fails_with_the_figures(tmp_path):
    """-6 LUFS under a -9 dBTP ceiling is impossible for speech; before, the narration was
    written anyway about 12 LU too quiet. Now the job fails, says by how much, and writes
    nothing."""
    script = {"language": "en",
              "segments": [s.to_dict() for s in build_script("The storm came at night.")]}
    with pytest.raises(DramaError, match=r"narration reached -\d+\.\d LUFS, \d+\.\d LU from its "
                                         r"-6 LUFS target, under the -9 dBTP ceiling"):
        narrate(script, tmp_path / "n.mp3", tmp_path / "n.json",
                {"engine": "piper", "loudness_lufs": -6, "true_peak_db": -9})
    assert not (tmp_path / "n.mp3").exists() and not (tmp_path / "n.json").exists()
