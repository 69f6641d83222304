"""Shorts from a landscape source framed on the people: a 9:16 crop that follows the faces.

A centre crop of a 16:9 picture cuts people out of two-shots and loses off-centre faces. Here,
on frames sampled under the narration (every ``step`` seconds of each sentence's stretch), faces
are found with OpenCV's Haar cascade (``opencv-python-headless``, the ``reframe`` extra: the
cascade ships inside the wheel, nothing is downloaded at run time). The crop's target is the
middle of the faces when they fit in the crop together, else the largest face.

The path is smooth by construction: inside one shot the crop's left edge moves towards the target
at most ``max_pan`` source widths per second and ignores moves smaller than a dead band (no
jitter); at a shot change (a jump in the source between sentences, or a large picture change
between samples) it cuts to the new target instead of panning. A shot without faces is centred.
Without any face, or without OpenCV, the plan says so and the short is a centre crop.

The path is a list of ``[t0, t1, x0, x1]`` segments in narration time (x: the crop's left edge
in source pixels), rendered by scene_graph.crop_expr inside the same ffmpeg graph.
"""

from __future__ import annotations

import logging

import numpy as np

from .frames import grey_frames
from .scenes import Span

log = logging.getLogger(__name__)

#: Mean absolute grey difference (0..255) between two samples that counts as a shot change.
CUT_DIFF = 40.0
#: Moves of the target smaller than this share of the source width are ignored (no jitter).
DEAD_BAND = 0.04
#: Most samples looked at per drama (the step grows for long narrations).
MAX_SAMPLES = 360


def detector():
    """OpenCV's frontal-face Haar cascade, or None when opencv-python-headless is missing."""
    try:
        import cv2
    except ImportError:
        return None
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    return None if cascade.empty() else cascade


