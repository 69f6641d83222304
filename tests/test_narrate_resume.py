"""A killed narrate job keeps what it voiced: the rerun voices only the missing segments and
gives the narration an uninterrupted run gives; a changed text or voice never reuses a stale
piece. Real Piper speech, a real SIGKILL, a real ffmpeg encode."""

import json
import logging
import os
import signal
import subprocess
import sys
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

#: The narrate job in its own process: each engine call noted in a file, and with a kill
#: number, SIGKILL after that many calls (no cleanup, no finally: what a preemption does).
CHILD = """
import json, os, signal, sys
from dramabatch.voice.tts.piper_engine import PiperEngine
from dramabatch.voice.narrate import narrate
calls, kill_after = sys.argv[1], int(sys.argv[2])
real = PiperEngine.synthesize
def counted(self, text):
    done = real(self, text)
    with open(calls, "a") as fh:
        fh.write(text + "\\n")
    if kill_after and sum(1 for _ in open(calls)) >= kill_after:
        os.kill(os.getpid(), signal.SIGKILL)
    return done
PiperEngine.synthesize = counted
out, pieces = sys.argv[3], sys.argv[6]
script, options = json.loads(sys.argv[4]), json.loads(sys.argv[5])
narrate(script, out + "/n.mp3", out + "/n.json", options, pieces=pieces if pieces else None)
"""


def _run(out: Path, calls: Path, kill_after: int, pieces: Path | None, script=SCRIPT,
         options=OPTIONS) -> subprocess.CompletedProcess:
    out.mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(calls), str(kill_after), str(out), json.dumps(script),
         json.dumps(options), str(pieces or "")], capture_output=True, text=True, timeout=600,
        env={**os.environ})


def _said(calls: Path) -> list[str]:
    return calls.read_text().splitlines() if calls.exists() else []


def test_a_killed_narration_resumes_and_voices_only_what_is_missing(tmp_path):
    pieces = tmp_path / "pieces"
    killed = _run(tmp_path / "a", tmp_path / "calls1", 3, pieces)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert _said(tmp_path / "calls1") == LINES[:3]  # killed while voicing the third
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
