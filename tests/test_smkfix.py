"""The Snakemake workarounds (dramabatch.smkfix), each against real Snakemake.

Timers: without the fix, every scheduling round with ready jobs arms one more timer thread in the
Snakemake process, so their number follows the finished jobs and each wakes the scheduler every
second. A real Snakemake run counts the threads of its own process from inside its last job.
Script checks: a real dry run counts how often Snakemake resolved a script's source.
"""

from __future__ import annotations

import subprocess
import sys
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


SCRIPT_SNAKEFILE = """
from dramabatch.smkfix import check_scripts_once

if config.get("fix"):
    check_scripts_once()


rule all:
    input:
        expand("s/{i}.txt", i=range(30)),


rule step:
    output:
        "s/{i}.txt",
    script:
        "step.py"
"""

#: A dry run that counts Snakemake's script source lookups (dag.py calls script.get_source).
COUNTING = """
import atexit, sys
import snakemake.script as script
calls = []
original = script.get_source
def counted(*args, **kwargs):
    calls.append(1)
    return original(*args, **kwargs)
script.get_source = counted
atexit.register(lambda: print("LOOKUPS", len(calls)))
from snakemake.cli import main
sys.argv = ["snakemake"] + sys.argv[1:]
main()
"""


def _dry_run(folder, fix: bool, script: bool = True) -> subprocess.CompletedProcess:
    folder.mkdir()
    (folder / "Snakefile").write_text(SCRIPT_SNAKEFILE)
    if script:
        (folder / "step.py").write_text("open(snakemake.output[0], 'w').close()\n")
    return subprocess.run([sys.executable, "-c", COUNTING, "-n", "-d", str(folder), "-s",
                           str(folder / "Snakefile"), "--config", f"fix={int(fix)}"],
                          capture_output=True, text=True, timeout=300)


def _lookups(proc: subprocess.CompletedProcess) -> int:
    assert proc.returncode == 0, proc.stderr[-2000:]
    return int(next(x for x in proc.stdout.splitlines() if x.startswith("LOOKUPS")).split()[1])


def test_a_rules_script_is_checked_once_not_once_per_job(tmp_path):
    unfixed = _lookups(_dry_run(tmp_path / "unfixed", fix=False))
    fixed = _lookups(_dry_run(tmp_path / "fixed", fix=True))
    assert fixed == 1
    assert unfixed >= 30, (
        f"{unfixed} lookups for 30 jobs without the fix: this Snakemake checks scripts once, "
        "and check_scripts_once may go")


def test_a_missing_script_still_stops_the_run_before_any_job(tmp_path):
    proc = _dry_run(tmp_path / "missing", fix=True, script=False)
    assert proc.returncode != 0
    assert "No such file or directory" in proc.stdout + proc.stderr  # Snakemake's own words
    assert "step.py" in proc.stdout + proc.stderr
    assert not (tmp_path / "missing" / "s").exists()
