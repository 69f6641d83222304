"""Long audio decoded in windows cut in silences (issue 32): memory bounded at any length.

Synthetic bursts check the splitting itself (every sample once, each window at most W, cuts in
the gaps, a stream cut like one array); the real Alarcón reading from ``../shared/speech/es``
checks that transcribe's windowed pass hears what one pass hears, at the same times; Piper
speech does the same for the check by ear's pass over a narration file, which is read window by
window (its peak memory stays flat with the length).
"""

from __future__ import annotations

import difflib
import logging
import re

import numpy as np
import pytest

from dramabatch.base.audio import read_wav_mono, write_wav_mono
from dramabatch.speech.transcribe import TranscribeOptions, transcribe_faster_whisper
from dramabatch.speech.windows import RATE, stream_16k, windows
from dramabatch.voice.align import fold, recognise_words
from dramabatch_testkit.runner import REPO

ES = REPO.parent / "shared" / "speech" / "es"


def bursts(seconds: list[float], gap: float = 0.8, seed: int = 1) -> tuple[np.ndarray, list]:
    """Noise bursts of the given lengths separated by near-silent gaps; the gaps' spans."""
    rng = np.random.default_rng(seed)
    parts, gaps, t = [], [], 0.0
    for s in seconds:
        parts.append(0.3 * rng.standard_normal(int(s * RATE)).astype(np.float32))
        t += s
        parts.append(0.001 * rng.standard_normal(int(gap * RATE)).astype(np.float32))
        gaps.append((t, t + gap))
        t += gap
    return np.concatenate(parts), gaps


def test_windows_cover_the_audio_once_and_cut_in_the_gaps():
    # every 2.5 s searched before a window's limit (a quarter window) holds a gap
    lengths = np.random.default_rng(2).uniform(1.0, 1.6, 24)
    audio, gaps = bursts(list(lengths))
    got = list(windows(audio, window_s=10, search_s=3))
    assert len(got) >= 3
    assert all(len(w) <= 10 * RATE for _, w in got)
    assert np.array_equal(np.concatenate([w for _, w in got]), audio)
    assert [o for o, _ in got] == list(np.cumsum([0] + [len(w) for _, w in got[:-1]]))
    for offset, _ in got[1:]:
        t = offset / RATE
        assert any(a <= t <= b for a, b in gaps), f"cut at {t:.2f} s is inside a burst"
    # read as a stream of chunks, the audio is cut at the same places
    chunks = [audio[k:k + 12345] for k in range(0, len(audio), 12345)]
    assert [o for o, _ in windows(chunks, 10, 3)] == [o for o, _ in got]


def test_audio_of_one_window_is_the_very_array():
    audio, _ = bursts([2.0, 3.0])
    (offset, window), = windows(audio, window_s=10)
    assert offset == 0 and window is audio


def test_last_two_windows_share_the_rest(tmp_path):
    """A window's worth and a bit more is not cut into a full window and a scrap."""
    audio, _ = bursts([2.0] * 4, gap=0.6)  # 10.4 s with W = 10
    sizes = [len(w) / RATE for _, w in windows(audio, window_s=10, search_s=3)]
    assert len(sizes) == 2 and min(sizes) > 3.5, sizes


def test_a_file_streams_as_faster_whisper_decodes_it(tmp_path):
    from faster_whisper.audio import decode_audio

    rng = np.random.default_rng(3)
    wav = tmp_path / "n.wav"
    write_wav_mono(wav, np.clip(rng.standard_normal(int(7.3 * 24000)) * 0.2, -1, 1), 24000)
    streamed = np.concatenate(list(stream_16k(wav, chunk_s=1.0)))
    whole = decode_audio(str(wav), sampling_rate=RATE)
    assert len(streamed) == len(whole)
    assert np.array_equal(streamed, whole)


@pytest.fixture(scope="module")
def passes(request):
    """The first 45 s of the Alarcón reading, in one pass and in windows of 20 s."""
    if not ES.is_dir():
        pytest.skip(f"real Spanish speech not found at {ES} (the shared speech folder)")
    from faster_whisper.audio import decode_audio

    audio = decode_audio(str(ES / "capitan_veneno_dedicatoria.mp3"), sampling_rate=RATE)
    audio = audio[:45 * RATE]
    opts = TranscribeOptions(language="es", beam_size=1)
    one = transcribe_faster_whisper(audio, opts, detect=False)
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("dramabatch.speech.transcribe")
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.INFO)
    try:
        windowed = transcribe_faster_whisper(audio, opts, detect=False, window_s=20)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    cuts = [o / RATE for o, _ in windows(audio, 20)][1:]
    return audio, one, windowed, cuts, records


def matched(one: list[dict], other: list[dict]) -> list[tuple[dict, dict]]:
    """The words two passes agree on, paired in order (folded: case, accents, punctuation)."""
    a, b = [fold(w["word"]) for w in one], [fold(w["word"]) for w in other]
    return [(one[i + k], other[j + k])
            for i, j, n in difflib.SequenceMatcher(None, a, b, autojunk=False)
            .get_matching_blocks() for k in range(n)]


