"""A running job's percentage, read from the end of its log file.

The long jobs already log how far they are (``dramabatch.base.media.run_ffmpeg``: "render long:
40%", ``speech.transcribe``: "transcribe: 40%"), so the display needs no channel of its own into
the jobs: it reads the last few hundred bytes of each running job's log, and only when the file
grew since the last look. Jobs that log no percentage show none (quiet, not a guess).

Cost: one ``stat`` per running job per look, a small read when the file grew; the display looks
at most ``every`` seconds per job, whatever the batch's size.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable

from .state import RunningJob

#: The end of a progress line, "<logger>: <step>: 42%" (dramabatch.workflow.smk.job's log format
#: puts the message last): the step ("render long video", "transcribe") and its percentage.
PERCENT_RE = re.compile(r":\s(?:([^:]{1,60}):\s)?(\d{1,3})%\s*$")
TAIL_BYTES = 512


def last_progress(text: str) -> tuple[str, float] | None:
    """(step, percentage) of the last progress line in ``text``, None when it holds none.

    One job may run several steps that report (transcribe extracts the audio first), so the
    step is shown with its percentage."""
    for line in reversed(text.splitlines()):
        match = PERCENT_RE.search(line)
        if match:
            return (match.group(1) or "").strip(), min(100.0, float(match.group(2)))
    return None


def last_percent(text: str) -> float | None:
    """The percentage of the last progress line in ``text``, None when it holds none."""
    found = last_progress(text)
    return None if found is None else found[1]


def read_tail(path: str, size: int = TAIL_BYTES) -> str:
    """The last ``size`` bytes of a file as text ("" when it is missing or unreadable)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            end = fh.tell()
            fh.seek(max(0, end - size))
            return fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


class PercentReader:
    """Updates running jobs' ``percent`` from their logs, each at most every ``every`` seconds."""

    def __init__(self, every: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.every = every
        self._clock = clock
        self._seen: dict[int, tuple[float, int]] = {}  # jobid -> (last look, size then)

    def update(self, jobs: Iterable[RunningJob]) -> None:
        now = self._clock()
        alive: dict[int, tuple[float, int]] = {}
        for job in jobs:
            looked, size = self._seen.get(job.jobid, (float("-inf"), -1))
            alive[job.jobid] = (looked, size)
            if job.log is None or now - looked < self.every:
                continue
            try:
                current = os.stat(job.log).st_size
            except OSError:
                alive[job.jobid] = (now, -1)
                continue
            if current != size:
                found = last_progress(read_tail(job.log))
                if found is not None:
                    job.step, job.percent = found
            alive[job.jobid] = (now, current)
        self._seen = alive  # forget the jobs that ended: memory follows the running jobs only
