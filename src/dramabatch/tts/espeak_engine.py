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
        listing = subprocess.run([self.exe, f"--voices={self.voice_id}"], capture_output=True,
                                 text=True, timeout=30).stdout.strip().splitlines()
        if len(listing) < 2 and not voice:
            raise DramaError(f"TTS engine 'espeak-ng' has no voice for language "
                             f"'{self.voice_id}'")

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
            # Text goes in on stdin as UTF-8, never through argv/shell quoting.
            proc = subprocess.run([self.exe, "-v", self.voice_id, "-b", "1", "-w", tmp.name],
                                  input=text.encode("utf-8"), capture_output=True, timeout=120)
            if proc.returncode != 0:
                err = proc.stderr.decode("utf-8", "replace").strip()
                raise DramaError(f"TTS engine 'espeak-ng' failed: {err}")
            return read_wav_mono(tmp.name)
