"""Checks that keep a wrong transcript from passing as a finished drama.

A Whisper model asked for a language it does not know, or handed audio in another language,
still returns fluent text: English-only tiny.en turns Spanish speech into "Thank you for
watching". Everything downstream (script, voice, subtitles) would then narrate garbage. These
checks turn each of those cases into a failure of that drama with a cause naming the model and the
languages involved.
"""

from __future__ import annotations

from ..base.errors import DramaError

#: Whisper's own limits for a decode it does not trust (it retries with temperature beyond them).
MAX_COMPRESSION_RATIO = 2.4
MIN_AVG_LOGPROB = -1.0


def primary(language: str | None) -> str | None:
    """'es-MX' -> 'es'; '' / 'auto' / None -> None (detect)."""
    lang = (language or "").strip().lower().replace("_", "-")
    return None if lang in ("", "auto") else lang.split("-")[0]


def require_language_support(requested: str | None, multilingual: bool, model: str) -> None:
    """An English-only model cannot transcribe another language: fail before decoding."""
    if requested and requested != "en" and not multilingual:
        raise DramaError(
            f"model '{model}' is English-only and cannot transcribe '{requested}': set "
            f"transcribe.model to 'bundled-base' (multilingual, offline) or another multilingual "
            f"model")


def check_detected(requested: str | None, detected: str | None, probability: float | None,
                   threshold: float, model: str) -> None:
    """The manifest's language must not contradict what the audio clearly is."""
    if not requested or not detected or probability is None:
        return
    if detected != requested and probability >= threshold:
        raise DramaError(
            f"the drama's language is '{requested}' but the audio is '{detected}' (model "
            f"'{model}' detected it with probability {probability:.2f}): fix the manifest's "
            f"language column, or leave it empty to follow the audio")


def suspect(segment: dict) -> bool:
    """A segment Whisper itself would not trust: repetitive or improbable text."""
    ratio = segment.get("compression_ratio")
    return ((ratio is not None and ratio > MAX_COMPRESSION_RATIO)
            or segment.get("avg_logprob", 0.0) < MIN_AVG_LOGPROB)


def check_quality(segments: list[dict], max_share: float, model: str, language: str) -> dict:
    """Fail when most of the transcript (by duration) is repetition or hallucination."""
    total = sum(max(0.0, s["end"] - s["start"]) for s in segments) or 1e-9
    bad = [s for s in segments if suspect(s)]
    share = sum(max(0.0, s["end"] - s["start"]) for s in bad) / total
    quality = {"suspect_segments": len(bad), "segments": len(segments),
               "suspect_share": round(float(share), 3)}
    if segments and share > max_share:
        raise DramaError(
            f"the transcript is not trustworthy: {len(bad)} of {len(segments)} segments "
            f"({share:.0%} of the speech) are repetitive or improbable (compression ratio > "
            f"{MAX_COMPRESSION_RATIO} or average log-probability < {MIN_AVG_LOGPROB}) with model "
            f"'{model}' in '{language}'; check the drama's language, or use a larger model")
    return quality
