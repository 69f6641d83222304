"""Live progress (dramabatch.workflow.progress.logger, `--logger dramabatch` in profiles/default).

Unit tests feed the batch state and the log reader plain events and files; two real runs of a
tiny batch check the display end to end: one in a pseudo-terminal (the live panel, its bar
reaching 100 %), one written to a file (Snakemake's plain output and the plain progress lines,
no control characters).
"""

from __future__ import annotations

import io
import logging
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from dramabatch.workflow.progress.jobpercent import PercentReader, last_percent, last_progress
from dramabatch.workflow.progress.logger import progress_mode
from dramabatch.workflow.progress.state import BatchState, estimate_left
from dramabatch.workflow.progress.view import BatchView, clock, plain_line
from dramabatch_testkit.ptyrun import run_in_pty
from dramabatch_testkit.runner import REPO, SNAKEMAKE, prepare_batch

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]")


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


# --------------------------------------------------------------------------- the batch's state
def started_state(clock: Clock, dramas: int = 3, jobs: int = 30) -> BatchState:
    state = BatchState(clock)
    state.run_info({"fetch_source": dramas, "finish": dramas, "total": jobs})
    return state


def test_a_drama_is_finished_by_its_finish_job_and_failed_by_any_job():
    clock = Clock()
    state = started_state(clock)
    state.job_info(1, "render_long", {"id": "a"}, ["results/logs/a/render_long.log"])
    state.job_info(2, "transcribe", {"id": "b"}, [])
    state.job_info(3, "finish", {"id": "c"}, [])
    assert state.job_finished(1) is None, "only the finish job finishes a drama"
    assert state.job_error(2).drama == "b"
    assert state.job_finished(3) == "c"
    snap = state.snapshot()
    assert (snap.dramas_finished, snap.dramas_failed, snap.dramas_left) == (1, 1, 1)
    assert snap.running == () and snap.jobs_failed == 1


def test_a_drama_that_finishes_after_a_failed_attempt_counts_as_finished():
    state = started_state(Clock(), dramas=1)
    state.job_info(1, "render_long", {"id": "a"}, [])
    state.job_error(1)
    assert state.snapshot().dramas_failed == 1
    state.job_info(2, "finish", {"id": "a"}, [])
    state.job_finished(2)
    snap = state.snapshot()
    assert (snap.dramas_finished, snap.dramas_failed, snap.dramas_left) == (1, 0, 0)


def test_progress_follows_snakemake_whose_total_grows_with_checkpoints():
    clock = Clock()
    state = started_state(clock, jobs=10)
    clock.t += 50
    state.progress(5, 10)
    assert state.snapshot().fraction == 0.5 and state.snapshot().eta == pytest.approx(50)
    state.progress(6, 14)  # the shorts plan added 4 jobs
    snap = state.snapshot()
    assert (snap.jobs_done, snap.jobs_total) == (6, 14)
    assert snap.eta == pytest.approx(50 * 8 / 6)


def test_elapsed_stops_when_the_last_job_is_done():
    clock = Clock()
    state = started_state(clock, jobs=4)
    clock.t += 20
    state.progress(4, 4)
    clock.t += 30  # the run summary, the batch zip's last checks, the logger's shutdown
    assert state.snapshot().elapsed == 20 and state.snapshot().eta == 0


def test_a_run_that_ends_with_jobs_left_says_so_instead_of_a_time_left():
    clock = Clock()
    state = started_state(clock, jobs=16)
    clock.t += 90
    state.progress(9, 16)
    assert "about 1:10 left" in plain_line(state.snapshot())
    clock.t += 5
    state.stop()
    clock.t += 5
    line = plain_line(state.snapshot())
    assert "elapsed 1:35, ended with 7 jobs not run" in line and "about" not in line


def test_time_left_is_unknown_before_the_first_job_and_zero_at_the_end():
    assert estimate_left(30, 0, 10) is None
    assert estimate_left(30, 10, 10) == 0
    assert estimate_left(30, 3, 12) == pytest.approx(90)


def test_finished_jobs_are_forgotten():
    state = started_state(Clock(), dramas=200, jobs=2000)
    for jobid in range(2000):
        state.job_info(jobid, "narrate", {"id": f"d{jobid % 200}"}, [])
        state.job_finished(jobid)
    assert state.running_jobs() == [] and not state._running


