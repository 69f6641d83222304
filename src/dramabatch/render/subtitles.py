"""Subtitles from the narration timeline: sentence cues for the long video, word chunks for shorts.

Cue times come from ``narration.json`` (sample-exact), never from guessing; the long video's cue
breaks and reading-speed rules are in ``cues``. Text reaches libass escaped (``fonts.ass_text``):
a transcript or title saying ``{\\fs300}`` or ``\\N`` is shown as written. The SRT is written and
read here, not by pysubs2, whose SubRip writer drops anything between braces.
"""

from __future__ import annotations

import os
import re

import pysubs2

from ..base.fsutil import write_text_atomic
from .cues import balanced_lines, build_cues, max_cps_for
from .fonts import ass_text


def long_cues(segments: list[dict], max_chars: int = 42, max_lines: int = 2,
              min_s: float = 0.833, max_cps: float = 17.0):
    """Cues for the long video as (text, start, end), lines wrapped at ``max_chars``."""
    for cue in build_cues(segments, max_chars, max_lines, min_s, max_cps):
        yield "\n".join(balanced_lines(cue.text, max_chars, max_lines)), cue.start, cue.end


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
        text = "\\N".join(ass_text(line) for line in text.split("\n"))
        subs.append(pysubs2.SSAEvent(start=s_ms, end=e_ms, text=text))
    return subs


def _srt_time(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def write_srt(timeline: dict, path: str | os.PathLike[str], max_chars: int = 42,
              max_lines: int = 2, min_s: float = 0.833, max_cps: dict | float = 17.0) -> int:
    """Write the long video's SRT atomically (UTF-8, text as spoken); return the cue count."""
    limit = max_cps_for(max_cps, timeline.get("language", ""))
    cues = [c for c in long_cues(timeline["segments"], max_chars, max_lines, min_s, limit)
            if c[2] > c[1]]
    blocks = [f"{n}\n{_srt_time(start)} --> {_srt_time(end)}\n{text}\n"
              for n, (text, start, end) in enumerate(cues, start=1)]
    write_text_atomic(path, "\n".join(blocks))
    return len(cues)


_SRT_TIME = re.compile(r"(\d+):(\d+):(\d+)[,.](\d+)\s*-->\s*(\d+):(\d+):(\d+)[,.](\d+)")


def read_srt(path: str | os.PathLike[str]) -> list[tuple[str, float, float]]:
    """(text, start, end) cues of an SRT file, text exactly as written (lines joined by \\n)."""
    with open(path, encoding="utf-8-sig") as fh:
        blocks = re.split(r"\n\s*\n", fh.read().replace("\r\n", "\n").strip())
    cues = []
    for block in blocks:
        lines = block.split("\n")
        at = next((k for k, line in enumerate(lines) if _SRT_TIME.search(line)), None)
        if at is None:
            continue
        t = [int(x) for x in _SRT_TIME.search(lines[at]).groups()]
        start = t[0] * 3600 + t[1] * 60 + t[2] + t[3] / 1000
        end = t[4] * 3600 + t[5] * 60 + t[6] + t[7] / 1000
        cues.append(("\n".join(lines[at + 1:]), start, end))
    return cues


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

