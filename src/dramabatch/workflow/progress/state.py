"""Where a running batch stands, from Snakemake's log events: dramas, jobs, time left.

The live display (workflow/progress/logger.py) feeds this from Snakemake's logger events and draws
what :meth:`BatchState.snapshot` returns. It holds no rendering, so it is tested on plain events.

A drama is the ``id`` wildcard. It is *finished* when its ``finish`` job (report and archive, the
last job of a drama) ends, and *failed* when any of its jobs failed and it has not finished since
(a job retried on a cluster may fail once and then succeed). The dramas of a run are the
``finish`` jobs Snakemake planned (its run-info counts per rule): dramas finished before this run
are not in it. Jobs done of total come from Snakemake's own progress events, whose total grows
when a checkpoint (the shorts plan) adds jobs.

Cost: every event is O(1) and forgets finished jobs, so a display costs the same per job for 20
dramas as for 3,000; a snapshot walks the running jobs only (at most --cores or --jobs of them).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

FINISH_RULE = "finish"
DRAMA_WILDCARD = "id"


@dataclass
class RunningJob:
    """A job Snakemake started and has not yet reported finished or failed."""

    jobid: int
    rule: str
    drama: str | None
    detail: str  # the other wildcards (a short's number), for the job's line
    log: str | None
    started: float
    percent: float | None = None
    step: str = ""  # the step the percentage is of ("render long video"), from the job's log


@dataclass(frozen=True)
class Snapshot:
    """What the display shows at one moment (copied, so drawing needs no lock)."""

    dramas_total: int
    dramas_finished: int
    dramas_failed: int
    jobs_done: int
    jobs_total: int
    jobs_failed: int
    elapsed: float
    eta: float | None
    running: tuple[RunningJob, ...] = field(default_factory=tuple)
    stopped: bool = False  # Snakemake ended (with jobs left after failures when not complete)

    @property
    def dramas_left(self) -> int:
        return max(0, self.dramas_total - self.dramas_finished - self.dramas_failed)

    @property
    def fraction(self) -> float:
        return min(1.0, self.jobs_done / self.jobs_total) if self.jobs_total else 0.0


def estimate_left(elapsed: float, done: int, total: int) -> float | None:
    """Seconds left at the batch's pace so far (jobs per second), None before the first job.

    Job lengths differ by stage, but a batch's dramas move through the same stages side by side,
    so after the first few jobs the mix finished so far is the mix still to come.
    """
    if done <= 0 or total <= 0:
        return None
    return max(0.0, elapsed * (total - done) / done)


class BatchState:
    """Counts dramas and jobs from Snakemake's events; thread-safe (events and drawing differ)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._started: float | None = None
        self._ended: float | None = None  # when the last job was done: elapsed stops there
        self._stopped = False
        self._dramas_total = 0
        self._finished: set[str] = set()
        self._failed: set[str] = set()
        self._jobs_done = 0
        self._jobs_total = 0
        self._jobs_failed = 0
        self._running: dict[int, RunningJob] = {}

    def now(self) -> float:
        """The state's clock (jobs' start times are on it)."""
        return self._clock()

    @property
    def started(self) -> bool:
        return self._started is not None

    def run_info(self, per_rule: Mapping[str, int]) -> None:
        """The plan: Snakemake's job counts per rule (``total`` among them)."""
        with self._lock:
            self._started = self._clock() if self._started is None else self._started
            self._dramas_total = max(self._dramas_total, int(per_rule.get(FINISH_RULE, 0)))
            self._jobs_total = max(self._jobs_total, int(per_rule.get("total", 0)))

    def job_info(self, jobid: int, rule: str, wildcards: Mapping[str, Any] | None,
                 log: list[str] | None) -> None:
        """A job starts (Snakemake logs its block as it hands the job to the executor)."""
        wildcards = dict(wildcards or {})
        drama = wildcards.pop(DRAMA_WILDCARD, None)
        detail = " ".join(f"{k}={v}" for k, v in wildcards.items())
        with self._lock:
            if self._started is None:
                self._started = self._clock()
            self._running[jobid] = RunningJob(jobid, rule, None if drama is None else str(drama),
                                              detail, log[0] if log else None, self._clock())

    def job_finished(self, jobid: int) -> str | None:
        """A job ended well; returns the drama it finished, if it was one's last job."""
        with self._lock:
            job = self._running.pop(jobid, None)
            if job is None or job.rule != FINISH_RULE or job.drama is None:
                return None
            self._finished.add(job.drama)
            self._failed.discard(job.drama)
            self._dramas_total = max(self._dramas_total, len(self._finished) + len(self._failed))
            return job.drama

    def job_error(self, jobid: int) -> RunningJob | None:
        """A job failed; returns it (its drama now counts as failed)."""
        with self._lock:
            job = self._running.pop(jobid, None)
            self._jobs_failed += 1
            if job is not None and job.drama is not None and job.drama not in self._finished:
                self._failed.add(job.drama)
            return job

    def progress(self, done: int, total: int) -> None:
        """Snakemake's "N of M steps" (M grows when a checkpoint adds jobs)."""
        with self._lock:
            self._jobs_done = max(self._jobs_done, int(done))
            self._jobs_total = max(int(total), self._jobs_done)
            complete = self._jobs_total and self._jobs_done >= self._jobs_total
            if not self._stopped:
                self._ended = (self._ended or self._clock()) if complete else None

    def stop(self) -> None:
        """Snakemake is ending: elapsed stops, and no time left is guessed any more."""
        with self._lock:
            self._ended = self._ended or self._clock()
            self._stopped = True

    def running_jobs(self) -> list[RunningJob]:
        """The running jobs themselves (the display writes their percent in)."""
        with self._lock:
            return list(self._running.values())

    def snapshot(self) -> Snapshot:
        with self._lock:
            now = self._clock() if self._ended is None else self._ended
            elapsed = 0.0 if self._started is None else now - self._started
            running = tuple(sorted(self._running.values(), key=lambda j: j.started))
            return Snapshot(
                dramas_total=self._dramas_total, dramas_finished=len(self._finished),
                dramas_failed=len(self._failed), jobs_done=self._jobs_done,
                jobs_total=self._jobs_total, jobs_failed=self._jobs_failed, elapsed=elapsed,
                eta=None if self._stopped else estimate_left(elapsed, self._jobs_done,
                                                             self._jobs_total),
                running=running, stopped=self._stopped)