def faces(cascade, frame: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Face boxes (x, y, w, h) in one grey frame's pixels."""
    min_side = max(16, frame.shape[0] // 12)
    found = cascade.detectMultiScale(frame, scaleFactor=1.1, minNeighbors=5,
                                     minSize=(min_side, min_side))
    return [tuple(int(v) for v in box) for box in found]


def target(boxes: list[tuple[int, int, int, int]], crop_w: float) -> float | None:
    """Where the crop's centre should be for these faces (same pixels as the boxes)."""
    if not boxes:
        return None
    largest = max(w * h for _, _, w, h in boxes)
    kept = [b for b in boxes if b[2] * b[3] >= 0.3 * largest]
    left, right = min(b[0] for b in kept), max(b[0] + b[2] for b in kept)
    if right - left <= 0.9 * crop_w:
        return (left + right) / 2
    x, _, w, _ = max(kept, key=lambda b: b[2] * b[3])
    return x + w / 2


def samples(spans: list[Span], step: float) -> list[tuple[float, float, bool]]:
    """(narration time, source time, starts a new shot) under the narration, every ``step``."""
    out: list[tuple[float, float, bool]] = []
    prev_end = None
    for s in spans:
        jump = prev_end is None or abs(s.src_start - prev_end) > 0.25
        t, first = s.start, True
        while t < s.end - 1e-6:
            src = s.src_start + min(s.played, (t - s.start) * s.speed)
            out.append((t, min(src, s.src_end - 0.02), jump and first))
            t, first = t + step, False
        prev_end = s.src_end
    return out


def follow(times: list[float], targets: list[float], max_px_s: float,
           dead_px: float) -> list[float]:
    """Crop positions that chase ``targets`` no faster than ``max_px_s``, ignoring small moves."""
    xs = [targets[0]]
    for k in range(1, len(times)):
        diff = targets[k] - xs[-1]
        if abs(diff) <= dead_px:
            xs.append(xs[-1])
            continue
        limit = max_px_s * (times[k] - times[k - 1])
        xs.append(xs[-1] + max(-limit, min(limit, diff)))
    return xs


def build_path(times: list[float], centres: list[float | None], shot_starts: list[bool],
               end: float, src_w: int, crop_w: int, max_px_s: float) -> list[list[float]]:
    """``[t0, t1, x0, x1]`` segments of the crop's left edge (see the module docstring)."""
    shots: list[list[int]] = []
    for k, new in enumerate(shot_starts):
        if new or not shots:
            shots.append([])
        shots[-1].append(k)
    lo, hi = 0.0, float(src_w - crop_w)
    path: list[list[float]] = []
    for n, idx in enumerate(shots):
        known = [k for k in idx if centres[k] is not None]
        if known:  # samples without a face take the nearest detection of the same shot
            wanted = [centres[min(known, key=lambda j, k=k: abs(j - k))] for k in idx]
            if len(wanted) >= 3:  # a single odd detection does not move the crop
                wanted = [float(np.median(wanted[max(0, i - 1):i + 2]))
                          for i in range(len(wanted))]
        else:
            wanted = [src_w / 2] * len(idx)
        lefts = [min(hi, max(lo, c - crop_w / 2)) for c in wanted]
        ts = [times[k] for k in idx]
        xs = follow(ts, lefts, max_px_s, DEAD_BAND * src_w)
        stop = times[shots[n + 1][0]] if n + 1 < len(shots) else end
        ts, xs = [*ts, stop], [*xs, xs[-1]]
        for k in range(len(ts) - 1):
            seg = [round(ts[k], 4), round(ts[k + 1], 4), round(xs[k], 2), round(xs[k + 1], 2)]
            if path and path[-1][1] == seg[0] and path[-1][3] == seg[2] and _same_slope(
                    path[-1], seg):
                path[-1] = [path[-1][0], seg[1], path[-1][2], seg[3]]
            elif seg[1] > seg[0]:
                path.append(seg)
    return path


def _same_slope(a: list[float], b: list[float]) -> bool:
    def slope(s):
        return (s[3] - s[2]) / (s[1] - s[0]) if s[1] > s[0] else 0.0

    return abs(slope(a) - slope(b)) < 1e-3


def path_speed(path: list[list[float]]) -> float:
    """The fastest the crop moves along a path inside a shot (px/s)."""
    return max((abs(x1 - x0) / (t1 - t0) for t0, t1, x0, x1 in path if t1 > t0), default=0.0)


def reframe(source: str, spans: list[Span], src_size: tuple[int, int],
            frame_wh: tuple[int, int], max_pan: float, sample_width: int = 480,
            ) -> tuple[dict, list[str]]:
    """The plan's ``crop`` record for a portrait output of a wider source, and its notes."""
    src_w, src_h = src_size
    crop_w = min(src_w, round(src_h * frame_wh[0] / frame_wh[1] / 2) * 2)
    bound = max_pan * src_w
    base = {"width": crop_w, "source_size": [src_w, src_h], "bound_px_s": round(bound, 2)}
    cascade = detector()
    if cascade is None:
        return {**base, "mode": "centre", "path": []}, [
            "reframe: opencv-python-headless is not installed (pip install 'dramabatch[reframe]')"
            ": centre crop"]
    end = spans[-1].end
    step = max(0.5, end / MAX_SAMPLES)
    picks = samples(spans, step)
    grey, scale = grey_frames(source, [src for _, src, _ in picks], sample_width)
    centres: list[float | None] = []
    shot_starts: list[bool] = []
    hits = 0
    for k, (_, _, jump) in enumerate(picks):
        boxes = faces(cascade, grey[k])
        hits += bool(boxes)
        c = target(boxes, crop_w * scale)
        centres.append(None if c is None else c / scale)
        cut = k > 0 and float(np.abs(grey[k].astype(np.int16) - grey[k - 1]).mean()) > CUT_DIFF
        shot_starts.append(jump or cut)
    rate = f"faces on {hits} of {len(picks)} sampled frames"
    if not hits:
        return {**base, "mode": "centre", "path": [], "faces": f"0/{len(picks)}"}, [
            f"reframe: no face found on {len(picks)} sampled frames: centre crop"]
    path = build_path([t for t, _, _ in picks], centres, shot_starts, end, src_w, crop_w, bound)
    speed = path_speed(path)
    cuts = sum(shot_starts) - 1
    log.info("reframe: %s, %d shot change(s), fastest pan %.0f px/s (bound %.0f)", rate, cuts,
             speed, bound)
    return ({**base, "mode": "faces", "path": path, "faces": f"{hits}/{len(picks)}",
             "cuts": cuts, "max_speed_px_s": round(speed, 2)},
            [f"reframe: {rate}; the 9:16 crop follows them ({cuts} cut(s) at shot changes, "
             f"fastest pan {speed:.0f} px/s, bound {bound:.0f} px/s)"])
