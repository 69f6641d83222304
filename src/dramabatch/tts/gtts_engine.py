"""gTTS: Google Translate's TTS endpoint (the user's named engine). Needs the internet."""

from __future__ import annotations

import io
import tempfile

import numpy as np

from ..audio import decode_to_mono
from ..errors import DramaError


class GTTSEngine:
    name = "gtts"

    def __init__(self, language: str = "en", tld: str = "com", timeout: float = 30):
        self.language = (language or "en").split("-")[0]
        self.tld = tld
        self.timeout = timeout
        self.voice_id = f"gtts-{self.language}"

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        from gtts import gTTS
        from gtts.tts import gTTSError

        buf = io.BytesIO()
        try:
            gTTS(text=text, lang=self.language, tld=self.tld, timeout=self.timeout).write_to_fp(buf)
        except (gTTSError, OSError, ValueError) as exc:
            raise DramaError(f"TTS engine 'gtts' failed: {exc}") from exc
        if buf.tell() == 0:
            raise DramaError("TTS engine 'gtts' returned no audio")
        with tempfile.NamedTemporaryFile(suffix=".mp3") as tmp:
            tmp.write(buf.getvalue())
            tmp.flush()
            return decode_to_mono(tmp.name)
