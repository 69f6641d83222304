"""Subtitles from the narration timeline: sentence cues for the long video, word chunks for shorts.

Cue times come from ``narration.json`` (sample-exact), never from guessing. Layout rules: at most
``max_chars`` per line and ``max_lines`` lines a cue; a clause too long for one cue is split at word
boundaries with times shared in proportion to characters.
"""

from __future__ import annotations

import os
import textwrap

import pysubs2

from .fsutil import atomic_output


def wrap(text: str, max_chars: int) -> list[str]:
    """Greedy word wrap; a single over-long word stays whole rather than being cut."""
    return textwrap.wrap(text, width=max_chars, break_long_words=False, break_on_hyphens=False)


def _split_to_fit(text: str, start: float, end: float, max_chars: int, max_lines: int):
    """Yield (text, start, end) pieces, each fitting in max_lines lines of max_chars."""
    lines = wrap(text, max_chars)
    if len(lines) <= max_lines:
        yield "\n".join(lines), start, end
        return
    groups = ["\n".join(lines[i:i + max_lines]) for i in range(0, len(lines), max_lines)]
    total = sum(len(g) for g in groups)
    cursor = start
    for g in groups:
        g_end = cursor + (end - start) * len(g) / total
        yield g, cursor, g_end
        cursor = g_end


def long_cues(segments: list[dict], max_chars: int = 42, max_lines: int = 2):
    """Cues for the long video: a sentence per cue when it fits, else clause by clause."""
    by_sentence: dict[int, list[dict]] = {}
    for seg in segments:
        by_sentence.setdefault(seg["sentence"], []).append(seg)
    for sentence in by_sentence.values():
        joined = " ".join(s["text"] for s in sentence)
        if len(wrap(joined, max_chars)) <= max_lines:
            yield joined, sentence[0]["start"], sentence[-1]["end"]
            continue
        # Merge consecutive clauses while they fit, so cues are neither too long nor flickery.
        pending: list[dict] = []
        for seg in sentence:
            candidate = " ".join(s["text"] for s in [*pending, seg])
            if pending and len(wrap(candidate, max_chars)) > max_lines:
                yield from _split_to_fit(" ".join(s["text"] for s in pending),
                                         pending[0]["start"], pending[-1]["end"],
                                         max_chars, max_lines)
                pending = []
            pending.append(seg)
        if pending:
            yield from _split_to_fit(" ".join(s["text"] for s in pending), pending[0]["start"],
                                     pending[-1]["end"], max_chars, max_lines)


def word_cues(segments: list[dict], max_words: int = 3, hold_gap_s: float = 0.7):
    """Short captions of 1..max_words words, timed by the segment's word times when present.

    A caption stays up through a following gap shorter than ``hold_gap_s`` (a comma or sentence
    pause), so captions do not blink off between clauses.
    """
    cues = []
    for seg in segments:
        words = seg.get("words") or _proportional_words(seg)
        for i in range(0, len(words), max_words):
            chunk = words[i:i + max_words]
            cues.append((" ".join(w["word"] for w in chunk), chunk[0]["start"], chunk[-1]["end"]))
    for k, (text, start, end) in enumerate(cues):
        if k + 1 < len(cues) and 0 < cues[k + 1][1] - end < hold_gap_s:
            end = cues[k + 1][1]
        yield text, start, end


def _proportional_words(seg: dict) -> list[dict]:
    tokens = seg["text"].split()
    weights = [len(t) + 1 for t in tokens]
    total = sum(weights)
    out, cursor = [], seg["start"]
    for tok, w in zip(tokens, weights, strict=True):
        end = cursor + (seg["end"] - seg["start"]) * w / total
        out.append({"word": tok, "start": cursor, "end": end})
        cursor = end
    return out


def to_ssa(cues, offset: float = 0.0,
           clip: tuple[float, float] | None = None) -> pysubs2.SSAFile:
    """Build a pysubs2 file from (text, start, end) cues, shifted by -offset, within clip."""
    subs = pysubs2.SSAFile()
    for text, start, end in cues:
        if clip and (end <= clip[0] or start >= clip[1]):
            continue
        if clip:
            start, end = max(start, clip[0]), min(end, clip[1])
        s_ms = int(round((start - offset) * 1000))
        e_ms = int(round((end - offset) * 1000))
        if e_ms <= s_ms:
            continue
        subs.append(pysubs2.SSAEvent(start=s_ms, end=e_ms, text=text.replace("\n", "\\N")))
    return subs


def write_srt(timeline: dict, path: str | os.PathLike[str], max_chars: int = 42,
              max_lines: int = 2) -> int:
    """Write the long video's SRT atomically (UTF-8); return the number of cues."""
    subs = to_ssa(long_cues(timeline["segments"], max_chars, max_lines))
    with atomic_output(path) as tmp:
        subs.save(str(tmp), encoding="utf-8", format_="srt")
    return len(subs)


def attach_words(timeline: dict, words: dict) -> dict:
    """A copy of ``timeline`` whose segments carry the word times of ``words.json``.

    ``words.json`` (rule align_words) has one entry per narration segment, in order, each with its
    words in the script's own spelling; a mismatch means the two files come from different runs.
    """
    segments = timeline["segments"]
    aligned = words.get("segments", [])
    if len(aligned) != len(segments):
        raise ValueError(f"words.json has {len(aligned)} segments, narration has {len(segments)}")
    merged = []
    for seg, al in zip(segments, aligned, strict=True):
        if al.get("text") != seg["text"]:
            raise ValueError(f"words.json segment {seg.get('index')} text differs from narration")
        merged.append({**seg, "words": al["words"]})
    return {**timeline, "segments": merged}

