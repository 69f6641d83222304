"""Small grey frames of a video at chosen times, for looking at a source (subtitle band, faces).

Sparse times (a few dozen over a film) are fast input seeks (``-ss``), one input each, so a
two-hour source costs a few decoded stretches, not the whole film. Dense times (faces every half
second) are one sequential read of the stretch they cover, thinned to ``DENSE_FPS`` frames a
second before scaling, each time taking the nearest frame: a seek per sample would decode from
the previous keyframe again and again. Either way frames come out of ffmpeg's pipe one at a
time (``stream_frames``) and the caller keeps what it needs of each: memory does not grow with
the source's length or the number of samples (a 16-minute drama held 2.6 GB when the dense read
was taken whole and copied).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator

import numpy as np

from ..base.errors import DramaError
from ..base.media import display_size, ffmpeg_exe

#: Most frames per ffmpeg run (each is an input of its own, with a decoder of its own).
BATCH = 24
#: Source pixels all the decoders of one run may hold between them: a decoder keeps its source
#: frames, so one run of 24 inputs took ffmpeg to 163 MB over a 640x360 source and 518 MB over
#: 1080p (a 4K source: about 2 GB). This budget lets 8 decoders run at 1080p (218 MB), 18 at
#: 720p, 2 at 4K, all 24 up to about 1100x620.
PIXEL_BUDGET = 8 * 1920 * 1080

#: Times closer than this on average (seconds) are read sequentially, at DENSE_FPS.
DENSE_GAP, DENSE_FPS = 4.0, 10


def batch_size(src_w: int, src_h: int) -> int:
    """How many frames one ffmpeg run seeks to, for a source of that size (2 to ``BATCH``)."""
    return max(2, min(BATCH, PIXEL_BUDGET // max(1, src_w * src_h)))


def sample_times(duration: float, count: int, start: float = 0.0) -> list[float]:
    """``count`` times spread evenly over ``start .. duration`` (middles of equal slices)."""
    span = max(0.0, duration - start)
    return [start + span * (k + 0.5) / count for k in range(max(0, count))]


def grey_frames(path: str, times: list[float], width: int) -> tuple[np.ndarray, float]:
    """Frames at ``times`` as a (n, h, w) uint8 array ``width`` wide, and the scale from source
    pixels to these (``width / source width``). For a few frames; looking at many, one at a time,
    is ``stream_frames``."""
    src = display_size(path)
    width, height = _size(src, width)
    out = np.zeros((len(times), height, width), np.uint8)
    for k, frame, _ in stream_frames(path, times, width):
        out[k] = frame
    return out, width / src[0]


def _size(src: tuple[int, int], width: int) -> tuple[int, int]:
    """Frames of a source ``src`` (width, height) scaled to ``width`` at most, even sizes."""
    src_w, src_h = src
    width = min(width, src_w) // 2 * 2
    return width, max(2, round(src_h * width / src_w) // 2 * 2)


def stream_frames(path: str, times: list[float], width: int, colour: bool = False,
                  ) -> Iterator[tuple[int, np.ndarray, np.ndarray | None]]:
    """``(k, frame at times[k], the frame decoded just before it or None)`` for every k, in
    source order, ``width`` wide, grey (h, w) or BGR (h, w, 3) when ``colour``.

    Memory is two frames (and one batch of sparse seeks, ``batch_size``), whatever the source's
    length or the number of times: frames are read from ffmpeg's pipe one at a time and handed
    on. In a sequential read the frame before is 1/DENSE_FPS s earlier (motion between the
    two)."""
    src = display_size(path)
    width, height = _size(src, width)
    if not times:
        return
    fmt, depth = ("bgr24", 3) if colour else ("gray", 1)
    shape = (height, width, 3) if colour else (height, width)
    if len(times) > 2 and (max(times) - min(times)) / len(times) < DENSE_GAP:
        yield from _sequential(path, times, width, height, fmt, shape)
        return
    batch = batch_size(*src)
    for k in range(0, len(times), batch):
        chunk = times[k:k + batch]
        args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error"]
        for t in chunk:
            args += ["-ss", f"{max(0.0, t):.3f}", "-i", path]
        graph = ";".join(f"[{n}:v]trim=end_frame=1,scale={width}:{height},format={fmt}[v{n}]"
                         for n in range(len(chunk)))
        graph += ";" + "".join(f"[v{n}]" for n in range(len(chunk)))
        graph += f"concat=n={len(chunk)}:v=1:a=0[v]" if len(chunk) > 1 else "null[v]"
        args += ["-filter_complex", graph, "-map", "[v]", "-fps_mode", "passthrough",
                 "-f", "rawvideo", "-pix_fmt", fmt, "-"]
        proc = subprocess.run(args, capture_output=True, timeout=600)
        data = np.frombuffer(proc.stdout, np.uint8)
        if proc.returncode != 0 or data.size != len(chunk) * width * height * depth:
            raise DramaError(f"could not read frames of {path}: "
                             f"{proc.stderr.decode(errors='replace')[-300:]}")
        for n, frame in enumerate(data.reshape(len(chunk), *shape)):
            yield k + n, frame, None


def _sequential(path: str, times: list[float], width: int, height: int, fmt: str,
                shape: tuple[int, ...]) -> Iterator[tuple[int, np.ndarray, np.ndarray | None]]:
    """One read from the first time to the last at DENSE_FPS; the frame nearest each time."""
    first, last = max(0.0, min(times)), max(times)
    order = sorted(range(len(times)), key=lambda k: times[k])
    picks = [(max(0, round((times[k] - first) * DENSE_FPS)), k) for k in order]
    size = int(np.prod(shape))
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-ss",
             f"{first:.3f}", "-t", f"{last - first + 2 / DENSE_FPS:.3f}", "-i", path, "-an",
             "-vf", f"fps={DENSE_FPS}:start_time=0,scale={width}:{height},format={fmt}",
             "-f", "rawvideo", "-pix_fmt", fmt, "-"], stdout=subprocess.PIPE, stderr=err)
        assert proc.stdout is not None
        before = frame = None
        n, at = -1, 0
        try:
            while at < len(picks):
                chunk = proc.stdout.read(size)
                if len(chunk) < size:
                    break
                before, frame, n = frame, np.frombuffer(chunk, np.uint8).reshape(shape), n + 1
                while at < len(picks) and picks[at][0] <= n:
                    yield picks[at][1], frame, before
                    at += 1
        finally:
            proc.stdout.close()
            if at < len(picks):
                proc.wait()
            else:  # every time is served: the rest of the stretch is not needed
                proc.kill()
                proc.wait()
        if frame is None or (at < len(picks) and proc.returncode != 0):
            err.seek(0)
            raise DramaError(f"could not read frames of {path}: "
                             f"{err.read().decode(errors='replace')[-300:]}")
        for _, k in picks[at:]:  # times past the end of the stream: its last frame
            yield k, frame, before


def keyframes(path: str, count: int, width: int) -> np.ndarray:
    """About ``count`` of the source's keyframes spread over it, grey, ``width`` wide: only
    keyframes are decoded (``-skip_frame nokey``), the cheapest look at a whole film. Fewer
    than ``count // 2`` keyframes: the same number of frames at even times instead."""
    width, height = _size(display_size(path), width)
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
