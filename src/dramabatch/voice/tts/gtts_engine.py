"""gTTS: Google Translate's TTS endpoint (the user's named engine). Needs the internet."""

from __future__ import annotations

import inspect
import io
import tempfile
import threading

import numpy as np

from ...base.audio import decode_to_mono
from ...base.errors import DramaError


class GTTSEngine:
    name = "gtts"

    def __init__(self, language: str = "en", tld: str = "com", timeout: float = 30):
        from gtts.lang import tts_langs

        self.language = (language or "en").split("-")[0].lower()
        if self.language not in tts_langs():
            raise DramaError(f"TTS engine 'gtts' does not speak language '{self.language}'")
        self.tld = tld
        self.timeout = timeout
        self.voice_id = f"gtts-{self.language}"

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        from gtts import gTTS
        from gtts.tts import gTTSError

        kwargs = {"text": text, "lang": self.language, "tld": self.tld, "lang_check": False}
        if "timeout" in inspect.signature(gTTS).parameters:  # gTTS >= 2.3
            kwargs["timeout"] = self.timeout
        buf = io.BytesIO()
        outcome: list[BaseException | None] = []

        def run() -> None:
            try:
                gTTS(**kwargs).write_to_fp(buf)
                outcome.append(None)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                outcome.append(exc)

        # gTTS < 2.3 has no timeout of its own: a daemon thread bounds the wait.
        worker = threading.Thread(target=run, daemon=True, name="gtts")
        worker.start()
        worker.join(self.timeout)
        if not outcome:
            raise DramaError(f"TTS engine 'gtts' timed out after {self.timeout} s")
        exc = outcome[0]
        if isinstance(exc, gTTSError | OSError | ValueError | AssertionError):
            raise DramaError(f"TTS engine 'gtts' failed: {exc}") from exc
        if exc is not None:
            raise exc
        if buf.tell() == 0:
            raise DramaError("TTS engine 'gtts' returned no audio")
        with tempfile.NamedTemporaryFile(suffix=".mp3") as tmp:
            tmp.write(buf.getvalue())
            tmp.flush()
            try:
                return decode_to_mono(tmp.name)
            except Exception as exc:  # noqa: BLE001 - a garbled answer is the engine's failure
                raise DramaError(f"TTS engine 'gtts' returned audio that does not decode: "
                                 f"{exc}") from exc
