"""The neural voices speak in child processes replaced every few texts (voice.voicer): every
text is voiced once, into the resume store, under the key the job's own engine would give it,
and a child's failure reaches the job as the engine's named cause. Real Piper speech."""

import numpy as np
import pytest

from dramabatch.base.errors import DramaError
from dramabatch.voice import voicer
from dramabatch.voice.pieces import PieceStore, identity
from dramabatch.voice.tts import make_engine

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
