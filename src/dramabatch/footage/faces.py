"""Faces in a frame: MediaPipe's BlazeFace full-range detector, shipped with the package.

OpenCV's Haar cascade (2001) misses profiles, tilted heads and dark scenes. BlazeFace (the
detector of MediaPipe's face tasks, Apache-2.0, 1 MB) finds faces from close-ups to about five
metres and gives six landmarks per face: both eyes, the nose tip, the mouth's centre and both
ears. Its weights ship in ``footage/data`` (see the README there) and are read by OpenCV's DNN
module (``cv2.dnn.readNetFromTFLite``, opencv-python-headless, the ``reframe`` extra): no other
runtime, nothing fetched at run time. One frame costs a few tens of milliseconds on one core.

The network sees a 192x192 square: a frame wider than tall is looked at whole and in its left
and right squares, each letterboxed into it (no stretching); boxes and landmarks are mapped back
to the frame's pixels and merged.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

MODEL = Path(__file__).parent / "data" / "face_detection_full_range.tflite"
#: The network's input side and its one anchor grid (stride 4: 48x48 anchors).
SIDE, STRIDE = 192, 4
#: Lowest score kept (MediaPipe's own default, min_detection_confidence).
MIN_SCORE = 0.5
#: Boxes overlapping more than this (intersection over union) are one face.
NMS_IOU = 0.3
#: A face this close (share of the square's side) to an inner side of a square is cut by it.
EDGE = 0.02


@dataclass(frozen=True)
class Face:
    """One face in frame pixels: its box, score and the landmarks the framing uses."""

    x: float
    y: float
    w: float
    h: float
    score: float
    #: (x, y) of the eye on the picture's left, the eye on its right, the mouth's centre.
    eye_l: tuple[float, float]
    eye_r: tuple[float, float]
    mouth: tuple[float, float]

    @property
    def centre(self) -> float:
        return self.x + self.w / 2

    def scaled(self, k: float) -> Face:
        """The same face in pixels ``k`` times larger (e.g. back to the source's size)."""
        def p(pt):
            return (pt[0] * k, pt[1] * k)

        return Face(self.x * k, self.y * k, self.w * k, self.h * k, self.score,
                    p(self.eye_l), p(self.eye_r), p(self.mouth))


@cache
def _anchors() -> np.ndarray:
    g = SIDE // STRIDE
    ys, xs = np.mgrid[0:g, 0:g]
    return np.stack([(xs.ravel() + 0.5) / g, (ys.ravel() + 0.5) / g], axis=1)


class Detector:
    """BlazeFace full range through OpenCV DNN (one network per process; not thread-safe)."""

    def __init__(self) -> None:
        import cv2

        self._cv2 = cv2
        self.net = cv2.dnn.readNetFromTFLite(str(MODEL))
        self.outputs = list(self.net.getUnconnectedOutLayersNames())

    def __call__(self, frame: np.ndarray) -> list[Face]:
        """Faces in one BGR (h, w, 3) or grey (h, w) uint8 frame, best first. A frame wider than
        tall is looked at whole (large faces) and in its left and right squares (small ones):
        letterboxing a 16:9 frame into the network's square shrinks its faces by 44 %."""
        if frame.ndim == 2:
            frame = self._cv2.cvtColor(frame, self._cv2.COLOR_GRAY2BGR)
        h, w = frame.shape[:2]
        if w <= 1.2 * h:
            return self._square(frame, 0)
        found = self._square(frame, 0)  # the large faces, which a square may cut
        for x0 in (0, w - h):
            for f in self._square(frame[:, x0:x0 + h], x0):
                inner = (x0 == 0 or f.x > x0 + EDGE * h) and \
                    (x0 == w - h or f.x + f.w < x0 + h - EDGE * h)
                if inner:  # a face cut by the square's side is whole in its neighbour
                    found.append(f)
        boxes = np.array([[f.x, f.y, f.w, f.h] for f in found]).reshape(-1, 4)
        return [found[k] for k in _nms(boxes, np.array([f.score for f in found]))]

    def _square(self, frame: np.ndarray, x0: int) -> list[Face]:
        """Faces of one frame letterboxed into the network's square, ``x0`` added to x."""
        h, w = frame.shape[:2]
        side = max(h, w)
        square = np.zeros((side, side, 3), np.uint8)
        oy, ox = (side - h) // 2, (side - w) // 2
        square[oy:oy + h, ox:ox + w] = frame
        blob = self._cv2.dnn.blobFromImage(square, 1 / 127.5, (SIDE, SIDE), (127.5,) * 3,
                                           swapRB=True)
        self.net.setInput(blob)
        out = self.net.forward(self.outputs)
        scores, boxes = sorted(out, key=lambda a: a.shape[-1])  # (1, n, 1), (1, n, 16)
        score = 1 / (1 + np.exp(-np.clip(scores.reshape(-1), -60, 60)))
        keep = np.flatnonzero(score >= MIN_SCORE)
        if not keep.size:
            return []
        raw = boxes.reshape(-1, 16)[keep] / SIDE
        anchor = _anchors()[keep]
        pts = raw[:, 4:].reshape(-1, 6, 2) + anchor[:, None, :]
        cx, cy = raw[:, 0] + anchor[:, 0], raw[:, 1] + anchor[:, 1]
        bw, bh = raw[:, 2], raw[:, 3]
        found = []
        for k in _nms(np.stack([cx - bw / 2, cy - bh / 2, bw, bh], 1), score[keep]):
            def px(u, v):
                return (float(u * side - ox + x0), float(v * side - oy))

            left, top = px(cx[k] - bw[k] / 2, cy[k] - bh[k] / 2)
            found.append(Face(left, top, float(bw[k] * side), float(bh[k] * side),
                              float(score[keep][k]), px(*pts[k, 0]), px(*pts[k, 1]),
                              px(*pts[k, 3])))
        return found


def _nms(boxes: np.ndarray, scores: np.ndarray) -> list[int]:
    """Indices of the boxes kept by greedy non-maximum suppression, best score first."""
    order = list(np.argsort(-scores))
    kept: list[int] = []
    while order:
        k = order.pop(0)
        kept.append(k)
        x0, y0, w0, h0 = boxes[k]
        rest = []
        for j in order:
            x1, y1, w1, h1 = boxes[j]
            iw = max(0.0, min(x0 + w0, x1 + w1) - max(x0, x1))
            ih = max(0.0, min(y0 + h0, y1 + h1) - max(y0, y1))
            inter = iw * ih
            if inter / max(1e-9, w0 * h0 + w1 * h1 - inter) <= NMS_IOU:
                rest.append(j)
        order = rest
    return kept


def detector() -> Detector | None:
    """The face detector, or None when opencv-python-headless is not installed."""
    try:
        return Detector()
    except ImportError:
        return None


def mouth_motion(face: Face, frame: np.ndarray, before: np.ndarray) -> float:
    """How much the mouth moved between two grey frames a tenth of a second apart, less half of
    what the eyes did (head and camera motion move both; blinks move the eyes alone): mean
    absolute difference, 0..255."""
    def patch(cx: float, cy: float, half: float) -> float:
        x0, x1 = int(max(0, cx - half)), int(min(frame.shape[1], cx + half))
        y0, y1 = int(max(0, cy - half * 0.6)), int(min(frame.shape[0], cy + half * 0.6))
        if x1 <= x0 or y1 <= y0:
            return 0.0
        a, b = frame[y0:y1, x0:x1], before[y0:y1, x0:x1]
        return float(np.abs(a.astype(np.int16) - b).mean())

    half = face.w * 0.22
    eyes = (patch(*face.eye_l, half) + patch(*face.eye_r, half)) / 2
    return max(0.0, patch(*face.mouth, half) - eyes / 2)
