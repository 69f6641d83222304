"""Time-coded test video: frame n shows n in binary (stripe k, top to bottom, white when bit k
is set), so a render read back frame by frame says which source frame each of its frames shows.
test_scenes and test_timelines encode and decode with these; only their sizes and bits differ."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from dramabatch.base.media import ffmpeg_exe


def stripe_rows(height: int, bits: int) -> list[tuple[int, int]]:
    """The rows (start, end) of each bit's stripe, bit 0 on top."""
    return [(round(k * height / bits), round((k + 1) * height / bits)) for k in range(bits)]


def coded_frames(first: int, count: int, width: int, height: int, bits: int) -> list[np.ndarray]:
    """``count`` grey frames showing the codes ``first``, ``first + 1``, ..."""
    rows = stripe_rows(height, bits)
    frames = []
    for n in range(first, first + count):
        img = np.zeros((height, width), np.uint8)
        for k, (a, b) in enumerate(rows):
            if n >> k & 1:
                img[a:b] = 255
        frames.append(img)
    return frames


def read_codes(path: Path | str, width: int, height: int, bits: int, fps: float) -> list[float]:
    """The code every frame of ``path`` shows, in source seconds (code / ``fps``): each stripe's
    two middle rows, across the middle half of the width (a subtitle or a scaled edge aside)."""
    proc = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "rawvideo",
                           "-pix_fmt", "gray", "-"], capture_output=True, check=True)
    frames = np.frombuffer(proc.stdout, np.uint8).reshape(-1, height, width)
    x0, x1 = width // 4, 3 * width // 4
    middles = [(a + b) // 2 for a, b in stripe_rows(height, bits)]
    codes = []
    for f in frames:
        on = [f[r - 1:r + 1, x0:x1].mean() > 128 for r in middles]
        codes.append(sum(1 << k for k, bit in enumerate(on) if bit) / fps)
    return codes