# --------------------------------------------------------------------------- job percentages
LOG = ("2026-12-02 06:00:00,000 INFO dramabatch.base.media: render long: /x/ffmpeg -i a b\n"
       "2026-12-02 06:00:01,000 INFO dramabatch.base.media: render long: 40%\n"
       "2026-12-02 06:00:02,000 INFO dramabatch.base.media: render long: 50%\n")


def test_last_percent_reads_the_jobs_own_progress_lines():
    assert last_percent(LOG) == 50
    assert last_percent("2026 INFO dramabatch.speech.transcribe: transcribe: 7%\n") == 7
    assert last_percent("INFO x: loudness -14.0 LUFS\nINFO x: done\n") is None
    assert last_percent("") is None
    assert last_progress(LOG) == ("render long", 50)
    assert last_progress("2026 INFO x: extract audio: 100%\n2026 INFO y: transcribe: 41%") == (
        "transcribe", 41)


def test_percent_reader_reads_a_growing_log_at_most_every_interval(tmp_path):
    log = tmp_path / "render_long.log"
    log.write_text(LOG)
    clock = Clock()
    state = BatchState(clock)
    state.job_info(7, "render_long", {"id": "a"}, [str(log)])
    state.job_info(8, "finish", {"id": "b"}, [str(tmp_path / "missing.log")])
    reader = PercentReader(every=0.5, clock=clock)
    reader.update(state.running_jobs())
    job = {j.jobid: j for j in state.running_jobs()}
    assert job[7].percent == 50 and job[8].percent is None
    with log.open("a") as fh:
        fh.write("2026 INFO dramabatch.base.media: render long: 60%\n")
    clock.t += 0.1
    reader.update(state.running_jobs())
    assert job[7].percent == 50, "looked again before the interval"
    clock.t += 0.5
    reader.update(state.running_jobs())
    assert job[7].percent == 60
    state.job_finished(7)
    state.job_finished(8)
    reader.update(state.running_jobs())
    assert reader._seen == {}, "ended jobs are forgotten"


# --------------------------------------------------------------------------- how it looks
def test_plain_line_is_ascii_and_says_the_batch_at_a_glance():
    clock = Clock()
    state = started_state(clock, dramas=3, jobs=30)
    clock.t += 125
    state.progress(29, 30)
    line = plain_line(state.snapshot())
    assert line.isascii() and "\n" not in line
    assert "dramas finished 0, failed 0, left 3 of 3" in line
    assert "jobs 29 of 30 (96%)" in line and "elapsed 2:05" in line and "about 0:04 left" in line
    state.progress(30, 30)
    assert "(100%)" in plain_line(state.snapshot()) and "done" in plain_line(state.snapshot())


def test_clock_format():
    assert clock(None) == "?" and clock(65) == "1:05" and clock(3725) == "1:02:05"


def test_percent_is_never_100_before_the_last_job():
    state = started_state(Clock(), jobs=1000)
    state.progress(999, 1000)
    assert "(99%)" in plain_line(state.snapshot())


def test_panel_shows_the_bar_dramas_and_one_line_per_running_job(tmp_path):
    log = tmp_path / "render_long.log"
    log.write_text(LOG)
    clock = Clock()
    state = started_state(clock, dramas=2, jobs=20)
    state.job_info(1, "render_long", {"id": "alpha"}, [str(log)])
    state.job_info(2, "render_short", {"id": "beta", "n": "02"}, [])
    clock.t += 10
    state.progress(5, 20)
    console = Console(file=io.StringIO(), width=100, force_terminal=True, color_system=None)
    console.print(BatchView(state, PercentReader(clock=clock), max_lines=1))
    text = ANSI.sub("", console.file.getvalue())
    assert " 25%  jobs 5/20" in text and "dramas finished 0, failed 0, left 2 of 2" in text
    assert re.search(r"render_long\s+alpha\s+render long 50%\s+0:10", text), text
    assert "1 more running" in text and "render_short" not in text


