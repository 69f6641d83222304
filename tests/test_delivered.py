"""Nothing delivered is lost: a rerun that fails leaves the last delivered archive, the batch zip
and the videos in place byte for byte, and the run summary says which deliverables come from an
earlier run and why they were not replaced; the batch zip of an earlier run never calls itself
the batch."""

import json
import os
import zipfile

import pytest
import yaml
from conftest import run_batch, snakemake

from dramabatch.archive.deliver import deliver
from dramabatch.workflow.batch.summary import format_summary, summarise


def _tightened(qc: dict) -> tuple[str, dict]:
    """A qc threshold the finished long video fails: half of one of its measured numbers."""
    checks = qc["videos"]["long.mp4"]["checks"]
    name, check = next((k, c) for k, c in sorted(checks.items()) if c["value"] > 0)
    return name, {"warn": 0, "fail": check["value"] / 2}


@pytest.fixture(scope="module")
def finished(tmp_path_factory, brief_videos):
    """One drama of one sentence, finished (each test below leaves it finished again)."""
    return run_batch(tmp_path_factory.mktemp("delivered"), [("alpha", str(brief_videos[0]))])


@pytest.mark.slow
def test_a_failed_rerun_keeps_the_delivered_archive_byte_for_byte(finished):
    wd = finished
    res = wd / "results"
    archive, batch_zip = res / "_archives/alpha.zip", res / "dramas_completos.zip"
    delivered, batch_bytes = archive.read_bytes(), batch_zip.read_bytes()
    # as the summary names them: relative to the working directory, like the config's outdir
    archive_name, batch_name = "results/_archives/alpha.zip", "results/dramas_completos.zip"

    check, limits = _tightened(json.loads((res / "alpha/qc.json").read_text()))
    edit = wd / "tight.yaml"
    edit.write_text(yaml.safe_dump({"qc": {check: limits}}))
    proc = snakemake(wd, "--cores", "2", "--configfiles", str(wd / "config.yaml"), str(edit))
    assert proc.returncode != 0, "the tightened check must fail the drama"

    assert archive.read_bytes() == delivered
    assert batch_zip.read_bytes() == batch_bytes
    summary = json.loads((res / "run_summary.json").read_text())
    alpha = summary["dramas"][0]
    assert alpha["status"] == "failed" and alpha["stage"] == "qc", alpha
    assert check in alpha["cause"]
    kept = alpha["delivered"]
    assert kept["archive"] == archive_name and kept["earlier_run"] is True
    assert check in kept["why"]
    # the failed finish job's outputs were removed (by Snakemake, before it ran): named, and
    # still in the kept archive
    assert kept["only_in_archive"] == ["alpha/report.html", "alpha/shorts/index.json"]
    # the batch zip of the last good run is named as such, never as this run's batch
    assert summary["archive"] is None
    assert summary["stale_archive"]["path"] == batch_name
    assert "alpha" in summary["stale_archive"]["why"]
    console = proc.stderr
    assert f"KEPT  alpha: {archive_name} is from an earlier run" in console
    assert f"batch archive: {batch_name}" not in console
    assert f"{batch_name} is from an earlier run" in console

    # the threshold back: the drama is re-judged, delivered again, and the batch zip is current
    proc = snakemake(wd, "--cores", "2")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    summary = json.loads((res / "run_summary.json").read_text())
    assert summary["dramas"][0]["status"] == "finished"
    assert "delivered" not in summary["dramas"][0]
    assert summary["archive"] == batch_name and "stale_archive" not in summary
    assert not list(res.glob("alpha/*.zip")), "the staged archive is temporary"


