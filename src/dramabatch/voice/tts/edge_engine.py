"""edge-tts: Microsoft Edge's online neural voices (many languages, Spanish included).

Needs the internet. Any failure to reach or use the service (DNS, refused, TLS, 4xx, no audio)
fails the job with the engine named, so ``tts.fallback`` can take over.
"""

from __future__ import annotations

import asyncio
import re
import tempfile

import numpy as np

from ...base.audio import decode_to_mono
from ...base.errors import DramaError

#: A default neural voice per language; ``tts.voices.<lang>: edge-tts:<Voice>`` picks another.
DEFAULT_VOICES = {
    "en": "en-US-AriaNeural",
    "es": "es-ES-ElviraNeural",
    "fr": "fr-FR-DeniseNeural",
    "de": "de-DE-KatjaNeural",
    "it": "it-IT-ElsaNeural",
    "pt": "pt-BR-FranciscaNeural",
}


class EdgeEngine:
    name = "edge-tts"

    def __init__(self, language: str = "en", voice: str | None = None, timeout: float = 30):
        try:
            import edge_tts  # noqa: F401 - checked here so a missing package names the engine
        except ImportError as exc:
            raise DramaError("TTS engine 'edge-tts' is not installed (pip install edge-tts)") \
                from exc
        lang = (language or "en").split("-")[0].lower()
        self.voice_id = voice or DEFAULT_VOICES.get(lang)
        if not self.voice_id:
            raise DramaError(f"TTS engine 'edge-tts' has no default voice for '{lang}': set "
                             f"tts.voices.{lang} to 'edge-tts:<VoiceName>'")
        self.timeout = timeout

    async def _fetch(self, text: str) -> bytes:
        import edge_tts

        audio = bytearray()
        communicate = edge_tts.Communicate(text, self.voice_id, connect_timeout=int(self.timeout),
                                           receive_timeout=int(self.timeout))
        async for chunk in communicate.stream():
            if chunk["type"] == "audio":
                audio += chunk["data"]
        return bytes(audio)

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        try:
            data = asyncio.run(asyncio.wait_for(self._fetch(text), self.timeout * 2))
        except Exception as exc:  # noqa: BLE001 - network/protocol errors of every kind
            # aiohttp puts the SSL context's repr (a memory address) in its message: drop it so
            # the reason reads the same in every run and summary.
            detail = re.sub(r"\s*ssl:<[^>]*>", "", str(exc)) or exc.__class__.__name__
            raise DramaError(f"TTS engine 'edge-tts' failed: {detail}") from exc
        if not data:
            raise DramaError("TTS engine 'edge-tts' returned no audio")
        with tempfile.NamedTemporaryFile(suffix=".mp3") as tmp:
            tmp.write(data)
            tmp.flush()
            return decode_to_mono(tmp.name)
