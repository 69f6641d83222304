"""Frames looked at in a source (faces, subtitle band) are read in bounded memory at any size.

Sparse times are read as fast input seeks, one input (and one decoder) each, several inputs per
ffmpeg run. Each decoder keeps its source frames, so the run's memory grows with the source's
size: 24 inputs over a 1080p source took ffmpeg to 518 MB (a 4K source: about 2 GB), where the
background job declares 512 MB for everything. ``frames.batch_size`` fits a run to the source.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_render_memory import ffmpeg_rss

from dramabatch.base import media
from dramabatch.footage import frames


def _source(path, size: str, seconds: int, rate: int = 2):
    """A test pattern of that size, a keyframe a second (cheap seeks), no sound."""
    media.run_ffmpeg(["-f", "lavfi", "-i", f"testsrc2=s={size}:r={rate}:d={seconds}",
                      "-c:v", "libx264", "-preset", "ultrafast", "-g", str(rate),
                      "-pix_fmt", "yuv420p", str(path)], what="test source")
    return path


@pytest.mark.slow  # a 1080p source made and seeked: ~4 s
def test_sparse_frames_of_a_1080p_source_stay_under_a_fixed_memory(tmp_path, monkeypatch):
    source = _source(tmp_path / "hd.mp4", "1920x1080", 110)
    times = [2.0 + 4.5 * k for k in range(24)]  # sparse: 24 seeks, the most one run took
    with ffmpeg_rss(tmp_path, monkeypatch) as log:
        got = [k for k, _, _ in frames.stream_frames(str(source), times, 480, colour=True)]
    assert got == list(range(len(times)))
    runs = [json.loads(line) for line in log.read_text().splitlines()]
    seeks = [r for r in runs if r["args"].count("-ss") > 1]
    assert seeks, runs
    peak_mb = max(r["rss_kb"] for r in seeks) / 1024
    # one run of 24 decoders: 364 MB on this pattern (518 MB on real 1080p footage); 8: 177 MB
    assert peak_mb < 270, f"a run of seeks peaked at {peak_mb:.0f} MB"
    assert len(seeks) > 1  # split into several runs


def test_batches_of_any_size_give_the_same_frames(tmp_path, monkeypatch):
    source = _source(tmp_path / "small.mp4", "320x180", 40)
    times = [0.5 + 4.5 * k for k in range(8)]
    whole = [f.copy() for _, f, _ in frames.stream_frames(str(source), times, 160)]
    monkeypatch.setattr(frames, "PIXEL_BUDGET", 2 * 320 * 180)  # two decoders a run
    assert frames.batch_size(320, 180) == 2
    pairs = [f.copy() for _, f, _ in frames.stream_frames(str(source), times, 160)]
    assert len(whole) == len(pairs) == len(times)
    assert all(np.array_equal(a, b) for a, b in zip(whole, pairs, strict=True))
    assert not np.array_equal(whole[0], whole[1])  # the times show different frames
