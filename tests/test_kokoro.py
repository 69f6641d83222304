"""Kokoro, the offline neural voice, and the narration's check by ear (real TTS, real Whisper)."""

import json

import numpy as np
import pytest

from dramabatch.base.errors import DramaError
from dramabatch.voice import tts
from dramabatch.voice.narrate import narrate
from dramabatch.voice.tts.kokoro_engine import KokoroEngine, phoneme_language
from dramabatch.voice.tts.kokoro_model import model_path

SEGMENTS = ["María vive en una casa junto al mar.", "El 3 de mayo de 1952 encontró una botella.",
            "Dentro había una carta muy antigua."]
WRONG = "Los perros ladraban toda la noche en el jardín."


@pytest.mark.parametrize(("tag", "phonemes"), [
    ("es", "es"), ("es-ES", "es"), ("es-MX", "es-419"), ("es_419", "es-419"), ("es-AR", "es-419"),
    ("en", "en-us"), ("en-GB", "en-gb")])
def test_the_dialect_follows_the_dramas_language(tag, phonemes):
    assert phoneme_language(tag) == phonemes


def test_a_language_kokoro_cannot_speak_is_refused_with_what_to_set():
    with pytest.raises(DramaError, match="kokoro.*not 'fr'.*tts.voices.fr"):
        tts.make_engine("kokoro", {"language": "fr", "dialect": "fr"})


@pytest.mark.slow
def test_the_model_is_assembled_checked_and_rebuilt_when_truncated(tmp_path):
    path = model_path(tmp_path)
    size = path.stat().st_size
    assert size > 50_000_000 and json.loads((path.parent / "assembled.json").read_text())["sha256"]
    with open(path, "r+b") as f:
        f.truncate(size // 2)  # a copy cut short (killed job, full disk)
    assert model_path(tmp_path) == path and path.stat().st_size == size
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftovers


@pytest.mark.slow
def test_castilian_and_latin_american_differ_and_each_is_deterministic():
    es = KokoroEngine(language="es", threads=2)
    mx = KokoroEngine(language="es-MX", threads=2)
    a, rate = es.synthesize("La calle del cielo.")
    b, _ = mx.synthesize("La calle del cielo.")
    assert rate == 24000 and np.abs(a).max() > 0.1
    assert np.array_equal(a, es.synthesize("La calle del cielo.")[0])  # reruns reproduce timings
    assert len(a) != len(b) or not np.array_equal(a, b)  # θ/ʎ against s/ʝ


class Garbler:
    """Kokoro, except that it says other words for one segment (a voice that garbles)."""

    name = "garbler"

    def __init__(self, options):
        self.voice_id = "garbler"
        self.real = KokoroEngine(language="es", threads=options.get("threads", 1))

    def synthesize(self, text):
        # at any speed and however its numbers are written: the retake fails too
        return self.real.synthesize(WRONG if "botella" in text else text)


@pytest.mark.slow
def test_a_garbled_segment_is_revoiced_by_the_next_engine_and_the_others_are_not(
        tmp_path, monkeypatch):
    monkeypatch.setitem(tts.ENGINES, "garbler", Garbler)
    script = {"language": "es", "segments": [{"text": t, "pause_ms": 400} for t in SEGMENTS]}
    options = {"engine": "piper", "voices": {"es": ["garbler", "kokoro:male", "espeak-ng"]},
               "threads": 2}
    timeline = narrate(script, tmp_path / "n.mp3", tmp_path / "n.json", options,
                       check={"model": "bundled-base", "threads": 2, "max_wer": 0.25},
                       words=tmp_path / "words.json")
    segs = timeline["segments"]
    assert timeline["engine"] == "garbler"
    assert [s["engine"] for s in segs] == ["garbler", "kokoro", "garbler"]
    assert segs[1]["revoiced_from"]["engine"] == "garbler"
    assert segs[1]["revoiced_from"]["wer"] > 0.5
    # Kokoro (male) says the date right: "3" and "1952" heard as words or digits, no error
    assert segs[1]["wer"] <= 0.1, segs[1]["heard"]
    assert all(s["wer"] <= 0.15 for s in (segs[0], segs[2])), segs
    assert "revoiced_from" not in segs[0] and "revoiced_from" not in segs[2]
    assert timeline["check"]["revoiced"] == [1]
    assert timeline["check"]["worst"]["index"] in (0, 1, 2)
    assert json.loads((tmp_path / "n.json").read_text()) == timeline
    # the re-voiced segment's words are timed inside its new span, the others moved with it
    words = json.loads((tmp_path / "words.json").read_text())
    assert [s["text"] for s in words["segments"]] == SEGMENTS
    for seg, timed in zip(words["segments"], segs, strict=True):
        assert seg["start"] == timed["start"] and seg["end"] == timed["end"]
        assert all(timed["start"] <= w["start"] <= w["end"] <= timed["end"] for w in seg["words"])
    assert words["aligned"] >= words["words"] - 2
    assert segs[1]["start"] - segs[0]["end"] == pytest.approx(0.4, abs=0.002)


@pytest.mark.slow
def test_a_segment_the_long_pass_lost_is_heard_again_alone_not_revoiced(tmp_path, monkeypatch):
    """Whisper's long pass can drop words where its 30 s windows meet; the voice is not to blame
    then, so the segment is heard alone and keeps its voice (and the next engine never starts)."""
    from dramabatch.voice import narrate as narrate_module

    real = narrate_module.whisper_recogniser
    calls = []

    def lossy(*args):
        recognise = real(*args)

        def hear(samples, rate):
            words = recognise(samples, rate)
            calls.append(len(samples) / rate)
            return words[:-3] if len(calls) == 1 else words  # the long pass loses the end

        return hear

    built = []
    monkeypatch.setattr(narrate_module, "whisper_recogniser", lossy)
    monkeypatch.setitem(tts.ENGINES, "spy", lambda options: built.append(options) or Garbler({}))
    script = {"language": "es", "segments": [{"text": t, "pause_ms": 400}
                                             for t in (SEGMENTS[0], SEGMENTS[2])]}
    timeline = narrate(script, tmp_path / "n.mp3", tmp_path / "n.json",
                       {"engine": "piper", "voices": {"es": ["kokoro", "spy"]}, "threads": 2},
                       check={"model": "bundled-base", "threads": 2, "max_wer": 0.25},
                       words=tmp_path / "words.json")
    last = timeline["segments"][1]
    assert len(calls) == 2 and calls[1] < calls[0]  # the long pass, then the segment alone
    assert last["engine"] == "kokoro" and last["heard_alone"] and last["wer"] <= 0.2
    assert "revoiced_from" not in last and built == [] and timeline["check"]["revoiced"] == []
