"""Workarounds for Snakemake costs that grow with the batch: timers, script checks, signatures.

**Scheduler timers.**
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

**Script checks.** After building the DAG, Snakemake's ``ScriptProcessor`` checks that the
``script:`` of every job that will run is accessible: for each job it resolves the path through
its source cache (``smart_open``'s URI parser builds a namedtuple class per call), opens and
reads the file. A 1,000-drama plan spent 20 % of its time there (~0.2 ms per job, 7,000 jobs),
for the same few files. :func:`check_scripts_once` checks each rule's script once per DAG; a
script path with ``{wildcards}`` or ``{params}`` in it is still checked for every job, and a
missing script still fails the run before any job starts, with Snakemake's own message.

**Signatures.** Every input function, params function and resource of every job goes through
``snakemake.common.get_function_params``, which calls ``inspect.signature`` each time, for the
same few functions (and for ``Resource.evaluate``, a bound method created per call): 13 % of a
1,000-drama plan. :func:`memoize_function_params` remembers each function's parameters (keyed
weakly on the function object, so a lambda made per call is not kept alive); Snakemake's own
``_overwrite_params`` override is still honoured first.
"""

from __future__ import annotations

import inspect
import sys
import threading
import weakref
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


def _check_script_once(processor: Any, job: Any, original: Any) -> None:
    kind = processor.script_type
    if not getattr(job, f"is_{kind}"):
        return
    entry = str(getattr(job.rule, kind))
    if "{" in entry:  # formatted per job: the path may differ
        original(processor, job)
        return
    checked = processor.__dict__.setdefault("_dramabatch_checked", set())
    key = (kind, str(job.rule.basedir), entry)
    if key not in checked:
        original(processor, job)  # raises WorkflowError when the script is not accessible
        checked.add(key)


def check_scripts_once() -> bool:
    """Patch Snakemake's script check (see the module docstring); True when it was patched."""
    try:
        from snakemake.dag import ScriptProcessor
    except ImportError:
        return False
    original = ScriptProcessor.__dict__.get("process_job")
    if original is None or getattr(original, "_dramabatch", False):
        return original is not None

    def process_job(self: Any, job: Any) -> None:
        _check_script_once(self, job, original)

    process_job._dramabatch = True  # type: ignore[attr-defined]
    ScriptProcessor.process_job = process_job
    return True


#: Parameters by function (index 0) and by the function behind a bound method (index 1).
_PARAMS: tuple[weakref.WeakKeyDictionary, weakref.WeakKeyDictionary] = (
    weakref.WeakKeyDictionary(), weakref.WeakKeyDictionary())


def function_params(func: Any) -> Any:
    """``inspect.signature(func).parameters``, computed once per function."""
    override = getattr(func, "_overwrite_params", None)  # snakemake.common's own override
    if override is not None:
        return override
    target = getattr(func, "__func__", func)
    cache = _PARAMS[target is not func]
    try:
        return cache[target]
    except KeyError:
        params = cache[target] = inspect.signature(func).parameters
        return params
    except TypeError:  # neither hashable nor weakly referable: nothing to remember it by
        return inspect.signature(func).parameters


def memoize_function_params() -> bool:
    """Replace Snakemake's ``get_function_params`` wherever a module imported it (see the module
    docstring); True when it was replaced."""
    try:
        import snakemake.common as common
    except ImportError:
        return False
    original = getattr(common, "get_function_params", None)
    if original is None or original is function_params:
        return original is not None
    for name, module in list(sys.modules.items()):
        imported = getattr(module, "get_function_params", None)
        if name.startswith("snakemake") and imported is original:
            module.get_function_params = function_params
    return True
