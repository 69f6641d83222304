"""Archives at batch scale: one per drama, a merged batch zip, ZIP64, archives-only mode, and the
disk estimate before a run (issue 17)."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from dramabatch.archive.package import make_zip, merge_archives, verify_archive
from dramabatch.workflow.batch.diskplan import estimate_disk
from dramabatch.workflow.batch.manifest import Drama
from dramabatch_testkit.runner import TINY_CONFIG, snakemake, write_manifest

ZIP64_EOCD = b"PK\x06\x06"  # the ZIP64 end-of-central-directory record's signature


def _unzip_test(path: Path) -> None:
    """An independent reader (Info-ZIP) checks every member's CRC, where it is installed."""
    if shutil.which("unzip"):
        proc = subprocess.run(["unzip", "-tqq", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def _drama_files(root: Path, drama: str, n: int, size: int = 64) -> list[Path]:
    """``n`` small JSON files, each its own content. Written through os.open and plain strings:
    the ZIP64 test writes 66,000 of them, where pathlib's and open()'s per-file overhead was a
    third of its time."""
    folder = root / drama
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        name = os.path.join(folder, f"part_{i:05d}.json")
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, json.dumps({"drama": drama, "i": i, "pad": "ñ" * size}).encode())
        finally:
            os.close(fd)
        files.append(Path(name))
    return files


def test_batch_zip_holds_every_drama_archive_and_verifies(tmp_path):
    root = tmp_path / "results"
    archives = []
    for drama in ("alpha", "beta"):
        make_zip(_drama_files(root, drama, 3), root, root / "_archives" / f"{drama}.zip")
        archives.append(root / "_archives" / f"{drama}.zip")
        assert verify_archive(archives[-1]) == []
    merged = merge_archives(archives, root / "batch.zip")
    assert merged["count"] == 6
    assert verify_archive(root / "batch.zip") == []
    with zipfile.ZipFile(root / "batch.zip") as zf:
        assert {n.split("/")[0] for n in zf.namelist()} == {"alpha", "beta", "manifest.json"}
    _unzip_test(root / "batch.zip")


def test_a_damaged_member_fails_verification(tmp_path):
    root = tmp_path / "results"
    make_zip(_drama_files(root, "alpha", 2), root, tmp_path / "a.zip")
    data = bytearray((tmp_path / "a.zip").read_bytes())
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        info = zf.getinfo("alpha/part_00000.json")
    # flip one byte of the first member's (deflated) data, just after its local header
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 2] ^= 0xFF
    (tmp_path / "bad.zip").write_bytes(bytes(data))
    with pytest.raises(zipfile.BadZipFile):  # the CRC check catches it on reading
        verify_archive(tmp_path / "bad.zip")


@pytest.mark.slow
def test_more_than_65535_entries_use_zip64(tmp_path):
    """For real: 66,000 members (the count field of a plain zip holds 65,535 at most)."""
    root = tmp_path / "results"
    make_zip(_drama_files(root, "many", 66_000, size=1), root, tmp_path / "many.zip")
    raw = (tmp_path / "many.zip").read_bytes()
    assert ZIP64_EOCD in raw[-200:]
    assert verify_archive(tmp_path / "many.zip") == []
    _unzip_test(tmp_path / "many.zip")


def test_members_past_4_gb_use_zip64_without_writing_gigabytes(tmp_path, monkeypatch):
    """zipfile switches to ZIP64 records past ZIP64_LIMIT (4 GB); lowering the limit to 1 KB
    runs the very same code paths (64-bit sizes and offsets in extra fields, the ZIP64 end
    record) on small files. Read back with the normal limit, and by unzip."""
    limit = 100  # bytes: every member, and the central directory's offset, are past it
    root = tmp_path / "results"
    for drama in ("alpha", "beta"):
        _drama_files(root, drama, 3, size=2000)  # each member ~4 KB before deflating
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", limit)
    for drama in ("alpha", "beta"):
        make_zip(sorted((root / drama).iterdir()), root, root / f"{drama}.zip")
    merge_archives([root / "alpha.zip", root / "beta.zip"], root / "batch.zip")
    monkeypatch.undo()
    for name in ("alpha.zip", "batch.zip"):
        raw = (root / name).read_bytes()
        assert ZIP64_EOCD in raw, name
        with zipfile.ZipFile(root / name) as zf:
            info = zf.infolist()[0]
            # the ZIP64 extended-information extra field (header id 0x0001) carries the sizes
            assert struct.unpack("<H", info.extra[:2])[0] == 1, name
        assert verify_archive(root / name) == []
        _unzip_test(root / name)


def test_disk_estimate_counts_only_what_is_still_to_write(tmp_path):
    src = tmp_path / "src.mp4"
    src.write_bytes(b"\0" * (1 << 20))
    done = tmp_path / "results" / "_archives"
    done.mkdir(parents=True)
    (done / "old.zip").write_bytes(b"x")
    dramas = [Drama(id="old", source=str(src)), Drama(id="new", source=str(src)),
              Drama(id="web", source="https://example.org/x.mp4")]
    cfg = {"output_ratio": 2.0, "url_source_mb": 3, "check": "warn"}
    est = estimate_disk(dramas, str(tmp_path / "results"), str(done), cfg,
                        keep_outputs=True, batch_zip=False)
    mb = 1 << 20
    # new: hard-linked (same filesystem) + 2.0 x 1 MB x 2 copies; web: 3 MB + 2.0 x 3 MB x 2
    assert (est.pending, est.need) == (2, 4 * mb + 3 * mb + 12 * mb)
    only = estimate_disk(dramas, str(tmp_path / "results"), str(done), cfg,
                         keep_outputs=False, batch_zip=True)
    assert only.need == est.need  # one copy fewer, one batch zip more