@pytest.mark.slow
def test_a_failed_re_render_keeps_the_delivered_videos_byte_for_byte(finished):
    import opentimelineio as otio

    wd = finished
    res = wd / "results"
    kept = [res / "alpha/long.mp4", res / "alpha/long.otio", res / "_archives/alpha.zip"]
    before = [p.read_bytes() for p in kept]
    # an edited timeline whose clip has no media file: the long video's re-render fails
    bad = otio.adapters.read_from_file(str(res / "alpha/long.otio"))
    bad.video_tracks()[0][0].media_reference = otio.schema.ExternalReference("gone.mp4")
    edit = wd / "config/timelines/alpha/long.otio"  # config.yaml's timelines_dir
    edit.parent.mkdir(parents=True, exist_ok=True)
    otio.adapters.write_to_file(bad, str(edit))
    proc = snakemake(wd, "--cores", "2")
    assert proc.returncode != 0
    assert [p.read_bytes() for p in kept] == before
    alpha = json.loads((res / "run_summary.json").read_text())["dramas"][0]
    assert alpha["status"] == "failed" and "long.otio" in alpha["cause"], alpha
    assert alpha["cause"] in alpha["delivered"]["why"]
    assert "alpha/long.mp4" not in alpha["delivered"].get("only_in_archive", [])
    # the video put back is the last delivered one, not this run's: without the edit, the next
    # run renders it again (Snakemake keeps the failed job's outputs marked incomplete)
    edit.unlink()
    plan = snakemake(wd, "-n", "--cores", "1")
    assert plan.returncode == 0 and "rule render_long:" in plan.stdout, plan.stdout[-2000:]


def _archive(path, content: bytes, mtime: float):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    os.utime(path, (mtime, mtime))


def test_the_summary_names_what_an_earlier_run_delivered(tmp_path):
    """Unit: from the files alone (no workflow), an archive older than its drama's failure is
    an earlier run's, and a batch zip older than a drama's archive is not this batch."""
    out, archives = tmp_path / "results", tmp_path / "results/_archives"
    (out / "old").mkdir(parents=True)
    (out / "old/long.otio").write_text("{}")
    archives.mkdir()
    with zipfile.ZipFile(archives / "old.zip", "w") as zf:
        for name in ("old/long.mp4", "old/long.otio", "manifest.json"):
            zf.writestr(name, b"x")
    os.utime(archives / "old.zip", (1_000_000, 1_000_000))
    _archive(archives / "new.zip", b"PK new", 1_000_200)
    _archive(out / "batch.zip", b"PK batch", 1_000_100)  # before new.zip was delivered
    log = out / "logs/old/render_long.log"
    log.parent.mkdir(parents=True)
    log.write_text("ERROR FAILED drama 'old', stage render_long: ffmpeg said no\n")
    summary = summarise(out, ["old", "new"], out / "batch.zip", archives)
    old, new = summary["dramas"]
    assert old["status"] == "failed" and new["status"] == "finished" and "delivered" not in new
    assert old["delivered"]["archive"] == str(archives / "old.zip")
    assert old["delivered"]["why"] == "not replaced: render_long failed: ffmpeg said no"
    assert old["delivered"]["only_in_archive"] == ["old/long.mp4"]
    assert summary["archive"] is None
    assert "old did not finish" in summary["stale_archive"]["why"]
    assert "new were delivered again" in summary["stale_archive"]["why"]
    text = format_summary(summary)
    assert f"KEPT  old: {archives / 'old.zip'} is from an earlier run" in text
    assert text.count("only there now: long.mp4") == 1
    assert "batch archive not written" not in text
    # a drama with no earlier archive has nothing kept; no batch zip: none named
    (out / "batch.zip").unlink()
    (archives / "old.zip").unlink()
    summary = summarise(out, ["old", "new"], out / "batch.zip", archives)
    assert "delivered" not in summary["dramas"][0] and "stale_archive" not in summary
    assert summary["archive"] is None


def test_delivering_replaces_the_archive_in_one_rename_without_a_copy(tmp_path):
    staged, delivered = tmp_path / "alpha/archive.zip", tmp_path / "_archives/alpha.zip"
    _archive(staged, b"PK new", 1_000_000)
    _archive(delivered, b"PK old", 900_000)
    deliver(staged, delivered)
    assert delivered.read_bytes() == b"PK new"
    assert os.path.samefile(staged, delivered), "a hard link: no second copy on disk"
    assert sorted(p.name for p in delivered.parent.iterdir()) == ["alpha.zip"]
