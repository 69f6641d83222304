"""Small grey frames of a video at chosen times, for looking at a source (subtitle band, faces).

One ffmpeg run per call: each wanted time is a fast input seek (``-ss``) of its own input, scaled
down and converted to 8-bit grey in the graph, so a two-hour source costs as many decoded frames
as times asked for, not the whole film.
"""

from __future__ import annotations

import subprocess

import numpy as np

from .errors import DramaError
from .media import display_size, ffmpeg_exe

#: Frames per ffmpeg run (each is an input of its own).
BATCH = 24


def sample_times(duration: float, count: int, start: float = 0.0) -> list[float]:
    """``count`` times spread evenly over ``start .. duration`` (middles of equal slices)."""
    span = max(0.0, duration - start)
    return [start + span * (k + 0.5) / count for k in range(max(0, count))]


def grey_frames(path: str, times: list[float], width: int) -> tuple[np.ndarray, float]:
    """Frames at ``times`` as a (n, h, w) uint8 array ``width`` wide, and the scale from source
    pixels to these (``width / source width``)."""
    src_w, src_h = display_size(path)
    width = min(width, src_w) // 2 * 2
    height = max(2, round(src_h * width / src_w) // 2 * 2)
    out = []
    for k in range(0, len(times), BATCH):
        chunk = times[k:k + BATCH]
        args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error"]
        for t in chunk:
            args += ["-ss", f"{max(0.0, t):.3f}", "-i", path]
        graph = ";".join(f"[{n}:v]trim=end_frame=1,scale={width}:{height},format=gray[v{n}]"
                         for n in range(len(chunk)))
        graph += ";" + "".join(f"[v{n}]" for n in range(len(chunk)))
        graph += f"concat=n={len(chunk)}:v=1:a=0[v]" if len(chunk) > 1 else "null[v]"
        args += ["-filter_complex", graph, "-map", "[v]", "-fps_mode", "passthrough",
                 "-f", "rawvideo", "-pix_fmt", "gray", "-"]
        proc = subprocess.run(args, capture_output=True, timeout=600)
        data = np.frombuffer(proc.stdout, np.uint8)
        if proc.returncode != 0 or data.size != len(chunk) * width * height:
            raise DramaError(f"could not read frames of {path}: "
                             f"{proc.stderr.decode(errors='replace')[-300:]}")
        out.append(data.reshape(len(chunk), height, width))
    if not out:
        return np.zeros((0, height, width), np.uint8), width / src_w
    return np.concatenate(out), width / src_w
