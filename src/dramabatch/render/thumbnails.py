"""Thumbnail strips of a rendered video: what the report pages and the README show."""

from __future__ import annotations

import os

from ..base.fsutil import atomic_output
from ..base.media import probe, run_ffmpeg


def thumbnail_strip(video: str | os.PathLike[str], out: str | os.PathLike[str], *,
                    frames: int = 5, height: int = 180) -> None:
    """A horizontal strip of ``frames`` evenly spaced frames, each seeked to directly.

    Input seeking (``-ss`` before ``-i``) decodes a few frames per thumbnail instead of the whole
    video, so a strip of a one-hour master costs about as much as one of a short.
    """
    duration = probe(video).duration
    args: list[str] = []
    for k in range(frames):
        args += ["-ss", f"{duration * (k + 0.5) / frames:.3f}", "-i", str(video)]
    scaled = ";".join(f"[{k}:v]scale=-2:{height},setsar=1[t{k}]" for k in range(frames))
    inputs = "".join(f"[t{k}]" for k in range(frames))
    graph = f"{scaled};{inputs}hstack=inputs={frames}[s]" if frames > 1 else scaled
    label = "[s]" if frames > 1 else "[t0]"
    with atomic_output(out) as tmp:
        run_ffmpeg([*args, "-filter_complex", graph, "-map", label, "-frames:v", "1",
                    "-q:v", "4", "-f", "image2", "-c:v", "mjpeg", str(tmp)],
                   what="thumbnail strip")
