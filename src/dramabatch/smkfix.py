"""A workaround for a Snakemake scheduler bug that makes its own CPU grow with the batch.

Snakemake's ``JobScheduler`` (9.x, checked up to 9.27.1) ends every scheduling round that had
ready jobs by arming a ``threading.Timer`` (``_schedule_reevalutation``) for its
``--max-jobs-per-timespan`` limiter (default ``100/1s``). The timer's release starts another
round, which arms another timer; and every finished job starts a round of its own, which arms
one more. After J finished jobs about J timer chains are alive, each waking the scheduler once a
second, and each wake-up walks the ready jobs (resets their params and resources, lists the
remaining jobs, sizes inputs). A batch that always has ready jobs (every big one) pays
O(finished jobs x ready jobs) per second: measured on 2 cores (benchmarks/scale.py scheduler),
the Snakemake process spent 0.052 s of CPU per finished job at 20 dramas and 0.139 s at 80;
with this workaround 0.018 s and 0.017 s.

The limiter only needs a wake-up when it held jobs back; the next finished job wakes the
scheduler in every other case. :func:`bound_reevaluation_timers` replaces the method with one
that arms a timer only then, and never more than one at a time (a daemon thread, so it never
delays the end of a run). Anything else asking for a re-evaluation (queue input) keeps its timer,
still one at a time. Where a Snakemake version lacks the method, nothing is changed.
"""

from __future__ import annotations

import threading
from typing import Any


def _reevaluate_once(scheduler: Any, delay: float) -> None:
    limiter = getattr(scheduler, "job_rate_limiter", None)
    if limiter is not None and delay == limiter.timespan and limiter.get_free_jobs() > 0:
        return  # the limiter held nothing back: the next finished job starts the next round
    pending = getattr(scheduler, "_dramabatch_timer", None)
    if pending is not None and pending.is_alive():
        return
    timer = threading.Timer(delay, scheduler._open_jobs.release)
    timer.daemon = True
    timer.start()
    scheduler._dramabatch_timer = timer


def bound_reevaluation_timers() -> bool:
    """Patch Snakemake's scheduler (see the module docstring); True when it was patched."""
    try:
        from snakemake.scheduling.job_scheduler import JobScheduler
    except ImportError:
        return False
    if not hasattr(JobScheduler, "_schedule_reevalutation"):
        return False
    JobScheduler._schedule_reevalutation = _reevaluate_once
    return True
