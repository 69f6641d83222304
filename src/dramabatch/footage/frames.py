"""Small grey frames of a video at chosen times, for looking at a source (subtitle band, faces).

Sparse times (a few dozen over a film) are fast input seeks (``-ss``), one input each, so a
two-hour source costs a few decoded stretches, not the whole film. Dense times (faces every half
second) are one sequential read of the stretch they cover, thinned to ``DENSE_FPS`` frames a
second before scaling, each time taking the nearest frame: a seek per sample would decode from
the previous keyframe again and again.
"""

from __future__ import annotations

import subprocess

import numpy as np

from ..base.errors import DramaError
from ..base.media import display_size, ffmpeg_exe

#: Frames per ffmpeg run (each is an input of its own).
BATCH = 24
#: Times closer than this on average (seconds) are read sequentially, at DENSE_FPS.
DENSE_GAP, DENSE_FPS = 4.0, 10


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
    if len(times) > 2 and (max(times) - min(times)) / len(times) < DENSE_GAP:
        return _sequential(path, times, width, height), width / src_w
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


def _sequential(path: str, times: list[float], width: int, height: int) -> np.ndarray:
    """One read from the first time to the last; the frame nearest each time."""
    first, last = max(0.0, min(times)), max(times)
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-ss", f"{first:.3f}",
         "-t", f"{last - first + 2 / DENSE_FPS:.3f}", "-i", path, "-vf",
         f"fps={DENSE_FPS}:start_time=0,scale={width}:{height},format=gray", "-f", "rawvideo",
         "-pix_fmt", "gray", "-"], capture_output=True, timeout=3600)
    size = width * height
    count = len(proc.stdout) // size
    if proc.returncode != 0 or count == 0:
        raise DramaError(f"could not read frames of {path}: "
                         f"{proc.stderr.decode(errors='replace')[-300:]}")
    frames = np.frombuffer(proc.stdout[:count * size], np.uint8).reshape(count, height, width)
    picks = [min(count - 1, max(0, round((t - first) * DENSE_FPS))) for t in times]
    return frames[picks]


def keyframes(path: str, count: int, width: int) -> np.ndarray:
    """About ``count`` of the source's keyframes spread over it, grey, ``width`` wide: only
    keyframes are decoded (``-skip_frame nokey``), the cheapest look at a whole film. Fewer
    than ``count // 2`` keyframes: the same number of frames at even times instead."""
    src_w, src_h = display_size(path)
    width = min(width, src_w) // 2 * 2
    height = max(2, round(src_h * width / src_w) // 2 * 2)
    size = width * height
    proc = subprocess.Popen(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-skip_frame", "nokey",
         "-i", path, "-an", "-vf", f"scale={width}:{height},format=gray", "-fps_mode",
         "passthrough", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    kept, stride, seen = [], 1, 0
    assert proc.stdout is not None
    while chunk := proc.stdout.read(size):
        if len(chunk) < size:
            break
        if seen % stride == 0:
            kept.append(np.frombuffer(chunk, np.uint8).reshape(height, width))
            if len(kept) >= 2 * count:  # bounded memory: keep every other one from here on
                kept, stride = kept[::2], stride * 2
        seen += 1
    proc.wait()
    if len(kept) < max(2, count // 2):
        from ..base.media import probe

        info = probe(path)
        duration = info.video_duration or info.duration
        return grey_frames(path, sample_times(max(0.1, duration - 0.1), count), width)[0]
    pick = np.linspace(0, len(kept) - 1, min(count, len(kept))).round().astype(int)
    return np.stack([kept[k] for k in pick])