def test_mode_is_live_only_on_an_interactive_terminal(tmp_path):
    master, slave = pty.openpty()
    try:
        with os.fdopen(slave, "w", closefd=False) as tty, open(tmp_path / "f", "w") as file:
            assert progress_mode(False, tty, {"TERM": "xterm"}) == "live"
            assert progress_mode(False, tty, {"TERM": "dumb"}) == "plain"
            assert progress_mode(True, tty, {"TERM": "xterm"}) == "off", "-n stays Snakemake's"
            assert progress_mode(False, file, {"TERM": "xterm"}) == "plain"
            assert progress_mode(False, file, {"DRAMABATCH_PROGRESS": "live"}) == "live"
            assert progress_mode(False, tty, {"DRAMABATCH_PROGRESS": "off"}) == "off"
    finally:
        os.close(master)
        os.close(slave)


# --------------------------------------------------------------------------- real runs
def run_snakemake_in_pty(wd: Path, *args: str) -> tuple[int, str]:
    """The workflow in a 120x40 pseudo-terminal, as a person at a terminal runs it."""
    env = {k: v for k, v in os.environ.items() if k not in ("DRAMABATCH_PROGRESS", "NO_COLOR")}
    env["TERM"] = "xterm-256color"
    return run_in_pty([SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(wd),
                       "--configfile", str(wd / "config.yaml"), *args], env)


@pytest.fixture(scope="module")
def pty_run(tmp_path_factory, brief_videos):
    wd = prepare_batch(tmp_path_factory.mktemp("pty"),
                       [("alpha", str(brief_videos[0])), ("beta", str(brief_videos[1]))])
    rc, out = run_snakemake_in_pty(wd, "--cores", "2")
    return wd, rc, out


def test_a_run_in_a_terminal_shows_the_batch_bar_reaching_100(pty_run):
    wd, rc, out = pty_run
    assert rc == 0, out[-3000:]
    assert "\x1b[" in out, "a terminal gets the live panel (cursor moves, colours)"
    text = ANSI.sub("", out)
    assert re.search(r"\b100%\s+jobs (\d+)/\1\b", text), text[-3000:]
    assert "dramas finished 2, failed 0, left 0 of 2" in text
    assert re.search(r"dramas finished 0, failed 0, left 2 of 2", text), "the bar from the start"
    assert "dramabatch: 2 finished, 0 failed" in text, "the run summary is still printed"
    assert not re.search(r"^\d+ of \d+ steps", text, re.M), "no scrolling job blocks"
    assert (wd / "results/dramas_completos.zip").exists()


def test_a_run_in_a_terminal_shows_running_jobs(pty_run):
    text = ANSI.sub("", pty_run[2])
    assert re.search(r"^\s+(transcribe|narrate|render_long)\s+(alpha|beta)\s", text, re.M), (
        text[-3000:])


@pytest.fixture(scope="module")
def file_run(tmp_path_factory, brief_videos, silent_video):
    wd = prepare_batch(tmp_path_factory.mktemp("file"),
                       [("alpha", str(brief_videos[0])), ("mute", str(silent_video))])
    out = wd / "snakemake.out"
    env = {k: v for k, v in os.environ.items() if k != "DRAMABATCH_PROGRESS"}
    with out.open("wb") as fh:
        proc = subprocess.run(
            [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(wd),
             "--configfile", str(wd / "config.yaml"), "--cores", "2"],
            stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT, env=env, timeout=900)
    return wd, proc.returncode, out.read_bytes()


def test_a_run_written_to_a_file_has_no_control_characters(file_run):
    _, rc, data = file_run
    assert rc != 0, "the mute drama fails the run"
    bad = sorted({chr(b) for b in data if (b < 32 and b not in (9, 10)) or b == 127})
    assert not bad, f"control characters in a file's output: {bad!r}"


def test_a_run_written_to_a_file_keeps_snakemakes_lines_and_adds_drama_lines(file_run):
    _, _, data = file_run
    text = data.decode("utf-8")
    assert re.search(r"^\d+ of \d+ steps \(\d+%\) done", text, re.M), "Snakemake's own output"
    lines = [ln for ln in text.splitlines() if ln.startswith("dramabatch progress: ")]
    assert any("failed 1, left" in ln and " of 2 " in ln for ln in lines), lines
    assert lines[-1].startswith("dramabatch progress: dramas finished 1, failed 1, left 0 of 2")
    assert "jobs not run" in lines[-1], "the last line has no time left to guess"
    assert "FAILED  mute" in text, "the run summary is still printed"



