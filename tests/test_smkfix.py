"""The Snakemake workarounds (dramabatch.workflow.smk.fixes), each against real Snakemake.

Timers: without the fix, every scheduling round with ready jobs arms one more timer thread in the
Snakemake process, so their number follows the finished jobs and each wakes the scheduler every
second. A real Snakemake run counts the threads of its own process from inside its last job.
Script checks and signatures: a real dry run counts how often Snakemake resolved a script's
source and inspected a function's signature.
"""

from __future__ import annotations

import gc
import inspect
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import pytest

from dramabatch.workflow.smk.fixes import _PARAMS, _reevaluate_once, function_params
from dramabatch_testkit.runner import SNAKEMAKE

SNAKEFILE = """
from dramabatch.workflow.smk.fixes import bound_reevaluation_timers

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
        "re-evaluation timers, and dramabatch.workflow.smk.fixes may go")


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


@pytest.mark.slow  # over a second (make test-fast stays under 90 s)
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
from dramabatch.workflow.smk.fixes import check_scripts_once, memoize_function_params

if config.get("fix"):
    check_scripts_once()
    memoize_function_params()


rule all:
    input:
        expand("s/{i}.txt", i=range(30)),


rule step:
    output:
        "s/{i}.txt",
    resources:
        mem_mb=lambda wc, attempt: 100 * attempt,
    params:
        name=lambda wc: wc.i,
    script:
        "step.py"
"""

#: A dry run that counts Snakemake's script source lookups (dag.py calls script.get_source) and
#: signature inspections (snakemake.common calls inspect.signature; smkfix's replacement too).
COUNTING = """
import atexit, inspect, sys
import snakemake.script as script
calls = {"lookups": 0, "signatures": 0}
def counting(module, name, key, callers=("",)):
    original = getattr(module, name)
    def counted(*args, **kwargs):
        if sys._getframe(1).f_code.co_filename.endswith(callers):
            calls[key] += 1
        return original(*args, **kwargs)
    setattr(module, name, counted)
counting(script, "get_source", "lookups")
# not the signature calls of imports (dataclasses, numpy...)
counting(inspect, "signature", "signatures",
         ("snakemake/common/__init__.py", "dramabatch/workflow/smk/fixes.py"))
atexit.register(lambda: print("LOOKUPS", calls["lookups"], calls["signatures"]))
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


def _lookups(proc: subprocess.CompletedProcess) -> tuple[int, int]:
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("LOOKUPS"))
    return int(line.split()[1]), int(line.split()[2])


@pytest.mark.slow  # starts Snakemake (through snakemake.cli in a wrapper)
@pytest.mark.workflow
def test_scripts_and_signatures_are_looked_at_once_not_once_per_job(tmp_path):
    unfixed = _lookups(_dry_run(tmp_path / "unfixed", fix=False))
    fixed = _lookups(_dry_run(tmp_path / "fixed", fix=True))
    assert fixed[0] == 1
    assert unfixed[0] >= 30, (
        f"{unfixed[0]} lookups for 30 jobs without the fix: this Snakemake checks scripts once, "
        "and check_scripts_once may go")
    # 30 jobs, each with a params and a resource function and Snakemake's own resources
    assert unfixed[1] >= 90, (
        f"{unfixed[1]} signatures for 30 jobs: this Snakemake no longer inspects per job, and "
        "memoize_function_params may go")
    assert fixed[1] <= 20, fixed  # a few per distinct function, not per job


@pytest.mark.slow  # starts Snakemake (through snakemake.cli in a wrapper)
@pytest.mark.workflow
def test_a_missing_script_still_stops_the_run_before_any_job(tmp_path):
    proc = _dry_run(tmp_path / "missing", fix=True, script=False)
    assert proc.returncode != 0
    assert "No such file or directory" in proc.stdout + proc.stderr  # Snakemake's own words
    assert "step.py" in proc.stdout + proc.stderr
    assert not (tmp_path / "missing" / "s").exists()


class _Step:
    def run(self, wildcards, attempt):
        return attempt


def test_function_params_match_inspect_and_honour_snakemakes_override():
    def with_override(*args):
        return args

    with_override._overwrite_params = ["wildcards"]
    step = _Step()
    for func in (lambda wildcards, input: 0, step.run, _Step.run, with_override):
        expected = getattr(func, "_overwrite_params", None) or inspect.signature(func).parameters
        assert list(function_params(func)) == list(expected)
        assert list(function_params(func)) == list(expected)  # the remembered answer too
    assert "self" not in function_params(step.run)  # bound: like inspect, without self
    assert "self" in function_params(_Step.run)


def test_function_params_do_not_keep_a_function_alive():
    def made_per_call(wildcards):
        return wildcards

    function_params(made_per_call)
    assert made_per_call in _PARAMS[0]
    ref_count = len(_PARAMS[0])
    del made_per_call
    gc.collect()
    assert len(_PARAMS[0]) == ref_count - 1
