"""Checks that keep a wrong transcript from passing as a finished drama.

A Whisper model asked for a language it does not know, or handed audio in another language,
still returns fluent text: English-only tiny.en turns Spanish speech into "Thank you for
watching". Everything downstream (script, voice, subtitles) would then narrate garbage. These
checks turn each of those cases into a failure of that drama with a cause naming the model and the
languages involved.
"""

from __future__ import annotations

import math
import re
import zlib

from ..base.errors import DramaError

#: Whisper's own limits for a decode it does not trust (it retries with temperature beyond them).
MAX_COMPRESSION_RATIO = 2.4
MIN_AVG_LOGPROB = -1.0
#: A line said again is speech (a chorus, a catchphrase, a speech: three times in 36 s is common
#: in dramas); the same text in more consecutive segments than this is a loop Whisper split into
#: segments (measured: English-only tiny.en on a Spanish line said three times wrote one English
#: phrase in six segments in a row).
MAX_REPEATS = 3


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


def text_compression_ratio(text: str) -> float:
    """Whisper's own measure of repetition (zlib on the UTF-8 text), for one segment's text.

    faster-whisper (and openai-whisper) give every segment of a 30-second window the ratio of the
    whole window's text, so three correct repetitions of one line (a chorus, a catchphrase) look
    like a hallucination loop; a loop inside one segment still compresses well on its own."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def text_logprob(segment: dict) -> float:
    """The segment's average log-probability, judged on its own words too: the lower of its
    timed words' (an improbable segment in a confident window fails) and the backend's figure,
    which is its whole window's (what Whisper itself found improbable stays so: English-only
    tiny.en on Spanish wrote "Thank you so much for watching" with words just above the limit)."""
    window = segment.get("avg_logprob", 0.0)
    words = segment.get("words") or []
    if not words:
        return window
    own = sum(math.log(max(w["probability"], 1e-6)) for w in words) / len(words)
    return min(own, window)


def judge(segment: dict) -> dict:
    """Record the segment's own figures on it (they go into transcript.json)."""
    segment["text_compression_ratio"] = round(text_compression_ratio(segment.get("text", "")), 3)
    segment["text_logprob"] = round(text_logprob(segment), 4)
    return segment


def suspect(segment: dict) -> bool:
    """A segment Whisper itself would not trust: its own text repetitive or improbable."""
    judge(segment)
    return (segment["text_compression_ratio"] > MAX_COMPRESSION_RATIO
            or segment["text_logprob"] < MIN_AVG_LOGPROB)


def looped(segments: list[dict]) -> set[int]:
    """Indexes of segments in a run of more than ``MAX_REPEATS`` with the same words."""
    said = [" ".join(re.findall(r"\w+", s.get("text", "").lower())) for s in segments]
    out: set[int] = set()
    start = 0
    for k in range(1, len(said) + 1):
        if k == len(said) or said[k] != said[start]:
            if k - start > MAX_REPEATS:
                out.update(range(start, k))
            start = k
    return out


def repetitive_windows(segments: list[dict]) -> set[float]:
    """Windows whose text, each distinct segment text once, still compresses like a loop: a line
    said again is one distinct text, a loop spread over segments is not (tiny.en on Spanish:
    "the last story of Al-Kabitambenino" five times in three different segments, 2.9)."""
    texts: dict[float, list[str]] = {}
    for s in segments:
        if s.get("window") is not None and s.get("text", "") not in texts.get(s["window"], []):
            texts.setdefault(s["window"], []).append(s.get("text", ""))
    return {w for w, said in texts.items()
            if text_compression_ratio(" ".join(said)) > MAX_COMPRESSION_RATIO}


def check_quality(segments: list[dict], max_share: float, model: str, language: str) -> dict:
    """Fail when most of the transcript (by duration) is repetition or hallucination."""
    total = sum(max(0.0, s["end"] - s["start"]) for s in segments) or 1e-9
    loops = looped(segments)
    loops |= {k for k, s in enumerate(segments) if judge(s)["text_compression_ratio"]
              > MAX_COMPRESSION_RATIO}
    # A decode that looped is not trusted around the loop either: Whisper itself redoes the whole
    # window (English-only tiny.en on Spanish: "Thank you so much for watching", then "Bye
    # bye!" four times in a row, every word just likely enough).
    looping = ({segments[k].get("window") for k in loops} - {None}) | repetitive_windows(segments)
    bad = [s for k, s in enumerate(segments)
           if suspect(s) or k in loops or s.get("window") in looping]
    share = sum(max(0.0, s["end"] - s["start"]) for s in bad) / total
    quality = {"suspect_segments": len(bad), "segments": len(segments),
               "looped_segments": len(loops), "suspect_share": round(float(share), 3)}
    if segments and share > max_share:
        raise DramaError(
            f"the transcript is not trustworthy: {len(bad)} of {len(segments)} segments "
            f"({share:.0%} of the speech) are repetitive or improbable (their text's "
            f"compression ratio > {MAX_COMPRESSION_RATIO}, the same text more than {MAX_REPEATS} "
            f"times in a row, or average log-probability < {MIN_AVG_LOGPROB}) with model "
            f"'{model}' in '{language}'; check the drama's language, or use a larger model")
    return quality


def check_coverage(coverage: dict, max_share: float, model: str, language: str) -> None:
    """Fail when too much of the voice activity has no text even after a second decode."""
    share = coverage["uncovered_share"]
    if share > max_share:
        where = ", ".join(f"{g['start']:.1f}-{g['end']:.1f} s" for g in coverage["uncovered"][:3])
        raise DramaError(
            f"the transcript skips {share:.0%} of the speech: {coverage['uncovered_s']:.1f} s of "
            f"voice activity ({where}) have no text even when transcribed on their own with "
            f"model '{model}' in '{language}' (another language, singing, or noise?); raise "
            f"transcribe.max_uncovered_share to accept it")
