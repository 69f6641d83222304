"""Each job's memory and time from the drama itself, for the rules' ``resources``.

A fixed ``mem_mb`` either kills an hour-long drama's job on a cluster or holds a node back
for a one-minute one, so the rules that grow with the drama ask for ``base + per minute``,
the minutes read from what the job is given: the source's probed duration (transcribe), the
transcript's (narrate) or the narration's (render_long, background). Reading them costs a
JSON load or one container probe per job, when Snakemake schedules it.

How the figures were chosen (the jobs' ``benchmark:`` files, max_rss and s, at two lengths,
2 cores): transcribe 338 MB at 1 min and 571 MB at 16.6 min on one drama, but 420 MB at
2 min, 513 MB at 4 min and 991 MB at 15 min on benchmarks/length.py's drama when the whole
source went to Whisper at once (its features grow ~50 MB a minute, benchmarks/
whisper_memory.py: 3,034 MB for an hour). Since the source is decoded in windows of at most
10 minutes (speech/windows.py) only the samples still grow (two float32 copies, ~8 MB a
minute): the same drama at 60 min peaked at 994 MB, so transcribe asks 850 MB + 10 MB a
minute (950 at the one-window limit of 10 min, whose one pass is ~770 MB on that line);
narrate 241 MB at 1 min (Piper) and 1,651 MB at 16.6 min (Kokoro, and the
quadratic alignment of the check by ear, 146 MB of it, since made linear): about 60 MB a
minute (the whole narration is held as float32 several times) over a ~700 MB voice and
Whisper. Since the joined narration is no longer held in memory (voice/joined.py), narrate
peaked at 1,137 MB at 2 min and 1,132 MB at 4 min (benchmarks/length.py): 1,500 MB over the
Kokoro voice and Whisper, plus what still grows: the segments' speech (~6 MB a minute of
narration), Whisper's decoded copy (~4 MB) and, as for transcribe, the check by ear's
whole-narration spectrogram; a narration runs up to 1.8x its source. At 15 min it peaked at
1,860 MB (benchmarks/length.py), voicing in its own process. Since both Whisper passes run in
windows and Kokoro voices in child processes (voice/voicer.py), the hour (68 min of narration,
its 847 texts already voiced) peaked at 1,858 MB, with Kokoro still loaded into the job for
its retakes (now voiced by a child too): flat with the length, so narrate asks 1,800 MB +
12 MB a minute (2,520 MB for the hour, where 70 MB a minute asked 5,700).
Render_long 437 MB at 1 min and 447 MB at 10 min over generated footage, but
915 MB at 3.6 min and 1,013 MB at 4.6 min over the drama's own scenes (benchmarks/length.py),
and 1,003 MB for the same 4.6 min in pieces of 1 min: flat with the length (a video over
render.piece_minutes renders in pieces, render.pieces), 0.8x real time at 1080p. But at 15
min of source (16.9 of narration, in pieces) it peaked at 1,454 MB: about 36 MB a minute still
grows somewhere in the job, so render_long asks 1,300 MB + 45 MB a minute. Each is
asked with about 30 % margin over the line through both points, and grows with ``attempt``
as before. A length that cannot be read (a dry run, a missing file) is taken as
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
    "narrate": Sizing(mem_base=1800, mem_per_minute=12, time_base=10, time_per_minute=3.0),
    "render_long": Sizing(mem_base=1300, mem_per_minute=45, time_base=10, time_per_minute=2.0),
    "background": Sizing(mem_base=512, mem_per_minute=0, time_base=10, time_per_minute=0.5),
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
