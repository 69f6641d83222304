"""The footage graph and the drawing graph in one ffmpeg, joined by a loopback decoder.

Why: ``fps`` (and so every footage graph here) fills a gap in its input with references to one
frame, all at once, not as the encoder asks for them. A filter after it that writes on frames
(``ass``, ``drawbox``, ``scale``) makes each reference a frame of its own, so a 55 s hold in a
scenes plan is 1,665 copies of a 3.1 MB 1080p frame alive together: 5.4 GB at the hour
(benchmarks/RESULTS.md, "render_long's 5.4 GB at the hour"). References cost nothing until they
are written on.

So the footage graph ends in an output of its own (``rawvideo`` to the ``null`` muxer), which a
loopback decoder (``-dec 0:0``, ffmpeg 7 and later) feeds to a second graph that draws the
captions. The queue between the two is bounded: the footage graph's burst stays references, and
the drawing graph copies one frame at a time. The pictures are the same; the two graphs also run
in threads of their own. An ffmpeg older than 7 (``DRAMABATCH_FFMPEG``) gets the single graph.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

from ..base.media import ffmpeg_exe

#: The label the footage graph ends in, and the drawing graph starts from.
FOOTAGE = "[bg]"
#: What the drawing graph reads instead, through the loopback decoder (output 0, stream 0).
DECODED = "[dec:0]"
#: Longest filter graph passed on the command line (Linux caps one argument at 128 KiB); a
#: longer one (the select/setpts/crop expressions of a long scenes plan) is read from a file.
GRAPH_INLINE_MAX = 60_000


@cache
def ffmpeg_version(exe: str | None = None) -> str:
    """The first line of ``ffmpeg -version`` (another build may encode other bytes)."""
    out = subprocess.run([exe or ffmpeg_exe(), "-version"], capture_output=True, text=True,
                         check=False)
    return (out.stdout.splitlines() or [""])[0]


def has_loopback(version_line: str) -> bool:
    """Whether an ffmpeg of this ``-version`` line has loopback decoders (7.0 and later; a git
    build, ``N-…``, is taken as recent)."""
    m = re.match(r"ffmpeg version n?(\d+)\.", version_line)
    if m:
        return int(m.group(1)) >= 7
    return bool(re.match(r"ffmpeg version N-", version_line))


def _graph(graph: str, where: Path, name: str) -> list[str]:
    if len(graph) <= GRAPH_INLINE_MAX:
        return ["-filter_complex", graph]
    script = where / name
    script.write_text(graph, encoding="utf-8")
    return ["-/filter_complex", str(script)]


def graph_args(footage: str, drawing: str, fps: int, frames: int, where: Path) -> list[str]:
    """ffmpeg arguments (after the inputs, before the video's own output) for ``footage``
    (ending in ``[bg]``) then ``drawing`` (reading ``[bg]`` into a filter); ``frames``: the
    video's frames; ``where``: a folder for graph scripts too long for one argument.

    The footage's own output stops at ``frames`` too: the video's ``-frames:v`` does not stop
    it, and a footage graph with no end (a lavfi source) would run forever (measured: ffmpeg
    never exits).

    The decoded frames are first timed by their count (frame N at N / fps): the footage graph
    makes exactly one frame per video frame, but ``concat`` after a one-frame cut gives the
    next cut's first frame the same time (an edited timeline's freeze frame: frames 21 and 22
    both at 1.4 s), and any re-timing would drop one of them. Then an ``fps`` at the video's own
    rate, which passes them one for one: without it ``tpad`` clones nothing at the loopback
    stream's end (a 90-frame footage stayed 90 frames under ``tpad=stop_duration=1``), and the
    drawing graph's last-frame hold would be lost."""
    if not has_loopback(ffmpeg_version(ffmpeg_exe())):
        return _graph(f"{footage};{drawing}", where, "graph.txt")
    return [*_graph(footage, where, "footage.txt"),
            "-map", FOOTAGE, "-c:v", "rawvideo", "-fps_mode", "passthrough",
            "-frames:v", str(frames), "-f", "null", "-",
            "-dec", "0:0",
            *_graph(drawing.replace(FOOTAGE, f"{DECODED}setpts=N/({fps}*TB),fps={fps},"),
                   where, "drawing.txt")]
