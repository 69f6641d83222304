"""The issue's refused good dramas, through the real workflow at 160x90, narrated over their own
picture (background step ``source``): one over real footage (the demo's Big Buck Bunny) that
opens with a second of black and a fade in, one whose source is a single still picture under a
voice. Both finish, and their qc.json shows the opening's black and the poster's stillness were
measured, and why neither counts."""

import json

import pytest
from conftest import TINY_CONFIG, snakemake, write_manifest

from dramabatch.base.errors import DramaError
from dramabatch.base.media import run_ffmpeg
from dramabatch.demo.assets import fetch_all

pytestmark = pytest.mark.slow


def source(picture, voice, out, chain: str, loop: bool = True):
    """A source: ``picture``'s video (looped) under ``voice``'s sound, changed by ``chain``."""
    run_ffmpeg([*(["-stream_loop", "-1"] if loop else ["-loop", "1"]), "-i", str(picture),
                "-i", str(voice), "-map", "0:v:0", "-map", "1:a:0", "-shortest",
                "-vf", f"scale=160:90,setsar=1,fps=15,{chain}", "-c:v", "libx264",
                "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(out)],
               what="test source")
    return out


@pytest.fixture(scope="module")
def batch(tmp_path_factory, speech_video, speech_video_b):
    try:
        clips = fetch_all(["bunny", "face"])
    except DramaError as exc:
        pytest.skip(f"the demo's clips cannot be fetched here: {exc}")
    wd = tmp_path_factory.mktemp("qcgate")
    poster = wd / "poster.png"
    run_ffmpeg(["-ss", "3", "-i", str(clips["face"]), "-frames:v", "1", str(poster)],
               what="poster")
    rows = [("opening", str(source(clips["bunny"], speech_video, wd / "opening.mp4",
                                   "fade=t=in:st=1:d=1"))),
            ("poster", str(source(poster, speech_video_b, wd / "poster.mp4", "null", False)))]
    manifest = write_manifest(wd / "manifest.tsv", rows)
    (wd / "config.yaml").write_text(TINY_CONFIG.format(manifest=manifest).replace(
        "order: [generated]", "order: [source]"))
    proc = snakemake(wd, "--cores", "2")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return wd / "results"


def test_a_film_opening_from_black_and_a_poster_under_a_voice_both_finish(batch):
    summary = json.loads((batch / "run_summary.json").read_text())
    assert summary["finished"] == 2, summary
    for drama in ("opening", "poster"):
        assert (batch / "_archives" / f"{drama}.zip").exists()
        qc = json.loads((batch / drama / "qc.json").read_text())
        assert qc["verdict"] != "fail", qc["failed"]
        assert json.loads((batch / drama / "background/landscape.json").read_text())[
            "step"] == "source"
    opening = json.loads((batch / "opening/qc.json").read_text())["videos"]["long.mp4"]
    # the first second is black in the picture, and it is the film's own opening
    assert opening["black"] and opening["black"][0][0] == 0 and opening["black"][0][1] > 0.9
    assert opening["checks"]["black_share"]["value"] == 0
    assert opening["source_excused"]["black"][0][0] == 0
    poster = json.loads((batch / "poster/qc.json").read_text())["videos"]
    for name, record in poster.items():
        # stands still (a short: once its title card is gone), as its source: nothing counts
        assert sum(e - s for s, e in record["frozen"]) > 0.5 * record["duration"], name
        assert record["checks"]["frozen_share"]["value"] == 0, name
        assert record["source_excused"]["frozen"], name
