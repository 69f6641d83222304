"""The ``scenes`` background: under each narration sentence, the part of the source it was said in.

The script (written in the narrate job) records, per clause, where the transcript heard it
(``source_start``/``source_end``), and narrating carries those times into ``narration.json``.
Here each sentence gets a *window* of the narration (from its first word to the next sentence's
first word, its pause included) and a *stretch* of the source (its clauses' first start to last
end).

The fit rule, per sentence (``speed`` = source seconds per narration second, bounded to
``[min_speed, max_speed]``, 0.8..1.25 by default: a setpts factor of 1/speed):

- speed = stretch / window, clamped to the bounds;
- the source plays from the stretch's start for ``min(stretch, window * speed)`` seconds;
- a stretch too long even at ``max_speed`` is trimmed (its end is not shown); one too short even
  at ``min_speed`` plays whole and its last frame is held to the end of the window.

A sentence with no source time (an overridden or rewritten script, or a clause the transcript
text did not match) falls back to its neighbours: the source continuing after the previous
sentence's stretch, else leading into the next one's. When no sentence has a time at all, each
sentence shows the share of the source at the same share of the narration. Every fallback is
named in the span (``origin``) and in the plan's reasons.

A recap (``rewrite.mode: recap``, script/recap.py) cites transcript segments per beat: its
sentences carry their share of the cited stretch, and their spans record the beat (``beat``) and
the cited segments (``cites``), with origin ``recap``. An original moment (origin ``original``)
plays its stretch at 1x, its own sound being in the narration at that place.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..base.errors import DramaError

#: Default bounds of the speed change (source seconds per narration second).
MIN_SPEED, MAX_SPEED = 0.8, 1.25
#: Shortest stretch of source worth playing for a fallback sentence (seconds).
MIN_STRETCH = 0.2


@dataclass
class Span:
    """One sentence: its narration window and the source it shows (seconds)."""

    sentence: int
    start: float  # narration window
    end: float
    src_start: float  # the source played: src_start .. src_start + played
    played: float
    speed: float  # source seconds per narration second
    origin: str  # transcript | recap | original | after previous | before next | proportional
    beat: int | None = None  # a recap's beat, and the transcript segments it cites
    cites: list[int] | None = None

    @property
    def src_end(self) -> float:
        return self.src_start + self.played

    @property
    def shown_until(self) -> float:
        """Narration time the source stops moving (its last frame is held after it)."""
        return self.start + self.played / self.speed

    def to_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if v is not None}
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}


def sentence_windows(timeline: dict) -> list[dict]:
    """Per sentence: its narration window and its transcript stretch (None when unknown)."""
    grouped: dict[int, list[dict]] = {}
    for seg in timeline["segments"]:
        grouped.setdefault(seg["sentence"], []).append(seg)
    order = sorted(grouped)
    out = []
    for k, idx in enumerate(order):
        segs = grouped[idx]
        start = 0.0 if k == 0 else segs[0]["start"]
        end = (grouped[order[k + 1]][0]["start"] if k + 1 < len(order)
               else timeline["duration"])
        timed = [s for s in segs if "source_start" in s and "source_end" in s]
        src = ((min(s["source_start"] for s in timed), max(s["source_end"] for s in timed))
               if timed else None)
        first = segs[0]
        out.append({"sentence": idx, "start": start, "end": end, "source": src,
                    "original": first.get("kind") == "original",
                    "beat": first.get("beat"), "cites": first.get("cites")})
    return out


def fit(window: float, stretch: float, min_speed: float, max_speed: float) -> tuple[float, float]:
    """(speed, seconds of source played) for a narration window and a source stretch."""
    if window <= 0 or stretch <= 0:
        return 1.0, 0.0
    speed = min(max(stretch / window, min_speed), max_speed)
    return speed, min(stretch, window * speed)


def map_spans(timeline: dict, source_duration: float, min_speed: float = MIN_SPEED,
              max_speed: float = MAX_SPEED) -> tuple[list[Span], list[str]]:
    """The spans of a narration timeline over a source of ``source_duration``, and the notes
    (fallbacks used) for the plan."""
    if source_duration <= 0:
        raise DramaError("the source has no length to take scenes from")
    if not 0 < min_speed <= 1 <= max_speed:
        raise DramaError(f"scenes speed bounds must hold 1 (got {min_speed:g}..{max_speed:g})")
    windows = sentence_windows(timeline)
    if not windows:
        raise DramaError("the narration has no sentences to put scenes under")
    notes: list[str] = []
    known = [w for w in windows if w["source"]]
    if not known:
        total = windows[-1]["end"] or 1.0
        notes.append("no sentence of the script has a source time (an overridden or rewritten "
                     "script): each sentence shows the share of the source at its share of the "
                     "narration")
        spans = []
        for w in windows:
            a, b = w["start"] / total * source_duration, w["end"] / total * source_duration
            speed, played = fit(w["end"] - w["start"], b - a, min_speed, max_speed)
            spans.append(Span(w["sentence"], w["start"], w["end"], a, played, speed,
                              "proportional"))
        return spans, notes
    spans: list[Span] = []
    for k, w in enumerate(windows):
        window = w["end"] - w["start"]
        if w["source"]:
            a = min(max(0.0, w["source"][0]), source_duration)
            b = min(max(a, w["source"][1]), source_duration)
            if b - a < MIN_STRETCH:  # a one-word clause, or a time past the source's end
                b = min(source_duration, a + MIN_STRETCH)
                a = max(0.0, b - MIN_STRETCH)
            speed, played = fit(window, b - a, min_speed, max_speed)
            origin = "transcript" if w.get("beat") is None else "recap"
            if w.get("original"):  # the drama's own line: its picture at 1x, with its sound
                speed, played, origin = 1.0, min(b - a, window), "original"
            spans.append(Span(w["sentence"], w["start"], w["end"], a, played, speed, origin,
                              w.get("beat"), w.get("cites")))
            continue
        nxt = next((v["source"][0] for v in windows[k + 1:] if v["source"]), source_duration)
        prev_end = spans[-1].src_end if spans else None
        if prev_end is not None and nxt - prev_end >= MIN_STRETCH:
            a, b, origin = prev_end, min(nxt, prev_end + window), "after previous"
        else:
            b = nxt if nxt > MIN_STRETCH else source_duration
            a, origin = max(0.0, b - max(window, MIN_STRETCH)), "before next"
        speed, played = fit(window, b - a, min_speed, max_speed)
        spans.append(Span(w["sentence"], w["start"], w["end"], a, played, speed, origin))
        notes.append(f"sentence {w['sentence']}: no source time; shows the source {origin} "
                     f"({a:.2f}-{a + played:.2f} s)")
    return spans, notes


def runs(spans: list[Span], tolerance: float = 0.05) -> list[list[Span]]:
    """Consecutive spans whose source stretches move forward without overlapping: each run is
    one decoder of the source, read once from its first stretch to its last."""
    out: list[list[Span]] = []
    for span in spans:
        if out and span.src_start >= out[-1][-1].src_end - tolerance:
            out[-1].append(span)
        else:
            out.append([span])
    return out
