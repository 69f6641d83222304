"""espeak-ng: offline, ~100 languages (Spanish included), from PyPI with no system package.

``espeakng-loader`` ships libespeak-ng 1.52 and its language data; this engine drives the library
through its C API (ctypes): synchronous synthesis into a callback that collects 16-bit samples. The
library keeps global state, so one process initialises it once and synthesis is serialised by a
lock. It is the last, always-available voice for languages the neural voices cannot reach
offline.

Reproducibility: the library's pitch "flutter" runs on a counter that survives between
utterances (even across espeak_Terminate), so the same clause can differ by a few milliseconds
depending on what the process said before. A narrate job is a fresh process that speaks its
script in order, so the same script always gives the same narration and timings.
"""

from __future__ import annotations

import ctypes
import threading

import numpy as np

from ...base.errors import DramaError

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000  # report errors instead of calling exit() inside the library
_CHARS_UTF8 = 1
_PARAM_RATE = 1
_PARAM_WORDGAP = 7  # pause between words, in units of 10 ms
_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                                   ctypes.c_void_p)

_LOCK = threading.Lock()
_STATE: dict = {}


def _library() -> tuple[ctypes.CDLL, int]:
    """The initialised library and its sample rate (once per process)."""
    if "lib" in _STATE:
        return _STATE["lib"], _STATE["rate"]
    try:
        import espeakng_loader
    except ImportError as exc:
        raise DramaError("TTS engine 'espeak-ng' needs the package espeakng-loader "
                         "(pip install espeakng-loader)") from exc
    try:
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data = espeakng_loader.get_data_path()
    except (OSError, RuntimeError) as exc:
        raise DramaError(f"TTS engine 'espeak-ng' could not load libespeak-ng: {exc}") from exc
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK]
    lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                 ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    lib.espeak_Synth.restype = ctypes.c_int
    rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data.encode(),
                                 _INITIALIZE_DONT_EXIT)
    if rate <= 0:
        raise DramaError(f"TTS engine 'espeak-ng' failed to initialise (data in {data})")
    chunks: list[np.ndarray] = []

    def collect(wav, count, _events):  # called by the library during espeak_Synth
        if count > 0:
            chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    callback = _SYNTH_CALLBACK(collect)
    lib.espeak_SetSynthCallback(callback)
    _STATE.update(lib=lib, rate=rate, callback=callback, chunks=chunks)
    return lib, rate


class EspeakEngine:
    name = "espeak-ng"

    def __init__(self, language: str = "en", voice: str | None = None, rate_wpm: int = 130,
                 word_gap_ms: int = 10):
        self.voice_id = voice or (language or "en")
        self.rate_wpm = int(rate_wpm)
        self.word_gap = max(0, int(word_gap_ms) // 10)
        with _LOCK:
            lib, self.sample_rate = _library()
            if lib.espeak_SetVoiceByName(self.voice_id.encode()) != 0:
                hint = (f"tts.espeak_voice '{voice}'" if voice else f"language '{language}'")
                raise DramaError(f"TTS engine 'espeak-ng' has no voice for {hint}")

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        data = text.encode("utf-8")
        with _LOCK:
            lib, rate = _library()
            chunks: list[np.ndarray] = _STATE["chunks"]
            chunks.clear()
            lib.espeak_SetVoiceByName(self.voice_id.encode())
            lib.espeak_SetParameter(_PARAM_RATE, self.rate_wpm, 0)
            lib.espeak_SetParameter(_PARAM_WORDGAP, self.word_gap, 0)
            status = lib.espeak_Synth(data, len(data) + 1, 0, 0, 0, _CHARS_UTF8, None, None)
            pcm = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
            chunks.clear()
        if status != 0:
            raise DramaError(f"TTS engine 'espeak-ng' failed (error {status}) on: {text!r}")
        return (pcm.astype(np.float32) / 32768.0), rate