def _words(result: dict) -> list[dict]:
    return [w for s in result["segments"] for w in s["words"]]


def test_windowed_pass_cuts_in_silences_and_keeps_the_times(passes):
    audio, one, windowed, cuts, _ = passes
    assert len(cuts) >= 2  # three windows or more
    assert windowed["duration"] == one["duration"] == round(len(audio) / RATE, 3)
    heard = _words(one)
    for cut in cuts:  # no word of the one pass is cut through (Whisper's times are ~0.1 s)
        inside = [w for w in heard if w["start"] + 0.1 < cut < w["end"] - 0.1]
        assert not inside, f"cut at {cut:.2f} s falls inside {inside}"
    got = _words(windowed)
    starts = [w["start"] for w in got]
    assert starts == sorted(starts)
    assert [s["window"] for s in windowed["segments"]] == sorted(
        s["window"] for s in windowed["segments"])
    assert windowed["segments"][-1]["window"] >= cuts[-1] - 0.01  # offset, not from zero
    for cut in cuts:
        assert not [w for w in got if w["start"] < cut < w["end"]]
    assert abs(len(got) - len(heard)) <= max(3, len(heard) // 20)
    pairs = matched(heard, got)
    assert len(pairs) >= 0.85 * len(heard)
    close = [abs(x["start"] - y["start"]) <= 0.5 for x, y in pairs]
    assert sum(close) >= 0.95 * len(pairs)


def test_windowed_progress_goes_over_the_whole_audio(passes):
    *_, windowed, _, records = passes
    shown = [int(m.group(1)) for r in records if (m := re.fullmatch(r"transcribe: (\d+)%", r))]
    assert len(shown) == len(windowed["segments"])
    assert shown == sorted(shown)
    assert shown[0] < 25 and shown[-1] >= 95


# -- the check by ear's pass over the whole narration (voice/align.recognise_words) -----------

def test_a_narration_of_one_window_is_heard_as_before(speech_wav):
    """A file under one window: the very words and times the whole-file pass gave."""
    from dramabatch.speech.models import resolve_model
    from dramabatch.speech.transcribe import load_faster_whisper, pick_device

    heard, info = recognise_words(speech_wav, "bundled-tiny.en", "en")
    device, compute = pick_device("auto", "auto")
    whisper = load_faster_whisper(resolve_model("bundled-tiny.en"), device, compute, 1)
    segments, _ = whisper.transcribe(str(speech_wav), language="en", beam_size=5,
                                     word_timestamps=True, vad_filter=False,
                                     condition_on_previous_text=False)
    before = [{"word": w.word.strip(), "start": float(w.start), "end": float(w.end)}
              for s in segments for w in (s.words or []) if fold(w.word)]
    assert heard == before and len(heard) >= 5
    assert info["language"] == "en"


def test_a_long_narration_is_heard_in_windows(speech_wav, tmp_path):
    """Speech said three times at 22 kHz, heard in windows of 8 s: the words of one pass, at
    their times, none across a cut."""
    speech, rate = read_wav_mono(speech_wav)
    pause = np.zeros(int(0.7 * rate), np.float32)
    wav = tmp_path / "narration.wav"
    write_wav_mono(wav, np.concatenate([speech, pause] * 3), rate)
    whole, _ = recognise_words(wav, "bundled-tiny.en", "en", window_s=1e6)
    got, _ = recognise_words(wav, "bundled-tiny.en", "en", window_s=8)
    cuts = [o / RATE for o, _ in windows(stream_16k(wav), 8)][1:]
    assert len(cuts) >= 2
    assert not [w for w in got for c in cuts if w["start"] < c < w["end"]]
    assert [w["start"] for w in got] == sorted(w["start"] for w in got)
    assert abs(len(got) - len(whole)) <= 2
    same = matched(whole, got)
    assert len(same) >= 0.9 * len(whole)
    assert all(abs(a["start"] - b["start"]) <= 0.5 for a, b in same)


_PEAK = """
import resource, sys
from dramabatch.voice.align import recognise_words
recognise_words(sys.argv[1], "bundled-tiny.en", "en", window_s=60)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


@pytest.mark.slow
def test_a_narration_is_read_window_by_window_in_flat_memory(tmp_path):
    """Peak memory of the pass over 2 and 6 minutes of 24 kHz narration (silence: Whisper's
    features cost the same for any sound, and silence decodes fast) in 60 s windows: flat.
    Read whole, 6 minutes peaked ~170 MB above 2 (tiny.en); windowed, within ~20 MB."""
    import os
    import subprocess
    import sys
    import wave

    peaks = {}
    for minutes in (2, 6):
        wav = tmp_path / f"{minutes}.wav"
        with wave.open(str(wav), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(24000)
            for _ in range(minutes):
                w.writeframes(bytes(2 * 24000 * 60))
        out = subprocess.run([sys.executable, "-c", _PEAK, str(wav)], check=True,
                             capture_output=True, text=True, env=os.environ.copy())
        peaks[minutes] = int(out.stdout.split()[-1])
    assert peaks[6] - peaks[2] < 60, peaks
