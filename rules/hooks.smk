# The run's start and end (Snakefile's onstart / onsuccess / onerror): the disk estimate before
# the first job, and after the last one the footage library's size bound and the summary, one
# line per drama that did not finish (also results/run_summary.json).

import sys

from snakemake.exceptions import WorkflowError

from dramabatch.footage.library import enforce_bound
from dramabatch.workflow.batch.diskplan import estimate_disk
from dramabatch.workflow.batch.summary import format_summary, summarise


def report_run():
    """Print the one-line-per-drama summary and write run_summary.json (onsuccess/onerror)."""
    enforce_bound(OUT, config["pexels"]["library_max_gb"])
    print(
        format_summary(summarise(OUT, list(DRAMAS), ARCHIVE, ARCHIVES)), file=sys.stderr
    )


def check_disk():
    """Before any job: the disk the pending dramas need against the free space (onstart)."""
    estimate = estimate_disk(
        DRAMAS.values(), OUT, ARCHIVES, config["disk"], KEEP_OUTPUTS, BATCH_ZIP
    )
    message = estimate.message()
    if estimate.fits or config["disk"]["check"] == "off":
        print(f"dramabatch: {message}", file=sys.stderr)
    elif config["disk"]["check"] == "refuse":
        raise WorkflowError(f"dramabatch: refusing to start: {message}")
    else:
        print(f"dramabatch: WARNING: {message}", file=sys.stderr)
