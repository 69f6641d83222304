"""The batch's live progress: a Snakemake logger plugin, ``--logger dramabatch`` (profiles/default).

It extends ``snakemake-logger-plugin-rich`` (0.5.x, by a Snakemake maintainer), which already
turns Snakemake's log events into a rich console: errors, warnings, the job counts table, a
spinner while the DAG is built, quiet job blocks. Its live panel is one bar per rule; a batch of
200 dramas wants other facts, so the panel is replaced by ``view.BatchView``: the batch's
jobs, its dramas finished / failed / left, elapsed and time left, one line per running job with
the percentage the job logs. Everything else is the rich plugin's.

Where it draws, decided once when Snakemake starts (:func:`progress_mode`):

* ``live``: stderr is an interactive terminal; the panel above, redrawn once a second.
* ``plain``: anything else (a pipe, a file, CI, Slurm's output of a ``sbatch``-ed Snakemake).
  Snakemake's own output stays exactly as without the plugin (its default handler writes it,
  no colours, no cursor moves), plus one ASCII line each time a drama finishes or fails.
* ``off``: a dry run (``-n`` prints the plan, and tools read it as Snakemake writes it), or
  ``DRAMABATCH_PROGRESS=off``. ``DRAMABATCH_PROGRESS=live|plain`` forces the other modes.

Slurm's jobs and local sub-jobs run Snakemake in its remote/subprocess modes, which load no
logger plugin: only the process the user started draws.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from logging import LogRecord
from typing import Any, TextIO

from rich.live import Live
from rich.text import Text
from snakemake_interface_logger_plugins.common import LogEvent
from snakemake_logger_plugin_rich import LogHandler as RichPluginHandler
from snakemake_logger_plugin_rich import events
from snakemake_logger_plugin_rich.event_handler import EventHandler as RichEventHandler

from .jobpercent import read_tail
from .state import BatchState, RunningJob
from .view import BatchView, plain_line

MODES = ("live", "plain", "off")
#: The panel's clock ticks in seconds, and the display's cost is per second, not per job
#: (a redraw: about 1.2 ms of the Snakemake process's CPU on a loaded 2-core machine).
REFRESH_PER_SECOND = 1
FAILED_LOG_LINES = 15


def progress_mode(dryrun: bool, stream: TextIO, environ: Mapping[str, str]) -> str:
    """``live``, ``plain`` or ``off`` (see the module docstring)."""
    if dryrun:
        return "off"
    forced = environ.get("DRAMABATCH_PROGRESS", "").strip().lower()
    if forced in MODES:
        return forced
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):
        interactive = False
    return "live" if interactive and environ.get("TERM", "") != "dumb" else "plain"


def feed(state: BatchState, record: LogRecord) -> tuple[Any, Any]:
    """Apply one Snakemake event to ``state``; returns (event, what changed: a drama or job)."""
    event = getattr(record, "event", None)
    if event == LogEvent.RUN_INFO:
        info = events.RunInfo.from_record(record)
        state.run_info({**info.per_rule_job_counts, "total": info.total_job_count})
    elif event == LogEvent.JOB_INFO:
        job = events.JobInfo.from_record(record)
        state.job_info(job.jobid, job.rule_name, job.wildcards, list(job.log or []))
    elif event == LogEvent.JOB_FINISHED:
        return event, state.job_finished(events.JobFinished.from_record(record).job_id)
    elif event == LogEvent.JOB_ERROR:
        return event, state.job_error(events.JobError.from_record(record).jobid)
    elif event == LogEvent.PROGRESS:
        progress = events.Progress.from_record(record)
        state.progress(progress.done, progress.total)
    return event, None


class BatchEventHandler(RichEventHandler):
    """The rich plugin's event handling, with the batch's panel instead of its per-rule bars."""

    def __init__(self, state: BatchState, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state = state
        self.live = kwargs["live_display"]
        self._live_on = False

    def _start_live(self) -> None:
        if not self._live_on:
            self._stop_dag_status()
            self.live.start()
            self._live_on = True

    def _start_dag_status(self) -> None:
        """A plain line, not the rich plugin's spinner: commands that run no job (--summary,
        --report) print on stdout under it and never stop it."""
        self.console.print("Building DAG of jobs...", highlight=False)

    def handle(self, record: LogRecord, **kwargs: Any) -> None:
        """Count every event (``feed``, as in plain mode); print only what the rich plugin
        prints and the panel does not say (errors, warnings, the job counts table)."""
        event, changed = feed(self.state, record)
        if event == LogEvent.RUN_INFO:
            info = events.RunInfo.from_record(record)
            self._stop_dag_status()
            self._display_job_summary(info.per_rule_job_counts, info.total_job_count)
            self._start_live()
        elif event == LogEvent.JOB_INFO:
            self._start_live()  # a run whose jobs all come from checkpoints has no run info
        elif event == LogEvent.JOB_ERROR:
            self.print_failed(events.JobError.from_record(record).jobid, changed)
        elif event not in (LogEvent.JOB_FINISHED, LogEvent.PROGRESS, LogEvent.JOB_STARTED,
                           LogEvent.SHELLCMD):
            super().handle(record, **kwargs)

    def close(self) -> None:
        self.state.stop()  # the last frame says done, or how many jobs never ran
        super().close()

    def print_failed(self, jobid: int, job: RunningJob | None) -> None:
        """One red line per failed job, and the end of its log (the rich plugin printed the
        whole log, failing when a job died before writing one)."""
        if job is None:
            self.console.print(Text(f"FAILED job {jobid}", style="bold red"))
            return
        where = " ".join(x for x in (job.rule, job.drama or "", job.detail) if x)
        self.console.print(Text(f"FAILED {where}", style="bold red"))
        if self.show_failed_logs and job.log:
            tail = read_tail(job.log, 4096).splitlines()[-FAILED_LOG_LINES:]
            if tail:
                self.console.print(Text(f"  last lines of {job.log}:", style="dim"))
                self.console.print(Text("\n".join("  " + line for line in tail)),
                                   highlight=False, markup=False)


class LogHandler(RichPluginHandler):
    """Snakemake's entry point for ``--logger dramabatch`` (see the module docstring)."""

    def __post_init__(self) -> None:
        self.state = BatchState()
        self.mode = progress_mode(bool(self.common_settings.dryrun), sys.stderr, os.environ)
        self._pending_line = False
        self._last_line = ""
        self._closed = False
        if self.mode != "live":
            return
        super().__post_init__()  # the rich plugin's console, formatting and event handling
        if self.common_settings.nocolor:
            self.console.no_color = True  # --nocolor: the panel still moves the cursor, uncoloured
        live = Live(BatchView(self.state), console=self.console,
                    refresh_per_second=REFRESH_PER_SECOND, transient=False)
        self.live_display = live
        self.event_handler = BatchEventHandler(
            self.state, console=self.console, progress=self.progress, live_display=live,
            dryrun=self.common_settings.dryrun, printshellcmds=self.common_settings.printshellcmds,
            show_failed_logs=self.common_settings.show_failed_logs,
            verbose=self.common_settings.verbose)

    def emit(self, record: LogRecord) -> None:
        if self.mode == "live":
            super().emit(record)
        elif self.mode == "plain":
            try:
                self._emit_plain(record)
            except Exception:  # noqa: BLE001 - a display must never stop a batch
                self.handleError(record)

    def _emit_plain(self, record: LogRecord) -> None:
        """A line when a drama finished (after the progress event that follows its last job,
        so the line's job count includes it) or failed (at once)."""
        event, changed = feed(self.state, record)
        if event == LogEvent.JOB_FINISHED and changed is not None:
            self._pending_line = True
        elif event == LogEvent.PROGRESS and self._pending_line:
            self._pending_line = False
            self._write(plain_line(self.state.snapshot()))
        elif event == LogEvent.JOB_ERROR and changed is not None and changed.drama:
            self._write(plain_line(self.state.snapshot()))

    def _write(self, line: str) -> None:
        sys.stderr.write(line + "\n")  # one call: never split by another thread's output
        sys.stderr.flush()
        self._last_line = line

    def close(self) -> None:
        if self.mode == "live":
            super().close()
            return
        if self.mode == "plain" and not self._closed and self.state.started:
            self.state.stop()
            line = plain_line(self.state.snapshot())
            if line != self._last_line:
                self._write(line)
        self._closed = True
        logging.Handler.close(self)  # the rich plugin's close would stop a display never started

    @property
    def writes_to_stream(self) -> bool:
        """Live draws on stderr itself; otherwise Snakemake keeps its own output handler."""
        return self.mode == "live"
