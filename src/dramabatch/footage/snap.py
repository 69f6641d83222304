"""Snapping a recap beat's stretch to the source's shot changes (``scenes.snap_s``).

A beat cites transcript segments, whose edges are where speech starts and ends: a sentence end,
not necessarily a cut. A beat that starts 0.2 s before a cut flashes the tail of the previous
shot. So each beat's first and last edge moves to the nearest shot change within ``snap_s``
seconds, looked for in frames every ``STEP`` seconds around the edge (a shot change: a mean grey
difference above reframe's CUT_DIFF between neighbours). No cut in reach: the edge stays at the
sentence end. Only the beat's outer edges move; its clauses keep their shares inside. The plan's
reasons list every edge moved.
"""

from __future__ import annotations

import copy

import numpy as np

from .frames import grey_frames
from .reframe import CUT_DIFF

#: Seconds between the frames compared around an edge.
STEP = 0.1


def cut_near(source: str, at: float, reach: float, duration: float) -> float | None:
    """The shot change nearest ``at`` within ``reach`` seconds (the first frame of the new
    shot), or None."""
    times = [t for k in range(round(2 * reach / STEP) + 1)
             if 0 <= (t := at - reach + k * STEP) <= duration]
    if len(times) < 2:
        return None
    grey, _ = grey_frames(source, times, 64)
    diffs = np.abs(grey[1:].astype(np.int16) - grey[:-1]).mean(axis=(1, 2))
    cuts = [times[k + 1] for k, d in enumerate(diffs) if d > CUT_DIFF]
    return min(cuts, key=lambda c: abs(c - at)) if cuts else None


def snap_beats(timeline: dict, source: str, reach: float,
               duration: float) -> tuple[dict, list[str]]:
    """A copy of ``timeline`` whose recap beats' outer source edges sit on the nearest shot
    change within ``reach``, and the notes for the plan."""
    if reach <= 0:
        return timeline, []
    out = copy.deepcopy(timeline)
    beats: dict[int, list[dict]] = {}
    for seg in out["segments"]:
        # an original moment's picture stays with its sound (taken at its exact times)
        if seg.get("beat") is not None and "source_start" in seg and seg.get("kind") != "original":
            beats.setdefault(seg["beat"], []).append(seg)
    notes = []
    for beat, segs in beats.items():
        first, last = segs[0], segs[-1]
        for seg, key in ((first, "source_start"), (last, "source_end")):
            cut = cut_near(source, seg[key], reach, duration)
            other = seg["source_end" if key == "source_start" else "source_start"]
            if cut is None or abs(cut - seg[key]) < STEP / 2 or (
                    cut >= other if key == "source_start" else cut <= other):
                continue
            notes.append(f"beat {beat}: {key.split('_')[1]} {seg[key]:.2f} s snapped to the "
                         f"shot change at {cut:.2f} s")
            seg[key] = round(cut, 3)
    return out, notes