# ------------------------------------------------------------------ the workflow
ARCHIVE_CONFIG = TINY_CONFIG + "archive:\n  batch_max_dramas: {batch}\n"


#: Dramas in the batch whose one edited script (d3's) must rewrite one archive: three others an
#: edit must leave alone prove the point as well as nine, without ten dramas' jobs (~10 s each).
DRAMAS = 4


@pytest.fixture(scope="module")
def dramas(tmp_path_factory, brief_videos) -> Path:
    """A few one-sentence dramas at tiny settings, no batch zip (archive.batch_max_dramas: 0)."""
    wd = tmp_path_factory.mktemp("batch")
    rows = [(f"d{i}", str(brief_videos[i % 2])) for i in range(DRAMAS)]
    manifest = write_manifest(wd / "manifest.tsv", rows)
    (wd / "config.yaml").write_text(ARCHIVE_CONFIG.format(manifest=manifest, batch=0))
    proc = snakemake(wd, "--cores", "2", timeout=1500)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return wd


def _archive_state(wd: Path) -> dict[str, tuple[int, int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size)
            for p in sorted((wd / "results/_archives").glob("*.zip"))}


@pytest.mark.slow
def test_editing_one_script_rewrites_one_archive(dramas):
    wd = dramas
    before = _archive_state(wd)
    assert len(before) == DRAMAS and not (wd / "results/dramas_completos.zip").exists()
    for name in before:
        assert verify_archive(wd / "results/_archives" / name) == [], name
    (wd / "scripts").mkdir(exist_ok=True)
    (wd / "scripts/d3.txt").write_text("Una línea nueva. ¿Y ahora? ¡Ya está!", encoding="utf-8")
    proc = snakemake(wd, "--cores", "2", timeout=900)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    after = _archive_state(wd)
    changed = sorted(n for n in before if before[n] != after[n])
    assert changed == ["d3.zip"], changed
    written = sum(after[n][2] for n in changed)
    total = sum(s for _, _, s in after.values())
    print(f"\narchive bytes written for one edited drama: {written} of {total} "
          f"({100 * written / total:.0f}%)")
    assert verify_archive(wd / "results/_archives/d3.zip") == []
    with zipfile.ZipFile(wd / "results/_archives/d3.zip") as zf:
        script = json.loads(zf.read("d3/script.json"))
    assert "¿Y ahora?" in " ".join(s["text"] for s in script["segments"])
    summary = json.loads((wd / "results/run_summary.json").read_text())
    assert summary["finished"] == DRAMAS and all(d["disk_mb"] > 0 for d in summary["dramas"])


def test_archives_only_keeps_no_second_copy_and_refetches_when_needed(tmp_path, brief_videos):
    config = TINY_CONFIG + "archive:\n  keep_outputs: false\n  keep_sources: false\n"
    manifest = write_manifest(tmp_path / "manifest.tsv", [("solo", str(brief_videos[0]))])
    (tmp_path / "config.yaml").write_text(config.format(manifest=manifest))
    proc = snakemake(tmp_path, "--cores", "2")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    res = tmp_path / "results"
    left = {p.name for p in (res / "solo").rglob("*.mp4")} | {
        p.name for p in (res / "solo").glob("source.media")}
    assert left == set(), f"a second copy was kept: {left}"
    archive = res / "_archives/solo.zip"
    assert verify_archive(archive) == []
    with zipfile.ZipFile(archive) as zf:
        assert "solo/long.mp4" in zf.namelist() and "solo/shorts/short_01.mp4" in zf.namelist()
    rerun = snakemake(tmp_path, "-n", "--cores", "2")
    assert "Nothing to be done" in rerun.stdout + rerun.stderr, rerun.stdout[-2000:]
    # A change that needs the dropped source fetches it again, and the summary says so.
    (tmp_path / "edit.yaml").write_text("transcribe: {beam_size: 2}\n")
    again = snakemake(tmp_path, "--cores", "2", "--configfiles", str(tmp_path / "config.yaml"),
                      str(tmp_path / "edit.yaml"))
    assert again.returncode == 0, (again.stdout + again.stderr)[-3000:]
    summary = json.loads((res / "run_summary.json").read_text())
    assert summary["dramas"][0].get("refetched") is True
    assert "SOURCE FETCHED AGAIN" in again.stderr
    assert not (res / "solo/source.media").exists()


def test_a_batch_that_cannot_fit_is_refused_before_any_job(tiny_disk, tmp_path, speech_video):
    manifest = write_manifest(tmp_path / "manifest.tsv", [("big", str(speech_video))])
    config = TINY_CONFIG.replace("outdir: results", f"outdir: {tiny_disk / 'results'}")
    # outputs of 20x the source: a few MB for this ~0.1 MB source, on a 512 KB disk
    config += "disk:\n  check: refuse\n  output_ratio: 20\n"
    (tmp_path / "config.yaml").write_text(config.format(manifest=manifest))
    proc = snakemake(tmp_path, "--cores", "1")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-2000:]
    assert "refusing to start" in out and "does NOT fit" in out and "GB free" in out, out[-2000:]
    assert not (tiny_disk / "results" / "big").exists(), "a job ran before the refusal"
    # warn (the default) names the same numbers and goes on
    (tmp_path / "warn.yaml").write_text("disk: {check: warn}\n")
    warn = snakemake(tmp_path, "--cores", "1", "--until", "fetch_source", "--configfiles",
                     str(tmp_path / "config.yaml"), str(tmp_path / "warn.yaml"))
    assert "WARNING: disk:" in warn.stdout + warn.stderr
