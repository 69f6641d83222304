"""What the live progress display (``--logger dramabatch``) costs the Snakemake process.

Two parts, both measured as this process's CPU time (the plugin runs inside Snakemake's
process: its log records go through a queue to the plugin's thread):

* per job: Snakemake's events of one job (job info, shell command, finished, progress) through
  the plugin's live handler, for batches of 20 and 3,000 dramas (8 jobs each); the display must
  cost the same per job whatever the batch's size;
* per second: the panel's redraws into a pseudo-terminal, with 2 jobs running (--cores 2).

    .venv/bin/python benchmarks/progress_cost.py [--no-record]

The whole Snakemake process, with and without the display, in real runs:
``scale.py scheduler --dramas 20 --tty --progress live`` and ``--progress off``.
"""

from __future__ import annotations

import argparse
import logging
import os
import pty
import sys
import threading
import time

from common import append_results, table
from rich.console import Console
from rich.live import Live
from snakemake_interface_logger_plugins.common import LogEvent

from dramabatch.workflow.progress.state import BatchState
from dramabatch.workflow.progress.view import BatchView

RULES = ("fetch_source", "transcribe", "narrate", "plan_shorts", "render_long", "background",
         "render_short", "finish")


class Settings:
    printshellcmds = True
    nocolor = False
    quiet = None
    debug_dag = False
    verbose = False
    show_failed_logs = True
    stdout = False
    dryrun = False


def record(kind: str, **fields: object) -> logging.LogRecord:
    rec = logging.LogRecord("snakemake.logging", logging.INFO, __file__, 1, None, None, None)
    rec.__dict__.update(event=LogEvent(kind), **fields)
    return rec


def per_job(dramas: int) -> float:
    """CPU seconds per job of the live handler's event handling, for a batch of ``dramas``."""
    from snakemake_logger_plugin_dramabatch import LogHandler

    os.environ["DRAMABATCH_PROGRESS"] = "live"
    handler = LogHandler(Settings(), None)
    handler.console.file = open(os.devnull, "w")  # noqa: SIM115 - closed with the handler
    total = dramas * len(RULES)
    handler.emit(record("run_info", stats={**{r: dramas for r in RULES}, "total": total}))
    handler.event_handler.live.stop()  # redraws are the second measure
    started = time.process_time()
    done = 0
    for d in range(dramas):
        for rule in RULES:
            jobid = done
            handler.emit(record("job_info", jobid=jobid, rule_name=rule,
                                wildcards={"id": f"d{d:04d}"},
                                log=[f"results/logs/d{d:04d}/{rule}.log"]))
            handler.emit(record("shellcmd", jobid=jobid, shellcmd=""))
            handler.emit(record("job_finished", job_id=jobid))
            done += 1
            handler.emit(record("progress", done=done, total=total))
    cost = (time.process_time() - started) / total
    handler.close()
    return cost


def per_second(seconds: float = 20.0) -> float:
    """CPU seconds per second of the panel's redraws into a pseudo-terminal."""
    from dramabatch.workflow.progress.logger import REFRESH_PER_SECOND

    master, slave = pty.openpty()

    def drain() -> None:  # the terminal's reader, as a terminal emulator would be
        try:
            while os.read(master, 65536):
                pass
        except OSError:
            pass

    threading.Thread(target=drain, daemon=True).start()
    state = BatchState()
    state.run_info({"finish": 20, "total": 160})
    for jobid in range(2):
        state.job_info(jobid, "render_long", {"id": f"d{jobid}"}, [f"/nonexistent/{jobid}.log"])
    with os.fdopen(slave, "w") as tty:
        live = Live(BatchView(state), console=Console(file=tty, width=120, force_terminal=True),
                    refresh_per_second=REFRESH_PER_SECOND, redirect_stdout=False,
                    redirect_stderr=False)
        started = time.process_time()
        live.start()
        time.sleep(seconds)
        live.stop()
    return (time.process_time() - started) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    small, large = per_job(20), per_job(3000)
    redraw = per_second()
    rows = [["events of one job, 20 dramas", f"{small * 1000:.3f} ms"],
            ["events of one job, 3,000 dramas", f"{large * 1000:.3f} ms"],
            ["ratio 3,000 / 20", f"{large / small:.2f}"],
            ["redraws, per second of the run", f"{redraw * 1000:.2f} ms"]]
    body = table(["the live display's CPU in Snakemake's process", "CPU"], rows)
    if args.no_record:
        print(body, file=sys.__stdout__)
    else:
        append_results("Live progress display: its cost in the Snakemake process", body)


if __name__ == "__main__":
    main()
