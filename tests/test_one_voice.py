"""One voice from start to end: a garbled segment is first said again by the same voice,
slower and with its numbers spelt out; another engine speaks it only when that fails too,
and the check record says so. Real Kokoro, real espeak-ng, real Whisper."""

import pytest

from dramabatch.voice import tts
from dramabatch.voice.narrate import narrate
from dramabatch.voice.tts.kokoro_engine import KokoroEngine

SEGMENTS = ["María vive en una casa junto al mar.", "El 3 de mayo encontró una botella.",
            "Dentro había una carta muy antigua."]
WRONG = "Los perros ladraban toda la noche en el jardín."
CHECK = {"model": "bundled-base", "threads": 2, "max_wer": 0.25}


def stumbler(always: bool, built: list):
    """Kokoro that rushes the bottle clause into other words at its normal speed (always, or
    only until slowed down), like a neural voice tripping on a name Whisper misheard."""

    class Stumbler:
        name = "kokoro"

        def __init__(self, options):
            self.speed = float(options.get("kokoro_speed") or 1.0)
            self.voice_id = "stumbler"
            self.real = KokoroEngine(language="es", speed=self.speed,
                                     threads=options.get("threads", 1))
            built.append(self.speed)

        def synthesize(self, text):
            trips = "botella" in text and (always or self.speed >= 1.0)
            return self.real.synthesize(WRONG if trips else text)

    return Stumbler


def _narrate(tmp_path, monkeypatch, always):
    built: list[float] = []
    monkeypatch.setitem(tts.ENGINES, "kokoro", stumbler(always, built))
    script = {"language": "es", "segments": [{"text": t, "pause_ms": 300} for t in SEGMENTS]}
    timeline = narrate(script, tmp_path / "n.mp3", tmp_path / "n.json",
                       {"engine": "piper", "voices": {"es": ["kokoro", "espeak-ng"]},
                        "threads": 2}, check=CHECK)
    return timeline, built


@pytest.mark.slow
def test_the_same_voice_says_it_again_slower_before_any_other_engine(tmp_path, monkeypatch):
    timeline, built = _narrate(tmp_path, monkeypatch, always=False)
    segs = timeline["segments"]
    assert [s["engine"] for s in segs] == ["kokoro"] * 3
    assert built == [1.0, 0.85]  # the narration's voice, then its slower take; no espeak-ng
    assert segs[1]["retake"] and segs[1]["revoiced_from"] == {
        "engine": "kokoro", "wer": segs[1]["revoiced_from"]["wer"]}
    assert segs[1]["revoiced_from"]["wer"] > 0.5 and segs[1]["wer"] <= 0.15, segs[1]["heard"]
    assert timeline["check"]["retaken"] == [1] and timeline["check"]["switched"] == []


@pytest.mark.slow
def test_another_engine_only_when_the_retake_fails_and_the_summary_says_so(tmp_path,
                                                                            monkeypatch):
    timeline, built = _narrate(tmp_path, monkeypatch, always=True)
    segs = timeline["segments"]
    assert built == [1.0, 0.85]
    assert [s["engine"] for s in segs] == ["kokoro", "espeak-ng", "kokoro"]
    assert "retake" not in segs[1]
    assert timeline["check"]["retaken"] == []
    assert timeline["check"]["switched"] == [{"index": 1, "engine": "espeak-ng",
                                              "from": "kokoro"}]
