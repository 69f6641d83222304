"""Captions on screen against the cues the render used, and the cues against the words.

Burned-in captions leave no stream to read back, so their times are found in the picture: a
caption appearing, changing or leaving changes the caption band in one frame, while footage
changes it gradually or together with the rest of the frame (a cut). ``caption_events`` finds
those one-frame jumps of the band that the reference strip next to it does not share.

Each place where the cues say the band should change (a cue starts or ends) is matched with the
nearest such jump; the offset is how far the picture is from the cue. A render whose captions
are late or early by a second shows offsets of a second; a render without captions shows none
of the expected changes (each counts as missed, at the search window).

The long video's cues themselves are checked against ``words.json``: a cue should appear when its
first word is spoken.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

#: Farthest a caption change is looked for from where its cue puts it, in seconds; a change
#: not found this close counts as off by this much.
WINDOW_S = 2.0
#: A band jump must stand this many times above the band's typical frame-to-frame jitter.
JUMP_OVER_NOISE = 6.0
#: ... and at least this much (mean change, 0-255), so a still picture's noise is no event.
MIN_JUMP = 1.0
#: The band's change over the strip's: a mean change this small (0-255) is added to both, so
#: two still strips' noise makes no ratio; a jump of the log ratio must be at least this big
#: (the band changing 65 % more than the strip, relative to the frames around).
RATIO_FLOOR = 1.0
MIN_RATIO_JUMP = 0.5


def boundaries(cues: Iterable[tuple[float, float]], duration: float, fps: float) -> list[float]:
    """Times of the frames where the captions change: the first frame at or after each cue's
    start and end, once each, leaving out the first and last frame (no change to see there)."""
    frame = 1.0 / fps
    times = set()
    for start, end in cues:
        for t in (start, end):
            at = math.ceil(round(t * fps, 6)) * frame
            if frame * 0.5 < at < duration - frame * 0.5:
                times.add(round(at, 4))
    return sorted(times)


def on_screen(cues: Iterable[tuple[str, float, float]],
              frame: float = 1 / 30) -> list[tuple[float, float]]:
    """(start, end) of the captions as the screen shows them: a cue followed within a frame by
    the same text is one caption, with no change to see between them. (The 2-minute drama's
    Whisper loop, "que no me parece" cue after cue, counted 13 such joins as missed captions.)"""
    out: list[tuple[float, float]] = []
    last = None
    for text, start, end in sorted(cues, key=lambda c: c[1]):
        if out and text == last and start - out[-1][1] <= frame:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
        last = text
    return out


def snap(times: list[float], frames: list[float]) -> list[float]:
    """Each time moved to the first decoded frame at or after it (the decode skips frames, see
    ``measure.DECODE_SKIP``); a time after the last decoded frame is dropped."""
    out, k = [], 0
    for t in times:
        while k < len(frames) and frames[k] < t - 1e-3:
            k += 1
        if k < len(frames):
            out.append(frames[k])
    return sorted(set(out))


def _local(values: list[float], k: int, half: int = 2) -> float:
    around = values[max(0, k - half):k] + values[k + 1:k + 1 + half]
    return statistics.median(around) if around else 0.0


def _peaks(times: list[float], jump: list[float], noise: list[float],
           least: float = MIN_JUMP) -> set[float]:
    """Times of local maxima of ``jump`` above ``JUMP_OVER_NOISE`` times ``noise``'s median
    size (and ``least``)."""
    n = len(jump)
    threshold = max(least, JUMP_OVER_NOISE * statistics.median(abs(j) for j in noise))
    return {times[k] for k in range(1, n)
            if jump[k] > threshold and jump[k] >= jump[k - 1]
            and (k + 1 >= n or jump[k] >= jump[k + 1])}


def caption_events(band: list[tuple[float, float]],
                   reference: list[tuple[float, float]]) -> list[float]:
    """Times of one-frame jumps of the caption band, seen any of three ways: above the band's
    own jitter and bigger than the reference strip's jump in the same frame (a cut moves both
    alike); as a jump of the band's change *over the strip's* (their difference); or *relative
    to the strip's* (their log ratio), each above its own jitter. Moving footage changes both
    strips alike (a pan: the difference cancels it) or in proportion (the cadence of a
    frame-rate change, every third frame repeated from 25 to 15 fps; a letterbox bar under the
    band: the ratio cancels it), so a caption change stands out where the band's own jitter
    hides it (the demo's city and Big Buck Bunny clips measured 1.2 s and 0.47 s median offsets
    with captions in step, by the band alone). An extra event costs nothing: each expected
    change is matched with its nearest one.
    """
    n = min(len(band), len(reference))
    if n < 3:
        return []
    times = [t for t, _ in band[:n]]
    b = [v for _, v in band[:n]]
    r = [v for _, v in reference[:n]]
    jump = [b[k] - _local(b, k) for k in range(n)]
    beside = [r[k] - _local(r, k) for k in range(n)]
    own = [j if j > s else 0.0 for j, s in zip(jump, beside, strict=True)]
    d = [b[k] - r[k] for k in range(n)]
    over = [d[k] - _local(d, k) for k in range(n)]
    ratio = [math.log((b[k] + RATIO_FLOOR) / (r[k] + RATIO_FLOOR)) for k in range(n)]
    relative = [ratio[k] - _local(ratio, k) for k in range(n)]
    return sorted(_peaks(times, own, jump) | _peaks(times, over, over)
                  | _peaks(times, relative, relative, MIN_RATIO_JUMP))


#: How many of the farthest caption changes the record lists with their times.
FARTHEST = 10


@dataclass(frozen=True)
class Offsets:
    """How far the picture's caption changes are from the cues' (seconds)."""

    expected: int
    missed: int
    median_s: float
    worst_s: float
    #: changes on the frame of a footage cut, and the worst of them (left out of ``worst_s``)
    at_cut: int = 0
    worst_at_cut_s: float = 0.0
    #: the ``FARTHEST`` changes farthest from their cue, farthest first: (the cue's time in the
    #: video, the offset, on a cut's frame). Where to look: at the hour, finding the one change
    #: behind a 1.67 s worst offset among 1,606 took a decode of the whole video by hand.
    farthest: tuple[tuple[float, float, bool], ...] = ()

    def to_dict(self) -> dict:
        return {"expected": self.expected, "missed": self.missed,
                "median_s": round(self.median_s, 3), "worst_s": round(self.worst_s, 3),
                **({"at_cut": self.at_cut, "worst_at_cut_s": round(self.worst_at_cut_s, 3)}
                   if self.at_cut else {}),
                **({"farthest": [{"at_s": round(t, 3), "offset_s": round(g, 3), "at_cut": cut}
                                 for t, g, cut in self.farthest]} if self.farthest else {})}


def nearest(times: list[float], t: float) -> float:
    """Distance from ``t`` to the nearest of ``times`` (sorted; infinite when empty): a search,
    not a scan, so an hour's 1,600 changes against its thousands of jumps stay linear."""
    k = bisect.bisect_left(times, t)
    return min((abs(times[j] - t) for j in (k - 1, k) if 0 <= j < len(times)), default=math.inf)


