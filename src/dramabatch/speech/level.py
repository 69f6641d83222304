"""The audio Whisper reads, levelled so a quiet speaker is heard next to a loud one.

Whisper decodes 30-second windows, and within one window it follows the loudest voice: a speaker
about 30 dB quieter than the others (a whisper, a far microphone) is skipped entirely, while the
same speaker alone is transcribed perfectly. ffmpeg's ``dynaudnorm`` evens out the loudness over
a quarter-second frame (up to 40 dB of gain), so every speaker reaches Whisper at a similar level.

Only the 16 kHz copy Whisper reads is levelled, never anything the viewer hears, and only for
the stretches decoded again because no segment covered them (``coverage``): levelling the whole
drama's audio changed which words Whisper got right on the real Spanish recordings, at best
for no gain (``benchmarks/level.py``, pooled WER over both: 11.6 % as is; levelled 11.6 % through
a 16-bit file, 12.5 % as float samples), while the skipped quiet speaker, decoded alone, comes
back whole. Decoding only the skipped stretches again leaves every other word as it was. The
frame length was chosen on the quiet-speaker mix: with the default half-second frame (and with
``speechnorm``) the levelled window still skipped the quiet speaker.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from ..base.media import run_ffmpeg

RATE = 16000
#: 250 ms frames, a 15-frame (3.75 s) Gaussian smoothing window, at most 100x (40 dB) gain.
LEVEL_FILTER = "dynaudnorm=f=250:g=15:m=100"


def load_speech_audio(audio: str | os.PathLike[str], level: bool) -> np.ndarray:
    """``audio`` as 16 kHz mono float32, levelled with ``LEVEL_FILTER`` when ``level``."""
    if not level:
        from faster_whisper.audio import decode_audio

        return decode_audio(str(audio), sampling_rate=RATE)
    with tempfile.TemporaryDirectory(prefix="dramabatch-level-") as tmp:
        out = Path(tmp) / "levelled.f32"
        # float samples: the gain never clips or quantises what the quiet speaker says.
        run_ffmpeg(["-i", str(audio), "-vn", "-af", LEVEL_FILTER, "-ac", "1", "-ar", str(RATE),
                    "-f", "f32le", "-c:a", "pcm_f32le", str(out)], what="level audio")
        return np.fromfile(out, dtype="<f4")
