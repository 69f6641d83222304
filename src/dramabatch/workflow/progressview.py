"""How a batch's progress looks: a live panel on a terminal, one plain line everywhere else.

The panel (``BatchView``) is redrawn by rich's ``Live`` a few times per second: a bar for the
batch's jobs, a line for the dramas (finished, failed, left), elapsed and the time left, then one
line per running job with its drama, its own percentage where the job logs one, and how long it
has run. A batch on a cluster may run hundreds of jobs at once: the panel lists the oldest
``max_lines`` and counts the rest, so drawing costs the same whatever the batch's size.

``plain_line`` is the same facts as one line of ASCII, for logs, CI and Slurm's output files.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from .batchprogress import BatchState, Snapshot
from .jobpercent import PercentReader


def clock(seconds: float | None) -> str:
    """``H:MM:SS`` (``M:SS`` under an hour); ``?`` when unknown."""
    if seconds is None:
        return "?"
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def percent(snap: Snapshot) -> int:
    """The batch's percentage, 100 only when every job is done (never rounded up to it)."""
    value = int(snap.fraction * 100)
    return 100 if snap.jobs_total and snap.jobs_done >= snap.jobs_total else min(value, 99)


def dramas_text(snap: Snapshot) -> str:
    """Counts after their words ("failed 6"), so the run summary's "6 failed" stays its own."""
    return (f"dramas finished {snap.dramas_finished}, failed {snap.dramas_failed}, "
            f"left {snap.dramas_left} of {snap.dramas_total}")


def time_text(snap: Snapshot) -> str:
    done = snap.jobs_total and snap.jobs_done >= snap.jobs_total
    if done:
        left = "done"
    elif snap.stopped:  # failed dramas' later jobs never ran
        left = f"ended with {snap.jobs_total - snap.jobs_done} jobs not run"
    else:
        left = f"about {clock(snap.eta)} left"
    return f"elapsed {clock(snap.elapsed)}, {left}"


def plain_line(snap: Snapshot) -> str:
    """One line, ASCII only: what a log file, CI or a Slurm output file gets."""
    return (f"dramabatch progress: {dramas_text(snap)} | jobs {snap.jobs_done} of "
            f"{snap.jobs_total} ({percent(snap)}%) | {time_text(snap)}")


def job_table(snap: Snapshot, now: float, max_lines: int) -> Table | None:
    if not snap.running:
        return None
    table = Table.grid(padding=(0, 2))
    for style in ("cyan", "bold", "dim", "green", "dim"):
        table.add_column(style=style, no_wrap=True, justify="right" if style == "green" else "left")
    for job in snap.running[:max_lines]:
        ran = max(0.0, now - job.started)
        pct = "" if job.percent is None else f"{job.step} {job.percent:.0f}%".strip()
        table.add_row(f"  {job.rule}", job.drama or "", job.detail, pct, clock(ran))
    more = len(snap.running) - max_lines
    if more > 0:
        table.add_row(f"  ... {more} more running", "", "", "", "")
    return table


class BatchView:
    """A rich renderable of the batch: what ``Live`` redraws."""

    def __init__(self, state: BatchState, reader: PercentReader | None = None,
                 max_lines: int = 12) -> None:
        self.state = state
        self.reader = reader or PercentReader()
        self.max_lines = max_lines

    def __rich__(self) -> Group:
        self.reader.update(self.state.running_jobs())
        snap = self.state.snapshot()
        bar = Table.grid(padding=(0, 1))
        bar.add_column(ratio=1)
        bar.add_column(no_wrap=True)
        bar.add_row(ProgressBar(total=max(snap.jobs_total, 1), completed=snap.jobs_done),
                    Text(f"{percent(snap):3d}%  jobs {snap.jobs_done}/{snap.jobs_total}",
                         style="bold"))
        status = Text(dramas_text(snap) + "  |  " + time_text(snap))
        if snap.dramas_failed:
            status.highlight_words(["failed"], style="bold red")
        parts: list[Any] = [bar, status]
        table = job_table(snap, self.state.now(), self.max_lines)
        if table is not None:
            parts.append(table)
        return Group(*parts)
