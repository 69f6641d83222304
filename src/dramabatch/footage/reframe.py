"""Shorts from a landscape source framed on the people: a 9:16 crop that follows the faces.

A centre crop of a 16:9 picture cuts people out of two-shots and loses off-centre faces. Here,
on frames sampled under the narration (every ``step`` seconds of each sentence's stretch), faces
are found with MediaPipe's BlazeFace (faces.py: weights shipped in the package, run by OpenCV's
DNN module, the ``reframe`` extra). framing.py decides whom each shot frames: every face when
they fit in the crop together, else the one speaking (mouth movement), held for whole stretches.

The path is smooth by construction: inside one shot the crop's left edge moves towards the target
at most ``max_pan`` source widths per second and ignores moves smaller than a dead band (no
jitter); at a shot change (a jump in the source between sentences, or a large picture change
between samples) it cuts to the new target instead of panning. A shot without faces is centred.
Without any face, or without OpenCV, the plan says so and the short is a centre crop.

The path is a list of ``[t0, t1, x0, x1]`` segments in narration time (x: the crop's left edge
in source pixels), rendered by scene_graph.crop_expr inside the same ffmpeg graph. ``faces_y``
gives, per shot, where the faces shown sit vertically: the short's captions keep clear of them
(render/placement.py). Frames are streamed (frames.stream_frames): each sample keeps its faces
and a 96-pixel thumbnail for the shot-change test, so memory does not grow with the source.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from ..base.media import display_size
from .faces import Face, detector, mouth_motion
from .frames import stream_frames
from .framing import face_rows, shot_targets
from .scenes import Span

log = logging.getLogger(__name__)

#: Mean absolute grey difference (0..255) between two samples that counts as a shot change.
CUT_DIFF = 40.0
#: Moves of the target smaller than this share of the source width are ignored (no jitter).
DEAD_BAND = 0.04
#: Most samples looked at per drama (the step grows for long narrations).
MAX_SAMPLES = 360
#: Width of the thumbnails kept per sample for the shot-change test (snap.py looks at 64).
THUMB_W = 96


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
    shots = shots_of(shot_starts)
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


def shots_of(shot_starts: list[bool]) -> list[list[int]]:
    """Sample indices grouped by shot."""
    shots: list[list[int]] = []
    for k, new in enumerate(shot_starts):
        if new or not shots:
            shots.append([])
        shots[-1].append(k)
    return shots


def x_at(path: list[list[float]], t: float) -> float:
    """The crop's left edge at narration time ``t``."""
    for t0, t1, x0, x1 in path:
        if t0 <= t < t1:
            return x0 + (x1 - x0) * (t - t0) / (t1 - t0)
    return path[-1][3] if path and t >= path[-1][1] else (path[0][2] if path else 0.0)


def _same_slope(a: list[float], b: list[float]) -> bool:
    def slope(s):
        return (s[3] - s[2]) / (s[1] - s[0]) if s[1] > s[0] else 0.0

    return abs(slope(a) - slope(b)) < 1e-3


def path_speed(path: list[list[float]]) -> float:
    """The fastest the crop moves along a path inside a shot (px/s)."""
    return max((abs(x1 - x0) / (t1 - t0) for t0, t1, x0, x1 in path if t1 > t0), default=0.0)


def look(source: str, times: list[float], width: int, det,
         ) -> tuple[list[list[Face]], list[list[float | None]], np.ndarray, float]:
    """Per sample: its faces (source pixels), their mouth motion (None without a frame just
    before), and a small grey thumbnail; plus the seconds spent detecting."""
    import cv2

    src_w = display_size(source)[0]
    faces: list[list[Face]] = [[] for _ in times]
    motion: list[list[float | None]] = [[] for _ in times]
    thumbs: np.ndarray | None = None
    spent = 0.0
    for k, frame, before in stream_frames(source, times, width, colour=True):
        clock = time.perf_counter()
        scale = src_w / frame.shape[1]
        found = det(frame)
        grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        prev = None if before is None else cv2.cvtColor(before, cv2.COLOR_BGR2GRAY)
        faces[k] = [f.scaled(scale) for f in found]
        motion[k] = [None if prev is None else mouth_motion(f, grey, prev) for f in found]
        th = max(2, round(THUMB_W * frame.shape[0] / frame.shape[1]))
        if thumbs is None:
            thumbs = np.zeros((len(times), th, THUMB_W), np.uint8)
        thumbs[k] = cv2.resize(grey, (THUMB_W, th), interpolation=cv2.INTER_AREA)
        spent += time.perf_counter() - clock
    assert thumbs is not None
    return faces, motion, thumbs, spent


