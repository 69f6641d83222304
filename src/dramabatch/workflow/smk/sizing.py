"""Each job's memory and time from the drama itself, for the rules' ``resources``.

A fixed ``mem_mb`` either kills an hour-long drama's job on a cluster or holds a node back
for a one-minute one, so the rules whose work grows with the drama ask for ``base + per
minute``, the minutes read from what the job is given: the source's probed duration
(transcribe), the transcript's (narrate) or the narration's (render_long, background, qc).
Reading them costs a JSON load or one container probe per job, when Snakemake schedules it.

How the figures were chosen: the jobs' ``benchmark:`` files (max_rss) from
``benchmarks/length.py``, the same drama of real Spanish speech at 2, 15 and 60 minutes with
the default config on 2 cores (benchmarks/RESULTS.md), each asked with 30 % or more over the
line through the measured peaks; a source larger than the benchmark's 640x360 was measured
where its size matters (a 1080p copy of the 2-minute drama). Peaks at 2 / 60 minutes
(render_long: quiet runs; narrate at 2 and 15 minutes: jobs that voiced every segment):

- transcribe 479 / 994 MB (Whisper base in windows of at most 10 minutes, speech/windows.py:
  only the decoded samples grow, ~8 MB a minute): 850 MB + 10 MB a minute;
- narrate 866 / 1,033 / 1,051 MB at 2 / 15 / 60 minutes (a short narration is voiced in the
  job itself, a long one in child processes, voice/voicer.py; the check by ear's Whisper in
  windows; the joined narration on disk): flat, so 1,400 MB + 2 MB a minute (it asked 1,800 +
  12 a minute, from peaks of 1,651-1,858 MB before the children and the windows);
- render_long 437 / 492 MB (the footage and the captions in two graphs, render/loopback.py;
  pieces, render/pieces.py), 485 MB with the 1080p source: flat, so 800 MB + 2 MB a minute
  (it asked 1,300 + 45 a minute while a held frame could take it to 5.4 GB);
- background 152 / 431 MB: flat, not growing (a long narration's sparse samples are read by
  batches of seeks, frames.batch_size, whose decoders are what the hour adds): 640 MB;
- qc 126 / 165 MB, 6.4 minutes for the hour's videos: 500 MB, 10 minutes + 0.3 a minute.

Time is asked generously (a job over its time is killed and loses its work). Both grow with
``attempt``. A length that cannot be read (a dry run, a missing file) is taken as
``UNKNOWN_MINUTES``: asking for a long drama is safe, a short one is not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

#: Minutes assumed when the drama's length cannot be read yet.
UNKNOWN_MINUTES = 60.0


@dataclass(frozen=True)
class Sizing:
    """``base + per_minute x minutes`` of memory (MB) and run time (minutes)."""

    mem_base: int
    mem_per_minute: float
    time_base: int
    time_per_minute: float

    def mem_mb(self, minutes: float, attempt: int = 1) -> int:
        return int(round((self.mem_base + self.mem_per_minute * minutes) * attempt))

    def runtime(self, minutes: float, attempt: int = 1) -> int:
        return int(round((self.time_base + self.time_per_minute * minutes) * attempt))


#: Per rule (see the module docstring for where the figures come from).
SIZING = {
    "transcribe": Sizing(mem_base=850, mem_per_minute=10, time_base=10, time_per_minute=1.0),
    "narrate": Sizing(mem_base=1400, mem_per_minute=2, time_base=10, time_per_minute=3.0),
    "render_long": Sizing(mem_base=800, mem_per_minute=2, time_base=10, time_per_minute=2.0),
    "background": Sizing(mem_base=640, mem_per_minute=0, time_base=10, time_per_minute=0.5),
    "qc": Sizing(mem_base=500, mem_per_minute=0, time_base=10, time_per_minute=0.3),
}


def json_minutes(path: str | Path, key: str = "duration",
                 fallback: str | Path | None = None) -> float:
    """Minutes in a JSON file's ``duration`` (narration.json, transcript.json); the end of its
    last segment when it has none. When it cannot be read yet (a job grouped with the one that
    writes it is sized before either runs), the probed length of ``fallback`` (the drama's
    fetched source: a narration is about as long as what it tells), else ``UNKNOWN_MINUTES``."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        seconds = doc.get(key)
        if seconds is None and doc.get("segments"):
            seconds = max(float(s.get("end", 0)) for s in doc["segments"])
        if seconds:
            return float(seconds) / 60
    except (OSError, ValueError, TypeError, AttributeError):
        pass
    return media_minutes(fallback) if fallback is not None else UNKNOWN_MINUTES


def media_minutes(path: str | Path) -> float:
    """Minutes of a media file (its container's duration); ``UNKNOWN_MINUTES`` if unreadable."""
    from ...base.errors import DramaError
    from ...base.media import probe

    try:
        seconds = probe(path).duration
    except (DramaError, OSError):
        return UNKNOWN_MINUTES
    return float(seconds) / 60 if seconds else UNKNOWN_MINUTES


def mem_mb(rule: str, minutes: float, attempt: int = 1) -> int:
    return SIZING[rule].mem_mb(minutes, attempt)


def runtime(rule: str, minutes: float, attempt: int = 1) -> int:
    return SIZING[rule].runtime(minutes, attempt)
