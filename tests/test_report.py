"""The report a person opens: thumbnails, durations, subtitles, timings, in a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from dramabatch_testkit.runner import copy_batch, snakemake

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--virtual-time-budget=5000"]


@pytest.fixture(scope="module")
def reported_batch(tmp_path_factory, shared_batch):
    """This module's copy of the session's finished two-drama batch (the report is added)."""
    return copy_batch(shared_batch, tmp_path_factory.mktemp("report"))


def test_drama_page_has_every_part(reported_batch):
    page = (reported_batch / "results/alpha/report.html").read_text(encoding="utf-8")
    shorts = json.loads((reported_batch / "results/alpha/shorts/index.json").read_text())["shorts"]
    assert page.count('class="thumb"') == 1 + len(shorts)
    assert f'data-thumbs-expected="{1 + len(shorts)}"' in page
    assert "src=\"http" not in page and "src='http" not in page, "page must be self-contained"
    for needle in ("Language <b>en</b>", "Stage timings", "transcribe", "render_long",
                   "lighthouse keeper"):
        assert needle in page, needle
    # the narration as heard: its worst segment, scored against the script
    timeline = json.loads((reported_batch / "results/alpha/narration.json").read_text())
    worst = timeline["check"]["worst"]
    assert worst["wer"] == max(s["wer"] for s in timeline["segments"])
    assert f"worst segment {worst['index']} at <b>{100 * worst['wer']:.0f} %</b>" in page
    summary = json.loads((reported_batch / "results/run_summary.json").read_text())
    alpha = next(d for d in summary["dramas"] if d["id"] == "alpha")
    assert alpha["voice"]["worst"] == worst


def test_snakemake_report_is_generated(reported_batch):
    proc = snakemake(reported_batch, "--report", "report.html")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    html = (reported_batch / "report.html").read_text(encoding="utf-8")
    assert len(html) > 50_000  # the results are embedded, not linked
    for name in ("alpha", "beta", "Thumbnails", "Summary"):
        assert name in html, name


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                    "(make test installs it where apt-get is available)")
def test_report_renders_its_thumbnails_in_chromium(reported_batch, tmp_path):
    page = reported_batch / "results/beta/report.html"
    dom = subprocess.run([CHROMIUM, *CHROME_FLAGS, f"--user-data-dir={tmp_path / 'prof'}",
                          "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    expected = int(re.search(r'data-thumbs-expected="(\d+)"', dom).group(1))
    loaded = re.search(r'data-thumbs-loaded="(\d+)"', dom)
    assert loaded, "the page's load script did not run"
    assert int(loaded.group(1)) == expected >= 2
    shot = tmp_path / "shot.png"
    subprocess.run([CHROMIUM, *CHROME_FLAGS, f"--user-data-dir={tmp_path / 'prof2'}",
                    f"--screenshot={shot}", "--window-size=1000,1400", page.as_uri()],
                   capture_output=True, timeout=120)
    from PIL import Image

    img = Image.open(shot).convert("L")
    low, high = img.getextrema()
    assert img.size == (1000, 1400) and high - low > 100, "screenshot is blank"
