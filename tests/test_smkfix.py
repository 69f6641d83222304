"""The scheduler workaround (dramabatch.smkfix): Snakemake's re-evaluation timers stay bounded.

Without it, every scheduling round with ready jobs arms one more timer thread in the Snakemake
process, so their number follows the finished jobs and each wakes the scheduler every second.
A real Snakemake run counts the threads of its own process from inside its last job.
"""

from __future__ import annotations

import subprocess
import threading
import time
from types import SimpleNamespace

from conftest import SNAKEMAKE

from dramabatch.smkfix import _reevaluate_once

SNAKEFILE = """
from dramabatch.smkfix import bound_reevaluation_timers

if config.get("fix"):
    bound_reevaluation_timers()


rule all:
    input:
        "threads.txt",


rule step:
    output:
        "s/{i}.txt",
    shell:
        "touch {output}"


rule count:
    input:
        expand("s/{i}.txt", i=range(40)),
    output:
        "threads.txt",
    shell:
        "ls /proc/$PPID/task | wc -l > {output}"
"""


def _threads_at_the_end(folder, fix: bool) -> int:
    folder.mkdir()
    (folder / "Snakefile").write_text(SNAKEFILE)
    proc = subprocess.run([SNAKEMAKE, "--cores", "1", "-d", str(folder), "-s",
                           str(folder / "Snakefile"), "--config", f"fix={int(fix)}"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return int((folder / "threads.txt").read_text())


def test_a_real_run_keeps_its_timer_threads_bounded(tmp_path):
    unfixed = _threads_at_the_end(tmp_path / "unfixed", fix=False)
    fixed = _threads_at_the_end(tmp_path / "fixed", fix=True)
    # 40 finished jobs: one timer thread each without the fix; the process's own few with it
    assert fixed <= 5, fixed
    assert unfixed >= fixed + 20, (
        f"{unfixed} threads without the fix, {fixed} with it: this Snakemake no longer piles up "
        "re-evaluation timers, and dramabatch.smkfix may go")


def _limiter(max_jobs: int, timespan: float):
    from snakemake.scheduling.job_scheduler import JobRateLimiter
    from snakemake.settings.types import MaxJobsPerTimespan

    limit = MaxJobsPerTimespan(max_jobs)
    limit.timespan = timespan
    return JobRateLimiter(limit)


def _releases(semaphore: threading.Semaphore) -> int:
    count = 0
    while semaphore.acquire(blocking=False):
        count += 1
    return count


def test_a_wakeup_only_when_the_rate_limiter_held_jobs_back():
    scheduler = SimpleNamespace(_open_jobs=threading.Semaphore(0),
                                job_rate_limiter=_limiter(2, 0.2))
    for _ in range(30):  # free slots: the next finished job starts the next round
        _reevaluate_once(scheduler, 0.2)
    time.sleep(0.4)
    assert _releases(scheduler._open_jobs) == 0
    scheduler.job_rate_limiter.register_jobs(2)  # limit reached: jobs wait for the timespan
    for _ in range(30):
        _reevaluate_once(scheduler, 0.2)
    time.sleep(0.4)
    assert _releases(scheduler._open_jobs) == 1
    for _ in range(5):  # another kind of re-evaluation (queue input): one timer at a time too
        _reevaluate_once(scheduler, 0.1)
    time.sleep(0.3)
    assert _releases(scheduler._open_jobs) == 1
