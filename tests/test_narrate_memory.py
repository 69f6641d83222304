"""narrate's memory (voice/joined.py): the joined narration goes to disk segment by segment, the
same bytes and times as joining it in memory, with a peak that does not grow with the length."""

from __future__ import annotations

import tracemalloc
import wave

import numpy as np

from dramabatch.base.audio import write_wav_mono
from dramabatch.voice.joined import JoinedWav, write_joined
from dramabatch.voice.narrate import _assemble

RATE = 24000


def speech(n: int, seconds: float = 1.0) -> tuple[list[dict], list[np.ndarray]]:
    rng = np.random.default_rng(7)
    pieces = [rng.uniform(-1.2, 1.2, int(seconds * RATE) + k).astype(np.float32)
              for k in range(n)]  # past [-1, 1] too: clipped alike
    segments = [{"text": f"s{k}", "pause_ms": (0, 120, 450)[k % 3]} for k in range(n)]
    return segments, pieces


def test_the_joined_file_is_what_joining_in_memory_wrote(tmp_path):
    segments, pieces = speech(7)
    joined, timed = write_joined(segments, pieces, RATE, tmp_path / "a.wav")
    samples, expected = _assemble(segments, pieces, RATE)
    write_wav_mono(tmp_path / "b.wav", samples, RATE)
    assert isinstance(joined, JoinedWav) and len(joined) == len(samples)
    assert timed == expected
    with wave.open(str(tmp_path / "a.wav")) as a, wave.open(str(tmp_path / "b.wav")) as b:
        assert a.getparams() == b.getparams()
        assert a.readframes(a.getnframes()) == b.readframes(b.getnframes())


def peak_mb(tmp_path, n: int) -> tuple[float, float]:
    """(peak MB while joining, MB of the speech itself) for ``n`` one-second segments."""
    segments, pieces = speech(n)
    held = sum(p.nbytes for p in pieces) / 1e6
    tracemalloc.start()
    try:
        write_joined(segments, pieces, RATE, tmp_path / f"{n}.wav")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6, held


def test_joining_holds_one_segment_at_a_time_whatever_the_length(tmp_path):
    short, _ = peak_mb(tmp_path, 30)
    long, held = peak_mb(tmp_path, 600)  # ten minutes: 58 MB of speech
    assert long < 1.5 and long < held / 20  # never a copy of the whole narration
    assert long < short * 1.5 + 0.2  # flat with the length
