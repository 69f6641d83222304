"""Where the 16:9 video's picture shows faces over time, so its captions can keep clear of them.

The long video shows the landscape footage plan fitted to its frame: ``cover`` scales and crops
the middle, ``blur`` and ``bars`` show the whole picture centred (graph.fit_chain). Its captions
(render/long_captions.py) must not sit over a face, so here the plan's cuts (cuts.plan_cuts:
which file, from which second, at which speed, at which output frame: the frames the render
shows) are sampled a few times per shot, read small and streamed (frames.stream_frames, one
read per file, memory flat whatever the length), BlazeFace (faces.py) finds the faces, and each
face box is mapped through its cut's fit into fractions of the output frame.

A cut is a shot; a shot change inside one (a source plan's own edits) is a large change between
two samples' thumbnails, as in reframe.py. Its exact frame lies between the two samples, so the
shots on both sides of it are taken to last over that gap (a caption there avoids both).

A generated background has no file and no face: nothing is read, nothing is spent. Without
OpenCV (the ``reframe`` extra) nothing is looked at either, and the result says so.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..base.media import display_size
from .background import FootagePlan
from .cuts import plan_cuts
from .faces import detector
from .frames import stream_frames
from .framing import PAD
from .reframe import CUT_DIFF, THUMB_W

log = logging.getLogger(__name__)

#: Seconds between two samples of one shot, and the fewest samples of a cut (a short cut is
#: looked at twice, a long one every STEP_S).
STEP_S, PER_CUT = 1.0, 2
#: Most samples per video (the step grows for long videos: the look stays small next to the
#: render, which decodes and encodes every frame).
MAX_SAMPLES = 400
#: Width the frames are looked at (BlazeFace sees 192-px squares: 480x270 gives it the frame's
#: left and right squares at 270 px, enough for a face a tenth of the frame high).
SAMPLE_W = 480
#: Share of a face's width added on each side (its box is drawn tight around the features).
PAD_X = 0.1
#: A face smaller than this share of the frame's height counts only at this score or more: at
#: the look's size it is a few pixels, where the detector's misses are (a lit window among the
#: demo's towers scored 0.58 as a 15-px face), and a caption over a face that small hides
#: little of it.
SMALL, SMALL_SCORE = 0.1, 0.75
#: Lowest score of any face kept here (above MediaPipe's 0.5, which the shorts' framing uses):
#: the demo's night Earth, a round dark globe, scored 0.53 as a face filling the frame, the
#: demo's real faces 0.7-0.85. A face missed costs a caption over it; a false one moves every
#: caption of its shot for nothing.
MIN_SCORE = 0.6


@dataclass
class FaceTrack:
    """Per shot ``[t0, t1, boxes]`` (seconds of the video; boxes ``[x0, y0, x1, y1]`` as
    fractions of the output frame, merged where they touch), and what the look cost."""

    rows: list[list] = field(default_factory=list)
    samples: int = 0
    with_faces: int = 0
    shots: int = 0
    seconds: float = 0.0
    note: str = ""

    def summary(self) -> dict:
        return {"samples": self.samples, "with_faces": self.with_faces, "shots": self.shots,
                "note": self.note}


def fit_transform(fit: str, src: tuple[int, int], out: tuple[int, int],
                  max_upscale: float) -> tuple[float, float, float]:
    """``(scale, dx, dy)``: a source pixel (x, y) lands at (x * scale + dx, y * scale + dy) of
    the output frame, as graph.fit_chain draws the clip."""
    (w, h), (ow, oh) = src, out
    if fit == "cover":
        k = max(ow / w, oh / h)
    else:  # blur / bars: the whole picture, centred, upscaled at most max_upscale
        k = min(ow / w, oh / h, max_upscale)
    return k, (ow - w * k) / 2, (oh - h * k) / 2


class Sample(NamedTuple):
    """One frame looked at: its time in the video, the file and second it comes from, and its
    cut (number, fit, where it starts on the video's clock)."""

    t: float
    path: str
    src: float
    cut: int
    fit: str
    cut_start: float


def _samples(plan: FootagePlan, length: float, fps: int, seconds_per_clip: float,
             crossfade: float) -> list[Sample]:
    """Every sample, in video order."""
    cuts = [c for c in plan_cuts(plan, length, fps, seconds_per_clip=seconds_per_clip,
                                 crossfade=crossfade) if c.path and c.frames > 0]
    total = sum(c.frames for c in cuts) / fps
    step = max(STEP_S, total / MAX_SAMPLES)
    out = []
    for n, cut in enumerate(cuts):
        a, b = cut.start / fps, cut.end / fps
        count = 1 if cut.freeze else max(PER_CUT, math.ceil((b - a) / step))
        for k in range(count):
            t = a + (b - a) * (k + 0.5) / count
            src = cut.src_start + (0.0 if cut.freeze else (t - a) * cut.speed)
            out.append(Sample(t, cut.path, src, n, cut.fit, a))
    return out


def merge_boxes(boxes: list[list[float]]) -> list[list[float]]:
    """Boxes that overlap joined into the box around both, until none overlap."""
    boxes = [list(b) for b in boxes]
    merged = True
    while merged:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                    boxes[i] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]),
                                max(a[3], b[3])]
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return [[round(v, 4) for v in b] for b in sorted(boxes)]


