"""espeak-ng: offline, many languages (Spanish included); used when the binary is installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

import numpy as np

from ..audio import read_wav_mono
from ..errors import DramaError


class EspeakEngine:
    name = "espeak-ng"

    def __init__(self, language: str = "en", voice: str | None = None):
        self.exe = shutil.which("espeak-ng")
        if not self.exe:
            raise DramaError("TTS engine 'espeak-ng' is not installed (apt-get install espeak-ng)")
        self.voice_id = voice or (language or "en")

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
            proc = subprocess.run([self.exe, "-v", self.voice_id, "-w", tmp.name, "--", text],
                                  capture_output=True, text=True, timeout=120)
            if proc.returncode != 0:
                raise DramaError(f"TTS engine 'espeak-ng' failed: {proc.stderr.strip()}")
            return read_wav_mono(tmp.name)