# --------------------------------------------------------------------------- the plugin's wiring
class Settings:
    """What Snakemake hands a logger plugin (OutputSettingsLoggerInterface)."""

    printshellcmds = True
    nocolor = False
    quiet = None
    debug_dag = False
    verbose = False
    show_failed_logs = True
    stdout = False
    dryrun = False


def event(kind: str, **fields) -> logging.LogRecord:
    from snakemake_interface_logger_plugins.common import LogEvent

    record = logging.LogRecord("snakemake.logging", logging.INFO, __file__, 1, None, None, None)
    record.__dict__.update(event=LogEvent(kind), **fields)
    return record


def feed_run(handler, log: Path) -> None:
    handler.emit(event("run_info", stats={"transcribe": 2, "finish": 2, "total": 6}))
    handler.emit(event("job_info", jobid=1, rule_name="transcribe", wildcards={"id": "a"},
                       log=[str(log)]))
    handler.emit(event("job_info", jobid=2, rule_name="finish", wildcards={"id": "b"}, log=[]))
    handler.emit(event("job_error", jobid=1))
    handler.emit(event("job_finished", job_id=2))
    handler.emit(event("progress", done=4, total=5))


@pytest.mark.parametrize("mode", ["live", "plain"])
def test_the_plugin_counts_snakemakes_events_in_both_modes(mode, tmp_path, monkeypatch, capsys):
    from snakemake_logger_plugin_dramabatch import LogHandler

    monkeypatch.setenv("DRAMABATCH_PROGRESS", mode)
    log = tmp_path / "transcribe.log"
    log.write_text("INFO dramabatch: FAILED drama 'a', stage transcribe: no speech found\n")
    handler = LogHandler(Settings(), None)
    assert handler.writes_to_stream == (mode == "live"), "plain: Snakemake keeps its own output"
    feed_run(handler, log)
    snap = handler.state.snapshot()
    assert (snap.dramas_finished, snap.dramas_failed, snap.dramas_left) == (1, 1, 0)
    assert (snap.jobs_done, snap.jobs_total) == (4, 5)
    handler.close()
    handler.close()  # Snakemake closes its handlers more than once
    err = capsys.readouterr().err
    if mode == "live":
        assert "FAILED transcribe a" in err and "stage transcribe: no speech found" in err
    else:
        lines = [ln for ln in err.splitlines() if ln.startswith("dramabatch progress:")]
        assert lines[0].startswith("dramabatch progress: dramas finished 0, failed 1, left 1")
        assert lines[1].startswith("dramabatch progress: dramas finished 1, failed 1, left 0")
        assert "jobs 4 of 5" in lines[1] and "ended with 1 jobs not run" in lines[-1]
        assert len(lines) == 3


def test_a_dry_run_leaves_snakemakes_output_alone(monkeypatch):
    from snakemake_logger_plugin_dramabatch import LogHandler

    monkeypatch.setenv("DRAMABATCH_PROGRESS", "live")
    settings = Settings()
    settings.dryrun = True
    handler = LogHandler(settings, None)
    assert handler.mode == "off" and not handler.writes_to_stream


def test_without_the_rich_plugin_snakemake_still_starts_and_says_why():
    """Snakemake imports every logger plugin at start: a venv from before this dependency must
    not break every `snakemake` call."""
    code = """
import sys
sys.modules["snakemake_logger_plugin_rich"] = None  # as if it were not installed
import snakemake_logger_plugin_dramabatch as module
from snakemake_interface_logger_plugins.registry import LoggerPluginRegistry
registry = LoggerPluginRegistry.__new__(LoggerPluginRegistry)  # without importing every plugin
registry.validate_plugin("snakemake_logger_plugin_dramabatch", module)
handler_cls = registry.load_plugin("dramabatch", module).log_handler
class S:
    printshellcmds = nocolor = debug_dag = verbose = show_failed_logs = stdout = dryrun = False
    quiet = None
import logging
handler = handler_cls(S(), None)
assert not handler.writes_to_stream
record = logging.LogRecord("x", logging.INFO, "f", 1, None, None, None)
record.event = "run_info"
handler.emit(record)
handler.emit(record)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("no live progress") == 1 and "make install" in proc.stderr
