"""The qc stage in the real workflow: every finished drama carries qc.json (archive, page, run
summary), and a drama whose video turns out broken fails alone at stage qc, unarchived, naming
the check, its number and its threshold, while the other drama stays finished."""

import json
import re
import zipfile

import pytest

from dramabatch.base.media import run_ffmpeg
from dramabatch_testkit.runner import copy_batch, snakemake

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def batch(tmp_path_factory, shared_batch):
    """This module's copy of the session's finished two-drama batch (a test breaks a video)."""
    return copy_batch(shared_batch, tmp_path_factory.mktemp("qcwf"))


def test_finished_dramas_carry_their_checks(batch):
    res = batch / "results"
    summary = json.loads((res / "run_summary.json").read_text())
    assert summary["finished"] == 2
    for drama in ("alpha", "beta"):
        qc = json.loads((res / drama / "qc.json").read_text())
        assert qc["verdict"] != "fail", qc["failed"]
        plan = json.loads((res / drama / "shorts/plan.json").read_text())["shorts"]
        assert set(qc["videos"]) == {"long.mp4"} | {f"short_{p['number']:02d}.mp4" for p in plan}
        long = qc["videos"]["long.mp4"]
        assert long["checks"]["black_share"]["level"] == "ok"
        assert long["captions"]["expected"] > 0 and long["captions"]["missed"] == 0
        with zipfile.ZipFile(res / "_archives" / f"{drama}.zip") as zf:
            assert json.loads(zf.read(f"{drama}/qc.json")) == qc
        page = (res / drama / "report.html").read_text()
        assert "<h2>Checks</h2>" in page and "black_share" in page
        status = next(d for d in summary["dramas"] if d["id"] == drama)
        assert status["qc"]["verdict"] == qc["verdict"]
    assert sorted(summary["review"]) == ["alpha", "beta"]
    assert (res / "benchmarks/alpha/qc.tsv").exists()


def test_a_broken_video_fails_its_drama_alone(batch):
    res = batch / "results"
    long = res / "alpha" / "long.mp4"
    black = long.with_name("black.mp4")
    run_ffmpeg(["-i", str(long), "-vf", "drawbox=c=black:t=fill", "-c:v", "libx264",
                "-preset", "ultrafast", "-c:a", "copy", str(black)], what="black long")
    black.replace(long)  # a render gone wrong after the fact: newer than its qc.json
    beta_archive = (res / "_archives/beta.zip").stat().st_mtime
    alpha_archive = (res / "_archives/alpha.zip").read_bytes()
    proc = snakemake(batch, "--cores", "2")
    assert proc.returncode != 0
    summary = json.loads((res / "run_summary.json").read_text())
    alpha = next(d for d in summary["dramas"] if d["id"] == "alpha")
    beta = next(d for d in summary["dramas"] if d["id"] == "beta")
    assert alpha["status"] == "failed" and alpha["stage"] == "qc"
    # the check, its number (all but the last frame's change: 0.98..1) and the threshold
    assert re.search(r"long\.mp4: black_share (0\.9[89]\d*|1) > 0\.1 \(fail\)", alpha["cause"])
    assert "FAILED  alpha  at qc: " in proc.stdout + proc.stderr
    # never re-archived, and the archive delivered before the video went wrong is kept (and named)
    assert (res / "_archives/alpha.zip").read_bytes() == alpha_archive
    assert alpha["delivered"]["archive"] == "results/_archives/alpha.zip"
    assert json.loads((res / "alpha/qc.json").read_text())["verdict"] == "fail"
    assert beta["status"] == "finished"
    assert (res / "_archives/beta.zip").stat().st_mtime == beta_archive
    assert summary["review"][0] == "alpha"


def test_batch_report_names_each_drama_by_its_review_rank(batch):
    """After the failure above: Snakemake's report cannot be made while a drama lacks its page
    (it refuses any report() file that is missing), so the failed drama is skipped, as the run
    summary advises; each category is named with its review rank, which the report's menu sorts
    (the order itself: test_qc_summary)."""
    proc = snakemake(batch, "--report", "report.html", "--config", "skip=[alpha]")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    html = (batch / "report.html").read_text(encoding="utf-8")
    verdict = json.loads((batch / "results/beta/qc.json").read_text())["verdict"]
    rank = {"warn": "1", "ok": "2"}[verdict]
    assert re.search(rf"{rank}\d beta \({verdict}", html), re.findall(r"\d\d beta \([^)]*\)", html)
    assert "alpha (" not in html
