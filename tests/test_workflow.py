"""The real workflow through the Snakemake CLI on a tiny two-drama batch."""

import json
import re
import zipfile

import pytest

from dramabatch.base.media import decode_check, probe
from dramabatch_testkit.media import SENTENCE_A
from dramabatch_testkit.runner import copy_batch, prepare_batch, snakemake, write_manifest
from dramabatch_testkit.textmetrics import wer

DRAMA_FILES = ["transcript.json", "script.json", "narration.mp3", "narration.json", "long.mp4",
               "shorts/plan.json"]


def planned_jobs(dry_run_stdout: str) -> dict[str, int]:
    """Parse Snakemake's 'Job stats' table into {rule: count}."""
    table = dry_run_stdout.split("Job stats:")[1].split("total")[0]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M)}


@pytest.fixture(scope="module")
def finished_batch(tmp_path_factory, shared_batch):
    """This module's copy of the session's finished two-drama batch (its tests change it)."""
    return copy_batch(shared_batch, tmp_path_factory.mktemp("wf"))


def test_english_cues_are_readable(finished_batch):
    from dramabatch_testkit.cuecheck import cue_problems

    for drama in ("alpha", "beta"):
        res = finished_batch / "results" / drama
        timeline = json.loads((res / "narration.json").read_text(encoding="utf-8"))
        assert cue_problems(res / f"{drama}.srt", timeline) == []


def test_every_output_exists_and_decodes(finished_batch):
    res = finished_batch / "results"
    for drama in ("alpha", "beta"):
        for name in DRAMA_FILES + [f"{drama}.srt"]:
            assert (res / drama / name).stat().st_size > 0, name
        assert not list((res / drama).glob("*.wav")), "the WAV lives only inside the job"
        plan = json.loads((res / drama / "shorts/plan.json").read_text())["shorts"]
        assert plan, "demo-length narration should give at least one short"
        for p in plan:
            short = res / drama / "shorts" / f"short_{p['number']:02d}.mp4"
            info = probe(short)
            assert (info.width, info.height) == (90, 160)
            assert abs(info.duration - p["duration"]) < 0.1
        timeline = json.loads((res / drama / "narration.json").read_text())
        long_info = probe(res / drama / "long.mp4")
        assert (long_info.width, long_info.height) == (160, 90)
        assert abs(long_info.duration - timeline["duration"]) < 0.1
        decoded = decode_check(res / drama / "long.mp4")
        assert abs(decoded["video"] - decoded["audio"]) < 0.12
    transcript = json.loads((res / "alpha/transcript.json").read_text())
    assert wer(SENTENCE_A, " ".join(s["text"] for s in transcript["segments"])) <= 0.15
    with zipfile.ZipFile(res / "dramas_completos.zip") as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
    assert {"alpha/long.mp4", "beta/long.mp4", "alpha/alpha.srt", "manifest.json"} <= names
    assert {e["path"] for e in manifest["files"]} == names - {"manifest.json"}
    for rule in ("transcribe", "render_long", "fetch_source", "package"):
        logs = list((res / "logs").rglob(f"{rule}*.log"))
        assert logs, f"rule {rule} wrote no log"


