import wave

import numpy as np
import pytest
from conftest import SENTENCE_A
from textmetrics import wer

from dramabatch.audio import extract_audio, write_wav_mono
from dramabatch.errors import DramaError
from dramabatch.transcribe import TranscribeOptions, transcribe


@pytest.fixture(scope="module")
def wav16k(speech_video, tmp_path_factory):
    out = tmp_path_factory.mktemp("asr") / "a.wav"
    extract_audio(speech_video, out)
    return out


def test_extract_audio_is_16k_mono(wav16k):
    with wave.open(str(wav16k)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)
        assert w.getnframes() / 16000 > 3


def test_extract_audio_rejects_source_without_audio(silent_video, tmp_path):
    with pytest.raises(DramaError, match="no audio stream in source"):
        extract_audio(silent_video, tmp_path / "x.wav")
    assert not list(tmp_path.iterdir())


def test_real_speech_word_error_rate(wav16k):
    result = transcribe(wav16k, TranscribeOptions(language="en", threads=2))
    text = " ".join(s["text"] for s in result["segments"])
    assert wer(SENTENCE_A, text) <= 0.15, text
    assert result["language"] == "en" and result["backend"] == "faster-whisper"
    words = [w for s in result["segments"] for w in s["words"]]
    assert len(words) >= 15
    assert all(a["start"] <= b["start"] for a, b in zip(words, words[1:], strict=False))
    assert abs(result["duration"] - 3) < 10


def test_music_without_speech_fails_clearly(tmp_path):
    rate = 16000
    t = np.arange(rate * 6) / rate
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220, 277.2, 329.6)) * 0.2
    write_wav_mono(tmp_path / "music.wav", chord.astype(np.float32), rate)
    with pytest.raises(DramaError, match="no speech found"):
        transcribe(tmp_path / "music.wav", TranscribeOptions(language="en", vad_filter=True))


def test_unknown_backend():
    with pytest.raises(DramaError, match="unknown transcription backend"):
        transcribe("x.wav", TranscribeOptions(backend="nope"))
