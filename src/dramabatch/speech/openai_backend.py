"""The openai-whisper backend: a model name (downloaded by whisper) or a local ``.pt`` file.

An optional extra (``pip install 'dramabatch[openai-whisper]'``, it needs torch); the default is
faster-whisper. Same transcript format, language checks and trust checks as faster-whisper.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

import numpy as np

from ..base.errors import DramaError
from .models import display_name
from .trust import check_detected, primary, require_language_support

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=2)
def load_openai_whisper(model_ref: str, device: str):
    """An openai-whisper model from a name (downloaded by whisper) or a local ``.pt`` file."""
    try:
        import whisper
    except ImportError as exc:
        raise DramaError(
            "backend openai-whisper is not installed: pip install 'dramabatch[openai-whisper]'"
        ) from exc
    if model_ref.startswith("bundled"):
        raise DramaError("backend openai-whisper has no bundled model: set transcribe.model to "
                         "a model name (tiny, base, ...) or a .pt checkpoint path")
    path = Path(model_ref).expanduser()
    if model_ref.endswith(".pt") and not path.is_file():
        raise DramaError(f"openai-whisper checkpoint not found: {model_ref}")
    if not path.is_file() and model_ref not in whisper.available_models():
        raise DramaError(f"unknown openai-whisper model '{model_ref}' (a .pt path or one of "
                         f"{', '.join(whisper.available_models())})")
    log.info("openai-whisper: loading %s on %s", model_ref, device)
    try:
        return whisper.load_model(str(path) if path.is_file() else model_ref, device=device)
    except (OSError, RuntimeError, KeyError) as exc:
        raise DramaError(f"openai-whisper could not load model '{model_ref}': {exc}") from exc


def transcribe_openai_whisper(audio: str | np.ndarray, opts: Any,
                              detect: bool = True) -> dict[str, Any]:
    """Transcribe a 16 kHz WAV file or 16 kHz samples; ``detect=False`` takes ``opts.language``
    as given (a stretch decoded again on its own)."""
    try:
        import torch
    except ImportError as exc:
        raise DramaError(
            "backend openai-whisper is not installed: pip install 'dramabatch[openai-whisper]'"
        ) from exc
    from ..base.audio import read_wav_mono

    device = opts.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.set_num_threads(max(1, opts.threads))
    model = load_openai_whisper(opts.model, device)
    samples, rate = read_wav_mono(audio) if isinstance(audio, str) else (audio, 16000)
    if rate != 16000:
        raise DramaError(f"openai-whisper needs 16 kHz audio, got {rate} Hz")
    requested, name = primary(opts.language), display_name(opts.model)
    require_language_support(requested, model.is_multilingual, name)
    detected = language_probability = None
    if model.is_multilingual and detect:
        import whisper

        mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(samples.astype(np.float32)),
                                          model.dims.n_mels).to(model.device)
        _, probs = model.detect_language(mel)
        detected = max(probs, key=probs.get)
        language_probability = float(probs[detected])
        check_detected(requested, detected, language_probability,
                       opts.language_mismatch_probability, name)
    language = requested or detected or "en"
    decode = {"language": language, "word_timestamps": opts.word_timestamps,
              "beam_size": opts.beam_size if opts.beam_size > 1 else None,
              "fp16": device == "cuda", "condition_on_previous_text": False,
              "compression_ratio_threshold": None}  # judged per segment, as in faster-whisper
    try:
        result = model.transcribe(samples.astype(np.float32), **decode)
    except ValueError as exc:
        # openai-whisper retries a doubtful window by sampling at rising temperatures; an
        # unlucky window can yield NaN logits there and torch refuses them. Greedy decoding
        # still gives a transcript, which the quality check then judges.
        log.warning("openai-whisper: sampled fallback failed (%s); decoding greedily", exc)
        result = model.transcribe(samples.astype(np.float32), temperature=0.0, **decode)
    duration = len(samples) / rate
    segments = [{
        "window": round(s.get("seek", 0) / 100, 2),  # its 30 s window's start (seconds)
        "start": round(float(s["start"]), 3),
        "end": round(float(s["end"]), 3),
        "text": s["text"].strip(),
        "no_speech_prob": round(float(s.get("no_speech_prob", 0.0)), 4),
        "avg_logprob": round(float(s.get("avg_logprob", 0.0)), 4),
        "compression_ratio": round(float(s.get("compression_ratio", 0.0)), 3),
        "words": [{"start": round(float(w["start"]), 3), "end": round(float(w["end"]), 3),
                   "word": w["word"].strip(), "probability": round(float(w["probability"]), 4)}
                  for w in s.get("words", [])],
    } for s in result["segments"]]
    return {
        "backend": "openai-whisper",
        "model": name,
        "multilingual": bool(model.is_multilingual),
        "device": device,
        "language": language,
        "requested_language": requested or "auto",
        "detected_language": detected,
        "language_probability": (None if language_probability is None
                                 else round(language_probability, 4)),
        "duration": round(duration, 3),
        "segments": segments,
    }
