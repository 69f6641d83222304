"""The Snakemake process's garbage-collector policy: a big batch's DAG is a big, long-lived heap.

A plan of 1,000 dramas builds ~7,000 jobs and a few million Python objects that all live until
the process ends. CPython's collector, left at its defaults (700, 10, 10), ran 2,759 young and 11
full collections while Snakemake built that DAG: 2.0 s of an 8.7 s plan, 1.8 s of it the full
ones, each walking the whole heap (so their cost grows with the batch). Then, at exit, the
interpreter's final collections and teardown walked it again: 1.8 s more between Snakemake's
last line and the shell prompt (measured on 2 cores, benchmarks/scale.py plan).

:func:`relax_collector` makes three changes, none of which changes what is collected:

* the heap as it is when the Snakefile is parsed (Snakemake, its plugins, our modules) is moved
  to the permanent generation (``gc.freeze()``): it lives until exit anyway;
* young collections run every 50,000 net allocations instead of 700, so reference cycles are
  still found, just in bigger batches, and full ones come ~700x less often: a long run still
  has them (every ~10 million allocations, and only when the heap grew by a quarter);
* at exit the heap is frozen before the interpreter's final collections, which then have
  nothing to walk (the memory goes back to the system with the process, as it does anyway).

Jobs are separate processes (each ``script:`` runs in its own interpreter): none of this
reaches them.
"""

from __future__ import annotations

import atexit
import gc

#: Net allocations between young collections, and the older generations' multipliers.
THRESHOLDS = (50_000, 20, 10)


def relax_collector(thresholds: tuple[int, int, int] = THRESHOLDS) -> None:
    """Apply the policy above to this process (idempotent: a second call changes nothing)."""
    if gc.get_threshold()[0] >= thresholds[0]:
        return
    gc.freeze()
    gc.set_threshold(*thresholds)
    atexit.register(gc.freeze)
