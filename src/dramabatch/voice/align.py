"""Word times for short-video captions: a Whisper word-timestamp pass over the narration.

Caption text is always the script's own words (accents, ¿¡, quotes, emoji intact); only the times
come from recognition. Recognised words are mapped onto script words by sequence alignment on a
normalised form (case, accents and punctuation folded); script words Whisper missed or misheard
get times interpolated between their aligned neighbours in proportion to their length. Every word
stays inside its segment's sample-exact span from ``narration.json``.

When the TTS engine already reported word times (``words`` on every timeline segment), those are
used as they are and no recognition runs.
"""

from __future__ import annotations

import difflib
import logging
import os
import unicodedata
from typing import Any

from ..base.errors import DramaError
from ..speech.windows import RATE, WINDOW_S, stream_16k, windows

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


def fold(word: str) -> str:
    """Comparison form: lower case, no accents, letters and digits only ('¿Qué?' -> 'que')."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def recognise_words(audio: str | os.PathLike[str], model: str = "bundled-base",
                    language: str | None = None, threads: int = 1,
                    window_s: float = WINDOW_S) -> tuple[list[dict], dict]:
    """Whisper (faster-whisper) words with start/end over ``audio``; plus run info.

    The file is read as a stream and decoded in windows of at most ``window_s`` seconds cut in
    silences (``speech.windows``), so an hour of narration costs what ten minutes do (Whisper's
    features of the whole file grew the job ~45 MB a minute); a file of one window is decoded
    as it always was. Without a language, the first window's detected one holds for the rest."""
    from ..speech.models import resolve_model
    from ..speech.transcribe import load_faster_whisper, pick_device
    from ..speech.trust import primary

    device, compute_type = pick_device("auto", "auto")
    whisper = load_faster_whisper(resolve_model(model), device, compute_type, max(1, threads))
    lang = primary(language)
    if not whisper.model.is_multilingual:
        lang = "en"
    words: list[dict] = []
    for offset, samples in windows(stream_16k(audio), window_s):
        segments, info = whisper.transcribe(samples, language=lang, beam_size=5,
                                            word_timestamps=True, vad_filter=False,
                                            condition_on_previous_text=False)
        lang = info.language
        at = offset / RATE
        words += [{"word": w.word.strip(), "start": at + float(w.start), "end": at + float(w.end)}
                  for seg in segments for w in (seg.words or []) if fold(w.word)]
    return words, {"model": model, "device": device, "language": lang}


def map_words(script_words: list[str], heard: list[dict]) -> list[dict | None]:
    """For each script word, the recognised word it aligns with (or None)."""
    a = [fold(w) for w in script_words]
    b = [fold(w["word"]) for w in heard]
    out: list[dict | None] = [None] * len(a)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(i2 - i1):
                out[i1 + k] = heard[j1 + k]
    return out


def _time_segment(seg: dict, matches: list[dict | None]) -> list[dict]:
    """Words of one segment with start/end: aligned ones clamped, others interpolated."""
    tokens = seg["text"].split()
    s0, s1 = float(seg["start"]), float(seg["end"])
    slack = 0.25  # a recognised word further than this outside its segment is a mismatch
    times: list[tuple[float, float] | None] = []
    last = s0
    for m in matches:
        if m is None or m["end"] < s0 - slack or m["start"] > s1 + slack:
            times.append(None)
            continue
        start = min(max(m["start"], s0, last), s1)
        end = min(max(m["end"], start), s1)
        times.append((start, end))
        last = start
    words = []
    i = 0
    while i < len(tokens):
        if times[i] is not None:
            words.append({"word": tokens[i], "start": times[i][0], "end": times[i][1],
                          "aligned": True})
            i += 1
            continue
        j = i
        while j < len(tokens) and times[j] is None:
            j += 1
        lo = words[-1]["end"] if words else s0
        hi = times[j][0] if j < len(tokens) else s1
        hi = max(hi, lo)
        weights = [len(t) + 1 for t in tokens[i:j]]
        total = sum(weights)
        cursor = lo
        for k, w in zip(range(i, j), weights, strict=True):
            end = cursor + (hi - lo) * w / total
            words.append({"word": tokens[k], "start": cursor, "end": end, "aligned": False})
            cursor = end
        i = j
    # the segment's own precision (align_timeline rounds its span to 0.1 ms): rounding is
    # monotonic, so a word inside the span stays inside it (at 1 ms a word starting 0.3 ms into
    # a segment rounded to before it)
    for w in words:
        w["start"], w["end"] = round(w["start"], 4), round(max(w["end"], w["start"]), 4)
    return words


def align_timeline(timeline: dict, heard: list[dict]) -> list[dict]:
    """Per narration segment, its script words timed from the recognised ``heard`` words."""
    segs = timeline["segments"]
    tokens = [seg["text"].split() for seg in segs]
    flat = [t for toks in tokens for t in toks]
    matches = map_words(flat, heard)
    out, k = [], 0
    for seg, toks in zip(segs, tokens, strict=True):
        out.append({"index": seg.get("index", len(out)), "text": seg["text"],
                    "start": round(float(seg["start"]), 4), "end": round(float(seg["end"]), 4),
                    "words": _time_segment(seg, matches[k:k + len(toks)])})
        k += len(toks)
    return out


def align_words(narration: str | os.PathLike[str], timeline: dict, model: str = "bundled-base",
                threads: int = 1) -> dict[str, Any]:
    """The words.json content for a narration and its timeline."""
    segs = timeline.get("segments") or []
    if not segs:
        raise DramaError("narration timeline has no segments to align")
    if all(seg.get("words") for seg in segs):
        aligned = [{"index": s.get("index", i), "text": s["text"], "start": s["start"],
                    "end": s["end"],
                    "words": [{**w, "aligned": True} for w in s["words"]]}
                   for i, s in enumerate(segs)]
        info = {"source": "engine", "model": None, "language": timeline.get("language", "")}
    else:
        heard, run = recognise_words(narration, model, timeline.get("language"), threads)
        aligned = align_timeline(timeline, heard)
        info = {"source": "whisper", **run, "heard": len(heard)}
    return _document(aligned, info, timeline.get("language"), model)


def words_from_heard(timeline: dict, heard: list[dict], run: dict) -> dict[str, Any]:
    """The words.json content from words already recognised over the narration (the check by
    ear's pass), so the narration is not transcribed again."""
    aligned = align_timeline(timeline, heard)
    info = {"source": "whisper", **run, "heard": len(heard)}
    return _document(aligned, info, timeline.get("language"), run.get("model", ""))


def _document(aligned: list[dict], info: dict, language: str | None, model: str) -> dict:
    n_words = sum(len(s["words"]) for s in aligned)
    n_aligned = sum(w["aligned"] for s in aligned for w in s["words"])
    log.info("align: %d/%d script words aligned to recognised words", n_aligned, n_words)
    if info["source"] == "whisper" and n_words and n_aligned / n_words < 0.5:
        log.warning("align: only %d of %d words recognised (language %s, model %s); the rest "
                    "are spread evenly inside their segment", n_aligned, n_words,
                    language, model)
    return {"version": FORMAT_VERSION, **info, "words": n_words, "aligned": n_aligned,
            "segments": aligned}
