"""The fault suite: a batch mixing good dramas with bad inputs, through the real workflow CLI.

Each bad drama must fail alone, with its cause named in run_summary.json; each good one must be
complete and valid. Causes are matched as the words a user reads, not as exception types.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from dramabatch.base.media import decode_check, probe, run_ffmpeg
from dramabatch_testkit.runner import TINY_CONFIG, snakemake, write_manifest

pytestmark = pytest.mark.slow


def music_video(path: Path) -> Path:
    """A video whose audio is a chord progression: sound, but no speech."""
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=160x90:r=15:d=6", "-f", "lavfi", "-i",
                "aevalsrc=0.2*sin(2*PI*220*t)+0.2*sin(2*PI*277*t)+0.2*sin(2*PI*330*t)"
                "*(0.6+0.4*sin(2*PI*0.5*t)):s=16000:d=6", "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-f", "mp4", str(path)],
               what="music video")
    return path


SPANISH = ("¿Quién llamó a la puerta a las 3:30? «Nadie», dijo Begoña… ¡Qué susto! "
           "El niño comió piñones, “como siempre”, y sonrió 😀. Después, silencio.")


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory, speech_video, brief_videos, silent_video):
    """The good dramas say one sentence each (``brief_videos``): what they say is not tested."""
    import threading

    from dramabatch_testkit.loopback import LoopbackServer

    wd = tmp_path_factory.mktemp("faults")
    media = wd / "media"
    media.mkdir()
    truncated = media / "truncated.mp4"
    truncated.write_bytes(speech_video.read_bytes()[: speech_video.stat().st_size // 3])
    text = media / "notes.mp4"
    text.write_text("This is a text file, not a video.\n" * 20)
    music = music_video(media / "music.mp4")
    spanish = media / "spanish.mp4"
    shutil.copyfile(brief_videos[1], spanish)

    server = LoopbackServer()

    def hang(handler):
        time.sleep(20)

    server.routes["/hang.mp4"] = hang
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rows = [
        ("good1", str(brief_videos[0])),
        ("noaudio", str(silent_video)),
        ("truncated", str(truncated)),
        ("textfile", str(text)),
        ("music", str(music)),
        ("url404", f"{server.url}/missing.mp4"),
        ("hangs", f"{server.url}/hang.mp4"),
        ("espanol", str(spanish)),
        ("good2", str(brief_videos[1])),
    ]
    manifest = write_manifest(wd / "manifest.tsv", rows)
    (wd / "scripts").mkdir()
    (wd / "scripts" / "espanol.txt").write_text(SPANISH, encoding="utf-8")
    config = TINY_CONFIG.format(manifest=manifest) + (
        # one retry, at once: the hanging host's cause is the same, minus 15 s of backoff
        "download: {connect_timeout_s: 2, read_timeout_s: 1, retries: 1, backoff_s: 0.1}\n")
    (wd / "config.yaml").write_text(config)
    proc = snakemake(wd, "--cores", "2", timeout=900)
    server.shutdown()
    return wd, proc


EXPECTED_FAILURES = {
    "noaudio": ("extract_audio", "no audio stream in source"),
    "truncated": ("fetch_source", "not a usable video"),
    "textfile": ("fetch_source", "not a usable video"),
    "music": ("transcribe", "no speech found"),
    "url404": ("fetch_source", "HTTP 404"),
    "hangs": ("fetch_source", "timed out"),
}


def test_each_bad_drama_fails_alone_with_its_cause(fault_run):
    wd, proc = fault_run
    assert proc.returncode != 0, "a batch with failures must exit non-zero"
    summary = json.loads((wd / "results/run_summary.json").read_text())
    status = {d["id"]: d for d in summary["dramas"]}
    for drama_id, (stage, cause) in EXPECTED_FAILURES.items():
        d = status[drama_id]
        assert d["status"] == "failed", d
        assert d["stage"] == stage and cause in d["cause"], d
    assert {d for d, s in status.items() if s["status"] == "finished"} == {
        "good1", "good2", "espanol"}
    printed = proc.stdout + proc.stderr
    assert "6 failed" in printed and "FAILED  music  at transcribe: no speech found" in printed
    assert summary["archive"] is None and not (wd / "results/dramas_completos.zip").exists()


def test_good_dramas_are_complete_and_valid(fault_run):
    wd, _ = fault_run
    for drama_id in ("good1", "good2", "espanol"):
        base = wd / "results" / drama_id
        timeline = json.loads((base / "narration.json").read_text())
        decoded = decode_check(base / "long.mp4")
        assert abs(decoded["video"] - decoded["audio"]) < 0.12
        assert abs(probe(base / "long.mp4").duration - timeline["duration"]) < 0.1
        for plan in json.loads((base / "shorts/plan.json").read_text())["shorts"]:
            assert probe(base / "shorts" / f"short_{plan['number']:02d}.mp4").has_audio


def test_unicode_spanish_script_survives_every_file(fault_run):
    wd, _ = fault_run
    base = wd / "results/espanol"
    srt = (base / "espanol.srt").read_text(encoding="utf-8")
    for fragment in ("¿Quién llamó", "Begoña", "¡Qué susto!", "piñones", "“como siempre”", "😀"):
        assert fragment in srt, fragment
    assert json.loads((base / "script.json").read_text())["origin"] == "override"


def test_no_partial_file_left_under_a_final_name(fault_run):
    wd, _ = fault_run
    leftovers = [p for p in (wd / "results").rglob("*") if ".part-" in p.name]
    assert leftovers == []
    for drama_id in EXPECTED_FAILURES:
        assert not (wd / "results" / drama_id / "long.mp4").exists()


def test_failed_dramas_are_listed_and_skip_lets_the_archive_finish(fault_run):
    wd, _ = fault_run
    failed = ",".join(f"'{d}'" for d in EXPECTED_FAILURES)
    proc = snakemake(wd, "--cores", "2", "--config", f"skip=[{failed}]")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    summary = json.loads((wd / "results/run_summary.json").read_text())
    assert summary["finished"] == 3 and summary["failed"] == 0
    import zipfile

    with zipfile.ZipFile(wd / "results/dramas_completos.zip") as zf:
        tops = {n.split("/")[0] for n in zf.namelist() if "/" in n}
    assert tops == {"good1", "good2", "espanol"}
    # finished work was not redone: only the package job ran
    assert "rule transcribe" not in proc.stdout + proc.stderr


def test_an_unexpected_error_reaches_the_summary_with_its_message(tmp_path):
    """A bug (not a DramaError) still names its drama, stage, type and message in one line."""
    from types import SimpleNamespace

    from dramabatch.workflow.batch.summary import _latest_failure
    from dramabatch.workflow.smk.job import run_step

    log = tmp_path / "logs" / "d1" / "narrate.log"
    log.parent.mkdir(parents=True)
    job = SimpleNamespace(log=[str(log)], wildcards={"id": "d1"})
    with pytest.raises(KeyError):
        run_step(job, "narrate", lambda: {}["segments"])
    failure = _latest_failure(log.parent)
    assert (failure["stage"], failure["cause"]) == ("narrate", "unexpected KeyError: 'segments'")
