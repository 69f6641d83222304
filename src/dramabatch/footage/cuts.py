"""A footage plan as a *cut list*: which stretch of which file is on screen at which frame.

Two readers need the footage of a video as explicit cuts rather than as a plan: the timeline
written with each video (render/timeline.py describes what was rendered, clip by clip) and a
timeline edited by hand and put back as an override (edited.py), which the render then shows
cut by cut (cut_graph.py). Cuts are in whole frames of the render's rate, so the cut points of
a timeline and of its video are the same frames.

For a plan of clips (source, local, Pexels) the cuts follow footage_inputs: each piece of a clip
continues where that clip's previous piece stopped (one looped decoder per clip), wrapping to its
start at its end. For a ``scenes`` plan each sentence is one cut (its stretch of the source at
its speed) and, where the stretch ends before the sentence's window, a frozen last frame (the
hold). A generated plan is one cut with no file.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from ..base.media import probe
from .background import FootagePlan
from .graph import footage_inputs
from .scene_graph import window
from .scenes import Span, runs


@dataclass
class Cut:
    """One shot on screen: record frames ``start .. start + frames`` show ``path`` from
    ``src_start`` seconds at ``speed`` (source seconds per second), or its frame at
    ``src_start`` held (``freeze``). An empty ``path`` is the generated background."""

    start: int
    frames: int
    path: str
    src_start: float = 0.0
    speed: float = 1.0
    fit: str = "cover"
    freeze: bool = False
    band: dict = field(default_factory=dict)
    #: what the cut came from, for a person reading the timeline (a sentence, a clip)
    note: str = ""

    @property
    def end(self) -> int:
        return self.start + self.frames

    def to_dict(self) -> dict:
        out = asdict(self)
        out["src_start"] = round(self.src_start, 4)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Cut:
        """Tolerant of keys it does not know (plans gain fields over time)."""
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


def _clip_cuts(plan: FootagePlan, length: float, fps: int, seconds_per_clip: float,
               crossfade: float) -> list[Cut]:
    _, pieces = footage_inputs(plan, length, fps, seconds_per_clip, crossfade)
    # Pieces cycle through the clips from the first, so input position k is the plan's clip k.
    clips = plan.clips
    cuts: list[Cut] = []
    played = [0] * len(clips)  # frames of each clip already shown (its looped decoder's place)
    acc, at = 0.0, 0
    for idx, seconds in pieces:
        acc += seconds
        end = round(acc * fps)
        clip = clips[idx]
        true = probe(clip.path).video_duration or probe(clip.path).duration
        loop = max(1, int(true * fps))  # frames before the looped input starts again
        frame, left = at, end - at
        while left > 0:
            pos = played[idx] % loop
            n = min(left, loop - pos)
            cuts.append(Cut(frame, n, clip.path, pos / fps, 1.0, clip.fit, note=clip.path))
            frame, left, played[idx] = frame + n, left - n, played[idx] + n
        at = end
    return cuts


def _near(x: float) -> int:
    """ffmpeg's rounding of a time to an output frame (to nearest, halves away from zero)."""
    return math.floor(x + 0.5)


def _scene_starts(spans: list[Span], fps: int, src_fps: float) -> list[int]:
    """The output frame where each span's picture starts, as scene_graph's filters place it.

    A run (one input) starts on its frame; inside it, a span starts with the first source frame
    at or after its stretch's start (``select``), moved to ``window start + (t - stretch start)
    / speed`` (``setpts``) and put on the nearest output frame (``fps``): up to a source frame
    later than its window's start. Before that, the previous span's last frame is held.
    """
    starts = []
    for group in runs(spans):
        o = group[0].start
        base = round(o * fps)  # as scene_graph cuts the runs
        starts.append(base)
        for s in group[1:]:
            first = math.ceil(s.src_start * src_fps - 1e-3) / src_fps if src_fps else s.src_start
            starts.append(base + _near((s.start - o + (first - s.src_start) / s.speed) * fps))
    return starts


def _scene_cuts(plan: FootagePlan, offset: float, length: float, fps: int) -> list[Cut]:
    spans = window([Span(**s) for s in plan.spans], offset, length)
    source, fit = plan.clips[0].path, plan.clips[0].fit
    total = round(length * fps)
    starts = [min(total, a) for a in _scene_starts(spans, fps, probe(source).fps or 0.0)]
    cuts: list[Cut] = []
    for k, s in enumerate(spans):
        a = starts[k]
        b = total if k == len(spans) - 1 else starts[k + 1]
        if b <= a:
            continue
        moving = min(b - a, max(1, round(s.shown_until * fps) - a))
        late = max(0.0, a / fps - s.start)  # the window began before this frame
        note = f"sentence {s.sentence} ({s.origin})"
        cuts.append(Cut(a, moving, source, s.src_start + late * s.speed, s.speed, fit,
                        band=dict(plan.band), note=note))
        if moving < b - a:  # the stretch ended before the window: its last frame is held
            last = s.src_start + late * s.speed + max(0.0, (moving - 1) / fps * s.speed)
            cuts.append(Cut(a + moving, b - a - moving, source, last, 1.0, fit, True,
                            dict(plan.band), note + ", held"))
    return cuts


def plan_cuts(plan: FootagePlan, length: float, fps: int, *, offset: float = 0.0,
              seconds_per_clip: float = 0.0, crossfade: float = 0.0) -> list[Cut]:
    """The cuts a render of ``length`` seconds from narration ``offset`` shows of ``plan``
    (frame counts as the render makes them: ``round(length * fps)`` in all)."""
    total = max(1, round(length * fps))
    if plan.cuts:
        return [Cut.from_dict(c) for c in plan.cuts]
    if plan.lavfi:
        return [Cut(0, total, "", note=plan.lavfi)]
    if plan.spans:
        return _scene_cuts(plan, offset, length, fps)
    return _clip_cuts(plan, total / fps, fps, seconds_per_clip, crossfade)
