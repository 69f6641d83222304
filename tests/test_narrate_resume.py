"""A killed narrate job keeps what it voiced: the rerun voices only the missing segments and
gives the narration an uninterrupted run gives; a changed text or voice never reuses a stale
piece. Real Piper speech, a real SIGKILL, a real ffmpeg encode."""

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dramabatch.voice.narrate import narrate
from dramabatch.workflow.progress.jobpercent import last_progress

LINES = ["The storm came at night.", "The lights went out.", "Nobody moved.",
         "A door opened somewhere.", "Then a voice called her name.", "She ran."]
SCRIPT = {"language": "en", "segments": [{"text": t, "pause_ms": 300} for t in LINES]}
OPTIONS = {"engine": "piper", "voice": "bundled", "loudness_lufs": -16, "true_peak_db": -1}

# slow: voices and kills real narrations (3-7 s each); make test-fast leaves it out
pytestmark = pytest.mark.slow

#: Loaded by every Python process of the narrate job (``sitecustomize`` on PYTHONPATH): the
#: job and the voicing children that it starts (``voice.voicer``). Each engine call is noted
#: in a file; with a kill number, after that many calls the job is killed with SIGKILL (no
#: cleanup, no finally: what a preemption does). A child that voiced the call then waits: it
#: must die with its job (and so never keeps the piece it was about to write).
HOOK = """
import os, signal, sys, time
if os.environ.get("RESUME_CALLS"):
    from dramabatch.voice.tts.piper_engine import PiperEngine
    calls, kill_after = os.environ["RESUME_CALLS"], int(os.environ["RESUME_KILL"])
    real = PiperEngine.synthesize
    def counted(self, text):
        done = real(self, text)
        with open(calls, "a") as fh:
            fh.write(text + "\\n")
        if kill_after and sum(1 for _ in open(calls)) >= kill_after:
            job = int(os.environ.get("RESUME_JOB", os.getpid()))
            with open(calls + ".pid", "w") as fh:
                fh.write(f"{os.getpid()} {job}")
            os.kill(job, signal.SIGKILL)
            time.sleep(0 if job == os.getpid() else 60)
        return done
    PiperEngine.synthesize = counted
    import dramabatch.voice.voicer
    dramabatch.voice.voicer.IN_PROCESS_MAX = 0  # six lines, voiced in children as an hour's
"""

#: The narrate job in its own process.
CHILD = """
import json, os, sys
os.environ["RESUME_JOB"] = str(os.getpid())  # for the hook in the voicing children
from dramabatch.voice.narrate import narrate
out, pieces = sys.argv[1], sys.argv[4]
script, options = json.loads(sys.argv[2]), json.loads(sys.argv[3])
narrate(script, out + "/n.mp3", out + "/n.json", options, pieces=pieces if pieces else None)
"""


def _run(out: Path, calls: Path, kill_after: int, pieces: Path | None, script=SCRIPT,
         options=OPTIONS) -> subprocess.CompletedProcess:
    out.mkdir(exist_ok=True)
    hook = out.parent / "hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(HOOK)
    path = os.pathsep.join(p for p in (str(hook), os.environ.get("PYTHONPATH")) if p)
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(out), json.dumps(script), json.dumps(options),
         str(pieces or "")], capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": path, "RESUME_CALLS": str(calls),
             "RESUME_KILL": str(kill_after)})


def _gone(pid: int) -> None:
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} outlived its killed job")


def _said(calls: Path) -> list[str]:
    return calls.read_text().splitlines() if calls.exists() else []


def test_a_killed_narration_resumes_and_voices_only_what_is_missing(tmp_path):
    pieces = tmp_path / "pieces"
    killed = _run(tmp_path / "a", tmp_path / "calls1", 3, pieces)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert _said(tmp_path / "calls1") == LINES[:3]  # killed while voicing the third
    voicer, job = map(int, (tmp_path / "calls1.pid").read_text().split())
    assert voicer != job  # Piper voiced in a child process (voice.voicer), not in the job
    _gone(voicer)  # and that child died with its job
    assert not (tmp_path / "a" / "n.json").exists()
    assert len(list(pieces.glob("*.npz"))) == 2 and not list(pieces.glob("*.tmp"))

    resumed = _run(tmp_path / "a", tmp_path / "calls2", 0, pieces)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert _said(tmp_path / "calls2") == LINES[2:]  # only the missing ones

    whole = _run(tmp_path / "b", tmp_path / "calls3", 0, None)
    assert whole.returncode == 0, whole.stderr[-2000:]
    assert _said(tmp_path / "calls3") == LINES
    got = json.loads((tmp_path / "a" / "n.json").read_text())
    want = json.loads((tmp_path / "b" / "n.json").read_text())
    assert got == want
    assert (tmp_path / "a" / "n.mp3").read_bytes() == (tmp_path / "b" / "n.mp3").read_bytes()


def test_a_changed_text_or_voice_setting_never_reuses_a_stale_piece(tmp_path):
    pieces = tmp_path / "pieces"
    assert _run(tmp_path / "a", tmp_path / "calls1", 0, pieces).returncode == 0
    changed = {**SCRIPT, "segments": [dict(s) for s in SCRIPT["segments"]]}
    changed["segments"][2]["text"] = "Nobody moved at all."
    rerun = _run(tmp_path / "a", tmp_path / "calls2", 0, pieces, script=changed)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert _said(tmp_path / "calls2") == ["Nobody moved at all."]
    # the finished narration's store holds its own pieces only (the stale one pruned)
    assert len(list(pieces.glob("*.npz"))) == len(LINES)
    slower = _run(tmp_path / "a", tmp_path / "calls3", 0, pieces, script=changed,
                  options={**OPTIONS, "length_scale": 1.2})
    assert slower.returncode == 0, slower.stderr[-2000:]
    assert _said(tmp_path / "calls3") == [s["text"] for s in changed["segments"]]


def test_narrate_logs_its_progress_for_the_live_display(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="dramabatch.voice.narrate")
    narrate(SCRIPT, tmp_path / "n.mp3", tmp_path / "n.json", OPTIONS)
    lines = [f"dramabatch.voice.narrate: {r.getMessage()}" for r in caplog.records]
    shown = [last_progress(line) for line in lines]
    # the voicing's own steps (the encoding after it logs its own percentage)
    shown = [s for s in shown if s is not None and s[0] == "narrate"]
    assert shown[-1] == ("narrate", 100.0)
    percents = [p for _, p in shown]
    assert percents == sorted(percents) and len(set(percents)) == len(LINES)
    assert percents[0] == 100 // len(LINES)