def reframe(source: str, spans: list[Span], src_size: tuple[int, int],
            frame_wh: tuple[int, int], max_pan: float, sample_width: int = 480,
            ) -> tuple[dict, list[str]]:
    """The plan's ``crop`` record for a portrait output of a wider source, and its notes."""
    src_w, src_h = src_size
    crop_w = min(src_w, round(src_h * frame_wh[0] / frame_wh[1] / 2) * 2)
    bound = max_pan * src_w
    base = {"width": crop_w, "source_size": [src_w, src_h], "bound_px_s": round(bound, 2)}
    det = detector()
    if det is None:
        return {**base, "mode": "centre", "path": []}, [
            "reframe: opencv-python-headless is not installed (pip install 'dramabatch[reframe]')"
            ": centre crop"]
    end = spans[-1].end
    step = max(0.5, end / MAX_SAMPLES)
    picks = samples(spans, step)
    times = [t for t, _, _ in picks]
    faces, motion, thumbs, spent = look(source, [src for _, src, _ in picks], sample_width, det)
    shot_starts = [jump or (k > 0 and float(np.abs(thumbs[k].astype(np.int16)
                                                   - thumbs[k - 1]).mean()) > CUT_DIFF)
                   for k, (_, _, jump) in enumerate(picks)]
    hits = sum(bool(f) for f in faces)
    rate = f"faces on {hits} of {len(picks)} sampled frames"
    log.info("reframe: %d samples looked at, %.2f s detecting", len(picks), spent)
    if not hits:
        return {**base, "mode": "centre", "path": [], "faces": f"0/{len(picks)}"}, [
            f"reframe: no face found on {len(picks)} sampled frames: centre crop"]
    shots = shots_of(shot_starts)
    centres: list[float | None] = [None] * len(picks)
    framed: dict[str, int] = {}
    for idx in shots:
        got, how, switch = shot_targets([times[k] for k in idx], [faces[k] for k in idx],
                                        [motion[k] for k in idx], crop_w)
        for k, c, cut in zip(idx, got, switch, strict=True):
            centres[k] = c
            shot_starts[k] = shot_starts[k] or cut  # a cut to the new speaker
        for h in how:
            framed[h] = framed.get(h, 0) + 1
    speakers = sum(shot_starts) - len(shots)
    shots = shots_of(shot_starts)
    path = build_path(times, centres, shot_starts, end, src_w, crop_w, bound)
    lefts = [x_at(path, t) for t in times]
    rows = face_rows(times, shots, faces, lefts, crop_w, src_h, end)
    speed = path_speed(path)
    cuts = len(shots) - 1 - speakers
    who = ", ".join(f"{n} {h}" for h, n in sorted(framed.items()))
    log.info("reframe: %s, %d shot change(s), fastest pan %.0f px/s (bound %.0f); framed: %s",
             rate, cuts, speed, bound, who)
    return ({**base, "mode": "faces", "path": path, "faces": f"{hits}/{len(picks)}",
             "cuts": cuts, "speaker_cuts": speakers, "max_speed_px_s": round(speed, 2),
             "framed": framed,
             "faces_y": rows},
            [f"reframe: {rate}; the 9:16 crop follows them ({cuts} cut(s) at shot changes, "
             f"{speakers} cut(s) to a new speaker, fastest pan {speed:.0f} px/s, bound {bound:.0f} "
             f"px/s; shots framed: {who} (all: every face fits, speaker: the moving mouth, "
             "largest: nobody seen speaking, none: no face, centred)"])