def farthest_of(timed: list[tuple[float, float, bool]]) -> tuple[tuple[float, float, bool], ...]:
    """The ``FARTHEST`` (time, offset, on a cut) with the largest offsets, farthest first (the
    earlier first among equals); offsets of 0 are not listed."""
    return tuple(sorted((x for x in timed if x[1] > 0), key=lambda x: (-x[1], x[0]))[:FARTHEST])


def offsets(expected: list[float], events: list[float], window: float = WINDOW_S) -> Offsets:
    """Each expected change's distance to the nearest caption jump (``window`` when none)."""
    return band_offsets([(expected, events)], window)


def band_offsets(bands: list[tuple[list[float], list[float]]],
                 window: float = WINDOW_S, cuts: list[float] | None = None,
                 near: float = 0.05) -> Offsets:
    """``offsets`` over several caption bands at once: each band's expected changes (of the cues
    placed there) against that band's own jumps. A cue moving from the bottom to the top makes
    a change in both, each expected where it is.

    ``cuts``: times of the footage's cuts. A caption change within ``near`` of one is counted
    (median, missed) but left out of ``worst_s``: the whole picture changes on that frame, and
    the band's jump cannot be told from the cut's (the 2-minute drama's one 0.6 s "offset" was a
    caption on screen on time, appearing on the frame of a cut)."""
    timed = [(t, min(nearest(jumps, t), window))
             for expected, jumps in ((e, sorted(j)) for e, j in bands) for t in expected]
    if not timed:
        return Offsets(0, 0, 0.0, 0.0)
    gaps = [g for _, g in timed]
    cut_times = sorted(cuts or [])
    on_cut = [nearest(cut_times, t) <= near for t, _ in timed]
    at_cut = [g for g, cut in zip(gaps, on_cut, strict=True) if cut]
    clear = [g for g, cut in zip(gaps, on_cut, strict=True) if not cut]
    return Offsets(len(gaps), sum(g >= window for g in gaps), statistics.median(gaps),
                   max(clear, default=0.0), len(at_cut), max(at_cut, default=0.0),
                   farthest_of([(t, g, cut) for (t, g), cut in zip(timed, on_cut, strict=True)]))


def words_offsets(cues: list[tuple[str, float, float]], words: dict) -> Offsets | None:
    """Each cue's start against its first word's start in ``words.json`` (None: the two texts
    do not split into the same words, so they cannot be paired)."""
    flat = [w for seg in words.get("segments", []) for w in seg.get("words", [])]
    if sum(len(text.split()) for text, _, _ in cues) != len(flat):
        return None
    timed, at = [], 0
    for text, start, _ in cues:
        count = len(text.split())
        if count:
            timed.append((start, abs(start - flat[at]["start"])))
        at += count
    if not timed:
        return Offsets(0, 0, 0.0, 0.0)
    gaps = [g for _, g in timed]
    return Offsets(len(gaps), 0, statistics.median(gaps), max(gaps),
                   farthest=farthest_of([(t, g, False) for t, g in timed]))


def reading_speed(cues: Iterable[tuple[str, float, float]], max_cps: float) -> dict:
    """Characters per second of each cue (line breaks not counted): the fastest, and the share
    of cues faster than ``max_cps``."""
    speeds = [len(text.replace("\n", " ").strip()) / (end - start)
              for text, start, end in cues if end > start and text.strip()]
    if not speeds:
        return {"max_cps": 0.0, "share_over": 0.0, "limit": max_cps}
    return {"max_cps": round(max(speeds), 1),
            "share_over": round(sum(s > max_cps for s in speeds) / len(speeds), 3),
            "limit": max_cps}