def faces_over(plan: FootagePlan, length: float, size: tuple[int, int], fps: int, *,
               seconds_per_clip: float = 0.0, crossfade: float = 0.0,
               max_upscale: float = 2.0) -> FaceTrack:
    """The faces the ``size`` (w, h) video of ``length`` seconds over ``plan`` shows, per shot."""
    began = time.perf_counter()
    if plan.lavfi or not (plan.clips or plan.cuts):
        return FaceTrack(note="generated background: no face to look for")
    picks = _samples(plan, length, fps, seconds_per_clip, crossfade)
    if not picks:
        return FaceTrack(note="no footage file to look at")
    det = detector()
    if det is None:
        return FaceTrack(samples=0, note="opencv-python-headless is not installed "
                                         "(pip install 'dramabatch[reframe]'): no faces looked for")
    import cv2

    boxes: list[list[list[float]]] = [[] for _ in picks]
    thumbs: list[np.ndarray | None] = [None] * len(picks)
    by_file: dict[str, list[int]] = {}
    for k, pick in enumerate(picks):
        by_file.setdefault(pick.path, []).append(k)
    for path, idx in by_file.items():
        src = display_size(path)
        for n, frame, _ in stream_frames(path, [picks[k].src for k in idx], SAMPLE_W,
                                         colour=True):
            k = idx[n]
            sx, sy = src[0] / frame.shape[1], src[1] / frame.shape[0]
            scale, dx, dy = fit_transform(picks[k].fit, src, size, max_upscale)
            for f in det(frame):
                if f.score < MIN_SCORE or (f.h * sy * scale < SMALL * size[1]
                                           and f.score < SMALL_SCORE):
                    continue
                x0 = ((f.x - PAD_X * f.w) * sx * scale + dx) / size[0]
                x1 = ((f.x + (1 + PAD_X) * f.w) * sx * scale + dx) / size[0]
                y0 = ((f.y - PAD * f.h) * sy * scale + dy) / size[1]
                y1 = ((f.y + (1 + PAD) * f.h) * sy * scale + dy) / size[1]
                if x1 > 0 and x0 < 1 and y1 > 0 and y0 < 1:  # cover may crop it away
                    boxes[k].append([max(0.0, x0), max(0.0, y0), min(1.0, x1), min(1.0, y1)])
            grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
            th = max(2, round(THUMB_W * grey.shape[0] / grey.shape[1]))
            thumbs[k] = cv2.resize(grey, (THUMB_W, th), interpolation=cv2.INTER_AREA)
    starts = [k for k in range(len(picks)) if k == 0 or picks[k].cut != picks[k - 1].cut
              or _changed(thumbs[k], thumbs[k - 1])]
    rows = []
    for n, first in enumerate(starts):
        last = starts[n + 1] if n + 1 < len(starts) else len(picks)
        new_cut = first == 0 or picks[first].cut != picks[first - 1].cut
        # a cut starts on its frame; a change seen inside a cut happened since the last sample
        t0 = picks[first].cut_start if new_cut else picks[first - 1].t
        if last == len(picks):
            t1 = length
        elif picks[last].cut == picks[last - 1].cut:
            t1 = picks[last].t
        else:
            t1 = picks[last].cut_start
        found = [b for k in range(first, last) for b in boxes[k]]
        if found:
            rows.append([round(t0, 3), round(t1, 3), merge_boxes(found)])
    track = FaceTrack(rows=rows, samples=len(picks), with_faces=sum(bool(b) for b in boxes),
                      shots=len(starts), seconds=time.perf_counter() - began)
    log.info("faces in the %dx%d picture: on %d of %d samples, %d shot(s), %.2f s looking",
             size[0], size[1], track.with_faces, track.samples, track.shots, track.seconds)
    return track


def _changed(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None or a.shape != b.shape:
        return a is not b
    return float(np.abs(a.astype(np.int16) - b).mean()) > CUT_DIFF
