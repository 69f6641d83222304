"""kill -9 of the whole Snakemake process tree at several moments, then the documented resume.

The resumed batch must equal an uninterrupted run's: same durations, same subtitle text, and a
zip whose entries match its manifest. No partial file may ever sit under a final name.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest

from dramabatch.base.fsutil import sha256_file
from dramabatch.base.media import decode_check, probe
from dramabatch_testkit.loopback import LoopbackServer
from dramabatch_testkit.runner import (
    TINY_CONFIG,
    run_cli,
    snakemake,
    snakemake_cmd,
    write_manifest,
)

pytestmark = pytest.mark.slow


def throttled(path: Path, seconds: float):
    """A handler that streams ``path`` over about ``seconds`` (so a kill can land mid-transfer)."""
    data = path.read_bytes()

    def handler(h):
        h.send_response(200)
        h.send_header("Content-Type", "video/mp4")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        step = max(1, len(data) // 30)
        try:
            for i in range(0, len(data), step):
                h.wfile.write(data[i:i + step])
                h.wfile.flush()
                time.sleep(seconds / 30)
        except (BrokenPipeError, ConnectionResetError):
            pass

    return handler


def start(wd: Path) -> subprocess.Popen:
    return subprocess.Popen(snakemake_cmd(wd, "--cores", "2"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def resume(wd: Path) -> subprocess.CompletedProcess:
    """The README's resume command after a kill: unlock, then the same run again."""
    unlock(wd)
    return snakemake(wd, "--cores", "2")


def unlock(wd: Path) -> None:
    proc = run_cli(snakemake_cmd(wd, "--unlock"), timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


def kill_when(proc: subprocess.Popen, condition, timeout: float = 300) -> bool:
    """SIGKILL the whole process group once ``condition()`` holds; False if the run ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("condition never reached")


def part_files(wd: Path, pattern: str) -> list[Path]:
    return list((wd / "results").rglob(pattern)) if (wd / "results").exists() else []


def setup_batch(wd: Path, server: LoopbackServer, local_a: Path, local_b: Path) -> None:
    manifest = write_manifest(wd / "manifest.tsv", [
        ("web", f"{server.url}/web.mp4"), ("alpha", str(local_a)), ("beta", str(local_b))])
    (wd / "config.yaml").write_text(TINY_CONFIG.format(manifest=manifest))


def outcome(wd: Path) -> dict:
    """What must match between runs: durations, subtitle text, shorts, zip integrity."""
    res = wd / "results"
    out = {}
    for drama in ("web", "alpha", "beta"):
        base = res / drama
        decoded = decode_check(base / "long.mp4")
        assert abs(decoded["video"] - decoded["audio"]) < 0.12
        shorts = json.loads((base / "shorts/index.json").read_text())["shorts"]
        out[drama] = {
            "narration": json.loads((base / "narration.json").read_text())["duration"],
            "long": round(probe(base / "long.mp4").duration, 1),
            "srt": [line for line in (base / f"{drama}.srt").read_text().splitlines()
                    if line and not line[0].isdigit()],
            "shorts": [(s["number"], round(s["duration"], 2)) for s in shorts],
        }
    with zipfile.ZipFile(res / "dramas_completos.zip") as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert zf.testzip() is None
        names = sorted(n for n in zf.namelist() if n != "manifest.json")
        assert names == sorted(e["path"] for e in manifest["files"])
        for entry in manifest["files"]:
            extracted = wd / "unzipped" / entry["path"]
            zf.extract(entry["path"], wd / "unzipped")
            assert sha256_file(extracted) == entry["sha256"], entry["path"]
    out["zip"] = names
    return out


def test_kill_minus_nine_at_every_stage_then_resume(tmp_path, brief_videos):
    """Dramas of one sentence each: what is said does not matter here, only where the kills land
    (every job is as long as its fixed costs, so each moment still lasts a second or more)."""
    speech_video, speech_video_b = brief_videos
    server = LoopbackServer()
    server.routes["/web.mp4"] = throttled(speech_video, seconds=4)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        ref, wd = tmp_path / "reference", tmp_path / "killed"
        for d in (ref, wd):
            d.mkdir()
            setup_batch(d, server, speech_video, speech_video_b)
        done = snakemake(ref, "--cores", "2")
        assert done.returncode == 0, done.stderr[-2000:]

        moments = {
            "download": lambda: part_files(wd, ".source.media.partial"),
            "transcription": lambda: any(
                (wd / "results/logs" / d / "transcribe.log").exists()
                and not (wd / "results" / d / "transcript.json").exists()
                for d in ("alpha", "beta", "web")),
            "render": lambda: part_files(wd, ".long.part-*") or part_files(wd, ".short_*.part-*"),
            "zip": lambda: (wd / "results/logs/package.log").exists(),
        }
        killed = []
        for name, condition in moments.items():
            proc = start(wd) if not killed else None
            if proc is None:
                unlock(wd)
                proc = start(wd)
            if kill_when(proc, condition):
                killed.append(name)
                # nothing half-written may sit under a final name right after the kill
                for final in (wd / "results").rglob("*.mp4"):
                    if ".part-" not in final.name:
                        probe(final)
        assert killed == list(moments), f"kills landed only at: {killed}"
        final = resume(wd)
        assert final.returncode == 0, (final.stdout + final.stderr)[-3000:]
        assert outcome(wd) == outcome(ref)
        assert part_files(wd, "*.part-*") == [] and part_files(wd, "*.partial") == []
    finally:
        server.shutdown()
