"""The Snakemake process's collector policy (dramabatch.workflow.smk.gcpolicy), each in a fresh
interpreter.

A growing long-lived heap (a big DAG) gets no full collections, reference cycles are still
collected, everything is frozen before the interpreter's final collections, and the workflow
applies the policy in the process that plans the batch.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dramabatch_testkit.runner import REPO, prepare_batch

#: Builds a long-lived heap of ~1.5 million tracked objects, like a DAG of thousands of jobs,
#: and some cyclic garbage on the way; prints what the collector did.
GROW = """
import gc, json, sys, weakref
if sys.argv[1] == "policy":
    from dramabatch.workflow.smk.gcpolicy import relax_collector
    relax_collector()
full_before = gc.get_stats()[2]["collections"]

class Node:
    pass

freed = []
heap = []
for i in range(300_000):
    heap.append({"job": i, "inputs": [i, i + 1], "wildcards": (str(i),)})
    if i % 10 == 0:
        a, b = Node(), Node()
        a.other, b.other = b, a  # a reference cycle, garbage at once
        weakref.finalize(a, freed.append, 1)
print(json.dumps({"full": gc.get_stats()[2]["collections"] - full_before,
                  "cycles_made": 30_000, "cycles_freed": len(freed)}))
"""

#: After relax_collector, objects made later must be frozen by the time the interpreter ends.
AT_EXIT = """
import atexit, gc, sys
atexit.register(lambda: print("frozen at exit", gc.get_freeze_count()))  # runs last (LIFO)
from dramabatch.workflow.smk.gcpolicy import relax_collector
relax_collector()
print("frozen after relax", gc.get_freeze_count())
later = [[i] for i in range(100_000)]
"""

#: The real workflow's dry run, reporting the collector settings of the Snakemake process.
WRAPPER = """
import atexit, gc, json, sys
atexit.register(lambda: print("GC " + json.dumps(gc.get_threshold())))
from snakemake.cli import main
sys.argv = ["snakemake"] + sys.argv[1:]
main()
"""


def grow(mode: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", GROW, mode], capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)


@pytest.mark.slow
def test_a_growing_long_lived_heap_gets_no_full_collection_but_cycles_are_freed():
    default, relaxed = grow("default"), grow("policy")
    assert default["full"] >= 1  # what the policy is for: the default walks the whole heap
    assert relaxed["full"] == 0
    # young collections still find cycles: all but at most one batch's worth are gone
    assert relaxed["cycles_freed"] >= relaxed["cycles_made"] - 50_000 // 3


def test_the_heap_is_frozen_before_the_interpreters_final_collections():
    out = subprocess.run([sys.executable, "-c", AT_EXIT], capture_output=True, text=True,
                         check=True).stdout
    counts = dict(line.rsplit(" ", 1) for line in out.splitlines())
    assert int(counts["frozen at exit"]) >= int(counts["frozen after relax"]) + 99_000


def test_the_workflow_plans_with_the_policy(tmp_path):
    source = tmp_path / "a.mp4"
    source.write_bytes(b"\0")  # a dry run reads no media
    wd = prepare_batch(tmp_path, [("a", str(source))])
    proc = subprocess.run([sys.executable, "-c", WRAPPER, "-s", str(REPO / "Snakefile"), "-d",
                           str(wd), "--configfile", str(wd / "config.yaml"), "-n"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("GC "))
    from dramabatch.workflow.smk.gcpolicy import THRESHOLDS

    assert tuple(json.loads(line[3:])) == THRESHOLDS