def test_second_run_does_nothing(finished_batch):
    proc = snakemake(finished_batch, "--cores", "1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_another_batch_over_the_same_source_leaves_this_one_done(finished_batch, tmp_path,
                                                                 speech_video):
    """Fetching a local source must not touch the user's file: a hard link did (Snakemake
    touches every output), and the first batch then looked out of date."""
    before = speech_video.stat().st_mtime_ns
    # the fetch is what links or copies the source: the rest of that batch adds nothing here
    again = snakemake(prepare_batch(tmp_path, [("again", str(speech_video))]), "--cores", "2",
                      "--until", "fetch_source")
    assert again.returncode == 0, (again.stdout + again.stderr)[-2000:]
    assert (tmp_path / "results/again").exists(), again.stdout[-2000:]
    assert speech_video.stat().st_mtime_ns == before
    proc = snakemake(finished_batch, "-n", "--cores", "1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Nothing to be done" in proc.stdout + proc.stderr, proc.stdout[-2000:]


def test_plain_run_rebuilds_a_finished_dramas_deleted_output(finished_batch):
    """The default target names a finished drama's outputs (its finish job is up to date)."""
    srt = finished_batch / "results/alpha/alpha.srt"
    srt.unlink()
    dry = snakemake(finished_batch, "-n", "--cores", "1")
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert planned_jobs(dry.stdout).get("render_long") == 1, dry.stdout[-2000:]
    assert "id=beta" not in dry.stdout
    proc = snakemake(finished_batch, "--cores", "1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert srt.stat().st_size > 0


def test_editing_one_transcript_reruns_only_that_drama_downstream(finished_batch):
    # Snakemake compares checksums of small files, so a bare `touch` is (rightly) not a change;
    # an edit is. The script is written inside the narrate job, from the transcript.
    path = finished_batch / "results/alpha/transcript.json"
    original = path.read_text()
    transcript = json.loads(original)
    transcript["segments"][0]["text"] = "An edited first line."
    path.write_text(json.dumps(transcript))
    proc = snakemake(finished_batch, "-n", "--cores", "1")
    path.write_text(original)  # the same bytes again: the same checksum, nothing to redo
    assert proc.returncode == 0, proc.stderr[-2000:]
    jobs = planned_jobs(proc.stdout)
    assert jobs.get("narrate") == 1 and jobs.get("render_long") == 1 and jobs.get("package") == 1
    assert "transcribe" not in jobs and "fetch_source" not in jobs
    assert "id=beta" not in proc.stdout and "id=alpha" in proc.stdout


def test_script_override_file_is_a_tracked_input(finished_batch):
    (finished_batch / "scripts").mkdir(exist_ok=True)
    (finished_batch / "scripts/beta.txt").write_text("¿Y ahora qué? Nadie lo sabe.")
    proc = snakemake(finished_batch, "-n", "--cores", "1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    (finished_batch / "scripts/beta.txt").unlink()
    jobs = planned_jobs(proc.stdout)
    assert jobs.get("narrate") == 1 and "transcribe" not in jobs
    assert "id=alpha" not in proc.stdout


def test_dry_run_lists_the_plan_for_every_drama(tiny_batch):
    proc = snakemake(tiny_batch, "-n", "--cores", "1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    jobs = planned_jobs(proc.stdout)
    for rule in ("fetch_source", "transcribe", "narrate", "render_long", "plan_shorts",
                 "finish"):
        assert jobs[rule] == 2, rule
    # render_long makes the landscape footage plan; without Pexels the portrait one joins once
    # the shorts checkpoint has run
    assert "background" not in jobs and jobs["package"] == 1
    assert "rewrite" not in jobs, "the rewrite job exists only with rewrite.enabled"
    assert "checkpoint" in proc.stdout


@pytest.mark.parametrize("row,message", [
    (("../evil", "x.mp4"), "invalid drama id '../evil'"),
    (("ok", "ftp://host/x.mp4"), "source scheme 'ftp://' is not allowed"),
])
def test_manifest_errors_stop_before_any_job(tmp_path, row, message):
    from dramabatch_testkit.runner import TINY_CONFIG

    manifest = write_manifest(tmp_path / "manifest.tsv", [row])
    (tmp_path / "config.yaml").write_text(TINY_CONFIG.format(manifest=manifest))
    proc = snakemake(tmp_path, "--cores", "1")
    assert proc.returncode != 0
    assert message in proc.stderr and "line 2" in proc.stderr
    assert not (tmp_path / "results").exists()


def test_config_schema_errors_are_caught(tiny_batch):
    proc = snakemake(tiny_batch, "-n", "--config", "tts={'engine': 'nope'}")
    assert proc.returncode != 0 and "nope" in proc.stdout + proc.stderr


def test_missing_source_fails_alone(tmp_path, speech_video):
    from dramabatch_testkit.runner import TINY_CONFIG

    manifest = write_manifest(tmp_path / "manifest.tsv",
                              [("good", str(speech_video)), ("gone", str(tmp_path / "no.mp4"))])
    (tmp_path / "config.yaml").write_text(TINY_CONFIG.format(manifest=manifest))
    proc = snakemake(tmp_path, "--cores", "2", "--until", "render_long")
    assert proc.returncode != 0
    assert (tmp_path / "results/good/long.mp4").exists()
    log = (tmp_path / "results/logs/gone/fetch_source.log").read_text()
    assert "drama 'gone', stage fetch_source: source file not found" in log
