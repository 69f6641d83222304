"""No speech skipped: voiced stretches no segment covers are transcribed again on their own.

Whisper can jump over part of a 30-second window (a quiet speaker next to a loud one, a line
after music) and say nothing about it: the drama would finish without that part of the story.
The voice-activity detector hears those stretches, so comparing its spans with the segments'
times finds them. Each one holding at least ``min_voiced_s`` seconds of voice is decoded alone,
where nothing louder competes; what still has no text is reported as a share of the speech, and
``check.check_coverage`` fails the drama past a threshold.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .vad import RATE, voiced_seconds

#: Segment times are Whisper's guesses and VAD spans are padded (400 ms): a stretch within this
#: of a segment counts as covered by it.
TOLERANCE_S = 0.5
#: Context kept around a stretch decoded on its own, so its first and last words are whole.
CLIP_PAD_S = 0.3

Span = tuple[float, float]


def _merged(intervals: list[Span]) -> list[Span]:
    out: list[Span] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def uncovered(spans: list[Span], segments: list[dict]) -> list[tuple[float, float, float]]:
    """(start, end, voiced seconds) of each stretch between segments that holds voice activity.

    Voiced spans split only by silence belong to one stretch: a quiet speaker's pauses do not
    cut what Whisper skipped into pieces too short to notice."""
    covered = _merged([(max(0.0, s["start"] - TOLERANCE_S), s["end"] + TOLERANCE_S)
                       for s in segments])
    holes, cursor = [], 0.0
    for start, end in covered:
        if start > cursor:
            holes.append((cursor, start))
        cursor = max(cursor, end)
    holes.append((cursor, float("inf")))
    out = []
    for lo, hi in holes:
        pieces = [(max(lo, a), min(hi, b)) for a, b in spans if min(hi, b) > max(lo, a)]
        if pieces:
            out.append((pieces[0][0], pieces[-1][1], voiced_seconds(pieces)))
    return out


def _shifted(segment: dict, offset: float) -> dict:
    moved = {**segment, "start": round(segment["start"] + offset, 3),
             "end": round(segment["end"] + offset, 3), "retried": True}
    if "window" in segment:
        moved["window"] = round(segment["window"] + offset, 2)
    moved["words"] = [{**w, "start": round(w["start"] + offset, 3),
                       "end": round(w["end"] + offset, 3)} for w in segment.get("words", [])]
    return moved


def fill_gaps(samples: np.ndarray, spans: list[Span], segments: list[dict],
              decode_clip: Callable[[np.ndarray], list[dict]],
              min_voiced_s: float) -> tuple[list[dict], dict]:
    """Decode each long uncovered stretch alone; return all segments (in time order) and the
    coverage figures recorded in the transcript."""
    speech_s = voiced_seconds(spans)
    duration = len(samples) / RATE
    added: list[dict] = []
    retried = []
    for start, end, voiced in uncovered(spans, segments):
        if voiced < min_voiced_s:
            continue
        lo, hi = max(0.0, start - CLIP_PAD_S), min(duration, end + CLIP_PAD_S)
        found = [_shifted(s, lo) for s in decode_clip(samples[int(lo * RATE):int(hi * RATE)])]
        added += found
        retried.append({"start": round(start, 3), "end": round(end, 3),
                        "voiced_s": round(voiced, 3), "segments": len(found)})
    merged = sorted(segments + added, key=lambda s: (s["start"], s["end"]))
    left = [g for g in uncovered(spans, merged) if g[2] >= min_voiced_s]
    missed_s = sum(g[2] for g in left)
    coverage = {
        "speech_s": round(speech_s, 3),
        "retried": retried,
        "recovered_segments": len(added),
        "uncovered": [{"start": round(a, 3), "end": round(b, 3), "voiced_s": round(v, 3)}
                      for a, b, v in left],
        "uncovered_s": round(missed_s, 3),
        "uncovered_share": round(missed_s / speech_s, 3) if speech_s else 0.0,
    }
    return merged, coverage
