"""The neural voices speak in child processes replaced every few texts (voice.voicer): every
text is voiced once, into the resume store, under the key the job's own engine would give it,
and a child's failure reaches the job as the engine's named cause. Real Piper speech."""

import numpy as np
import pytest

from dramabatch.base.errors import DramaError
from dramabatch.voice import voicer
from dramabatch.voice.pieces import PieceStore, identity
from dramabatch.voice.tts import make_engine

# slow: real voices in child processes (each starts Python and loads its model)
pytestmark = pytest.mark.slow

TEXTS = ["One.", "Two birds.", "Three small boats.", "Four.", "Five lights went out."]
OPTIONS = {"voice": "bundled", "language": "en"}


def test_children_voice_each_text_once_into_the_store_in_batches(tmp_path, monkeypatch):
    children = []
    real = voicer._run_child

    def counted(spec):
        children.append(len(spec["texts"]))
        yield from real(spec)

    monkeypatch.setattr(voicer, "_run_child", counted)
    seen: list[tuple[int, bool]] = []
    who = voicer.voice_texts("piper", OPTIONS, TEXTS, tmp_path, lambda d, v: seen.append((d, v)),
                             batch=2)
    assert children == [5, 3, 1]  # a new child after every two texts voiced
    assert seen == [(i + 1, True) for i in range(len(TEXTS))]
    # the key is the one the job's own engine gives (a retake or a resume finds the pieces)
    assert who == identity(make_engine("piper", OPTIONS))
    store = PieceStore(tmp_path)
    for text in TEXTS:
        samples, rate = store.get(store.key(text, who))
        assert rate > 8000 and samples.dtype == np.float32 and np.abs(samples).max() > 0.05

    children.clear()
    seen.clear()
    again = voicer.voice_texts("piper", OPTIONS, TEXTS, tmp_path, lambda d, v: seen.append((d, v)),
                               batch=2)
    assert again == who and children == [5]  # all kept: one child, nothing voiced
    assert seen == [(i + 1, False) for i in range(len(TEXTS))]


def test_a_child_that_cannot_start_its_engine_fails_with_the_cause(tmp_path):
    with pytest.raises(DramaError, match="kokoro.*speaks es, en, not 'xx'"):
        voicer.voice_texts("kokoro", {"language": "xx"}, TEXTS, tmp_path)
    assert not list(tmp_path.glob("*.npz"))


def test_a_child_killed_midway_fails_naming_the_engine_and_the_signal(tmp_path, monkeypatch):
    # a text that makes the child kill itself: what the kernel's OOM killer does to a child
    monkeypatch.setenv("PYTHONPATH", str(_hook(tmp_path)))
    with pytest.raises(DramaError, match=r"TTS engine 'piper'.*ended with signal 9"):
        voicer.voice_texts("piper", OPTIONS, ["Fine.", "KILL ME"], tmp_path / "store")
    assert len(list((tmp_path / "store").glob("*.npz"))) == 1  # the text before it is kept


def _hook(tmp_path):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import os, signal\n"
        "from dramabatch.voice.tts.piper_engine import PiperEngine\n"
        "real = PiperEngine.synthesize\n"
        "def synthesize(self, text):\n"
        "    if text == 'KILL ME':\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return real(self, text)\n"
        "PiperEngine.synthesize = synthesize\n")
    return hook


def test_a_garbled_segments_retake_is_voiced_by_a_child_and_read_from_the_store(tmp_path,
                                                                                monkeypatch):
    """check_by_ear with a piece store: the same voice's slower retake comes from a child
    (the job never builds the engine) and is heard right. Real Piper, real Whisper."""
    from dramabatch.voice import tts
    from dramabatch.voice.hearing import check_by_ear, whisper_recogniser
    from dramabatch.voice.joined import write_joined
    from dramabatch.voice.narrate import speakable
    from dramabatch.voice.tts import slower_take

    lines = ["The storm came at night.", "She opened the old wooden door.", "Nobody moved."]
    engine = make_engine("piper", OPTIONS)
    pieces, rate = [], 0
    for text in [lines[0], "Seven green bottles on the wall.", lines[2]]:  # the middle one
        samples, rate = engine.synthesize(text)                            # says other words
        pieces.append(samples)
    segments = [{"text": t, "pause_ms": 300} for t in lines]
    joined, timed = write_joined(segments, pieces, rate, tmp_path / "n.wav")
    store = PieceStore(tmp_path / "store")
    recognise = whisper_recogniser("bundled-tiny.en", "en", 1, {})
    monkeypatch.setattr(voicer, "IN_PROCESS_MAX", 0)  # three segments, voiced as an hour's
    built = []
    real = tts.ENGINES["piper"]
    monkeypatch.setitem(tts.ENGINES, "piper", lambda options: built.append(options) or
                        real(options))
    voiced, records, _ = check_by_ear(
        segments, joined, list(pieces), rate, timed, "piper", [], recognise, 0.25, "en",
        speakable, same_voice=slower_take("piper", OPTIONS), store=store)
    assert [r.get("retake") is not None for r in records] == [False, True, False], records
    assert built == []  # the job never built the voice: a child did
    assert records[1]["wer"] <= 0.25 and records[1]["revoiced_from"]["wer"] > 0.5
    # the take is the one the child kept, under the slower voice's own key
    who = identity(make_engine("piper", slower_take("piper", OPTIONS)))
    kept, _ = store.get(store.key(lines[1], who))
    assert len(kept) and abs(len(voiced[1]) - len(kept)) < len(kept) // 2
    assert voiced[0] is pieces[0] and voiced[2] is pieces[2]


def test_a_segment_with_nothing_to_speak_is_named_as_without_children(tmp_path, monkeypatch):
    from dramabatch.voice.narrate import narrate

    monkeypatch.setattr(voicer, "IN_PROCESS_MAX", 0)
    script = {"language": "en", "segments": [{"text": "The storm came.", "pause_ms": 300},
                                             {"text": "🌧️ …", "pause_ms": 0}]}
    with pytest.raises(DramaError, match=r"piper: script segment 1 has nothing to speak"):
        narrate(script, tmp_path / "n.mp3", tmp_path / "n.json",
                {"engine": "piper", "voice": "bundled"}, pieces=tmp_path / "pieces")


def test_a_short_narration_voices_in_the_job_itself(tmp_path, monkeypatch):
    """Up to IN_PROCESS_MAX segments no child is started (2-3 s each, for nothing to bound)."""
    from dramabatch.voice import tts
    from dramabatch.voice.narrate import narrate

    built = []
    real = tts.ENGINES["piper"]
    monkeypatch.setitem(tts.ENGINES, "piper", lambda options: built.append(options) or
                        real(options))
    script = {"language": "en", "segments": [{"text": t, "pause_ms": 300} for t in TEXTS]}
    narrate(script, tmp_path / "n.mp3", tmp_path / "n.json",
            {"engine": "piper", "voice": "bundled"}, pieces=tmp_path / "pieces")
    assert len(TEXTS) <= voicer.IN_PROCESS_MAX and len(built) == 1
    assert len(list((tmp_path / "pieces").glob("*.npz"))) == len(TEXTS)
