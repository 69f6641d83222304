"""The joined narration written to a WAV file segment by segment, never held whole in memory.

An hour of narration is about 350 MB as float32 at 24 kHz. Joining the segments' speech into one
array, then clipping and converting it for the check by ear's Whisper pass and again for the
loudness passes, held four to five copies at once (1.65 GB at 16.6 minutes). Here each
segment's speech and its pause go straight into a 16-bit WAV (what both readers took anyway):
the job holds the segments' own speech (needed to re-voice one of them) plus one segment's
conversion at a time, whatever the length. Times come from sample counts, as before.
"""

from __future__ import annotations

import os
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Most samples of silence written in one call (a long pause never makes a large buffer).
_CHUNK = 1 << 16


@dataclass(frozen=True)
class JoinedWav:
    """A narration on disk: a mono 16-bit WAV of ``frames`` samples. ``len()`` is its length
    in samples, as for an array (what a recogniser or the encoder needs to know)."""

    path: Path
    frames: int

    def __len__(self) -> int:
        return self.frames


def pcm16(samples: np.ndarray) -> bytes:
    """Float samples as 16-bit PCM bytes, clipped to [-1, 1] (as base.audio.write_wav_mono)."""
    return (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def write_joined(segments: list[dict], pieces: list[np.ndarray], rate: int,
                 path: str | os.PathLike[str]) -> tuple[JoinedWav, list[dict]]:
    """Write the speech with each segment's pause to ``path``; (the file, timed segments)."""
    timed: list[dict] = []
    cursor = 0
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        for idx, (seg, speech) in enumerate(zip(segments, pieces, strict=True)):
            start = cursor
            w.writeframes(pcm16(speech))
            cursor += len(speech)
            end = cursor
            pause = int(round(seg.get("pause_ms", 0) / 1000 * rate))
            for k in range(0, pause, _CHUNK):
                w.writeframes(bytes(2 * min(_CHUNK, pause - k)))
            cursor += pause
            timed.append({**seg, "index": idx, "start": start / rate, "end": end / rate})
    return JoinedWav(Path(path), cursor), timed
