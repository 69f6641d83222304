"""Where the audio holds a voice: Silero VAD (shipped with faster-whisper, CPU, ~1 ms/s).

Measured whatever ``vad_filter`` says, because two checks need it: too little voice means music
or silence (the drama fails as "no speech"), and voiced stretches that no transcript segment
covers mean Whisper skipped speech (``coverage``).
"""

from __future__ import annotations

import numpy as np

RATE = 16000


def voice_spans(samples: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) seconds of each stretch of speech in 16 kHz ``samples``."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    spans = get_speech_timestamps(samples, VadOptions(min_silence_duration_ms=500))
    return [(s["start"] / RATE, s["end"] / RATE) for s in spans]


def voiced_seconds(spans: list[tuple[float, float]]) -> float:
    return sum(end - start for start, end in spans)
