"""Timelines through the real CLI: a ``scenes`` drama's long video and shorts each come with an
``.otio`` that matches them frame by frame, and an edited timeline put back reruns that video
alone and renders the edit's cuts.

The source is real speech (Piper) over a time-coded picture (test_timelines.coded_video), so
every frame of every rendered video says which source moment it shows.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
from test_timelines import FPS, SRC_FPS, assert_frames_match, coded_video
from test_workflow import planned_jobs

from dramabatch.base.audio import write_wav_mono
from dramabatch.base.media import run_ffmpeg
from dramabatch_testkit.runner import TINY_CONFIG, snakemake, write_manifest

#: Four sentences, said with pauses between them: four shots to remove, trim and reorder.
STORY = ["Who opened the door?", "Nobody was there!", "She ran back inside the house.",
         "Then she locked it."]
CONFIG = TINY_CONFIG.replace("  order: [generated]\n", "  order: [scenes]\n") + """\
timelines_dir: timelines
scenes:
  subtitle_band: none
# The time-coded test picture is a black frame with digits that change every frame: the
# finished-video checks would read it as black and its captions as lost in the motion. What
# this test checks is the timelines, frame by frame; the checks have their own tests (test_qc).
qc:
  black_share: {{warn: null, fail: null}}
  black_longest_s: {{warn: null, fail: null}}
  frozen_share: {{warn: null, fail: null}}
  caption_offset_median_s: {{warn: null, fail: null}}
"""


@pytest.fixture(scope="module")
def batch(tmp_path_factory, piper, speech_video_b) -> Path:
    wd = tmp_path_factory.mktemp("otio_wf")
    parts = []
    for sentence in STORY:
        samples, rate = piper.synthesize(sentence)
        parts += [samples, np.zeros(int(0.8 * rate), samples.dtype)]
    samples = np.concatenate(parts)
    write_wav_mono(wd / "story.wav", samples, rate)
    picture = coded_video(wd / "picture.mp4", 0, len(samples) / rate + 0.3)
    source = wd / "coded.mp4"
    run_ffmpeg(["-i", str(picture), "-i", str(wd / "story.wav"), "-c:v", "copy", "-c:a", "aac",
                "-shortest", "-f", "mp4", str(source)], what="coded source")
    manifest = write_manifest(wd / "manifest.tsv", [("alpha", str(source)),
                                                    ("beta", str(speech_video_b))])
    (wd / "config.yaml").write_text(CONFIG.format(manifest=manifest))
    proc = snakemake(wd, "--cores", "2")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return wd


def cut_frames(otio_path: Path) -> list[int]:
    """Record frames where the footage track's clips start."""
    timeline = otio.adapters.read_from_file(str(otio_path))
    return [round(c.range_in_parent().start_time.to_seconds() * FPS)
            for c in timeline.video_tracks()[0].find_clips()]


@pytest.mark.slow
def test_every_video_has_a_timeline_that_matches_it_to_the_frame(batch):
    res = batch / "results" / "alpha"
    assert assert_frames_match(res / "long.mp4", res / "long.otio") >= 2
    # the cut points are the plan's sentence windows (held frames aside): on the window's
    # frame, or up to one source frame later (the first source frame of the stretch)
    plan = json.loads((res / "background" / "landscape.json").read_text())
    timeline = otio.adapters.read_from_file(str(res / "long.otio"))
    moving = [round(c.range_in_parent().start_time.to_seconds() * FPS)
              for c in timeline.video_tracks()[0].find_clips()
              if not any(isinstance(e, otio.schema.FreezeFrame) for e in c.effects)]
    assert len(moving) == len(plan["spans"]) == len(STORY)
    for cut, span in zip(moving, plan["spans"], strict=True):
        assert -0.5 <= cut - span["start"] * FPS <= 0.5 + FPS / SRC_FPS / span["speed"]
    assert timeline.metadata["dramabatch"]["video"] == "long"
    assert [t.name for t in timeline.audio_tracks()] == ["Narration"]
    assert len(timeline.tracks.markers) >= 1  # the captions
    shorts = json.loads((res / "shorts" / "plan.json").read_text())["shorts"]
    for n in range(1, len(shorts) + 1):
        short = res / "shorts" / f"short_{n:02d}"
        assert_frames_match(short.with_suffix(".mp4"), short.with_suffix(".otio"),
                            size=(90, 160))
        title = otio.adapters.read_from_file(str(short.with_suffix(".otio"))).video_tracks()[1]
        assert title.name == "Title" and title.find_clips()[0].name == "Title alpha"
    with zipfile.ZipFile(batch / "results" / "_archives" / "alpha.zip") as zf:
        assert {"alpha/long.otio", "alpha/shorts/short_01.otio"} <= set(zf.namelist())
    # the results folder moved elsewhere still opens: the media paths are relative
    moved = batch.parent / f"{batch.name}_moved"
    shutil.copytree(batch / "results", moved, symlinks=True)
    assert_frames_match(moved / "alpha" / "long.mp4", moved / "alpha" / "long.otio")


def edit_timeline(src: Path, dst: Path) -> list[int]:
    """Remove the second clip, trim the first by 3 frames, swap the last two, and append a
    shot of the source's start as long as what went; return the edit's cut frames."""
    timeline = otio.adapters.read_from_file(str(src))
    track = timeline.video_tracks()[0]
    assert len(track) >= 4, "a drama of at least three sentences"
    lost = track[1].duration() + otio.opentime.RationalTime(3, FPS)
    source_ref = track[1].media_reference.clone()
    del track[1]
    first = track[0]
    first.source_range = otio.opentime.TimeRange(
        first.source_range.start_time,
        first.source_range.duration - otio.opentime.RationalTime(3, FPS))
    a, b = track[-2].deepcopy(), track[-1].deepcopy()
    del track[-1]
    del track[-1]
    track.extend([b, a])
    track.append(otio.schema.Clip(name="inserted", media_reference=source_ref,
                                  source_range=otio.opentime.TimeRange(
                                      otio.opentime.RationalTime(0, FPS), lost)))
    dst.parent.mkdir(parents=True, exist_ok=True)
    otio.adapters.write_to_file(timeline, str(dst))
    return [round(c.range_in_parent().start_time.to_seconds() * FPS)
            for c in track.find_clips()]


@pytest.mark.slow
def test_an_edited_timeline_reruns_only_its_video_and_renders_the_edit(batch):
    res = batch / "results" / "alpha"
    shorts = sorted((res / "shorts").glob("short_*.mp4"))
    mtimes = {s: s.stat().st_mtime for s in shorts}
    edited_cuts = edit_timeline(res / "long.otio", batch / "timelines" / "alpha" / "long.otio")
    # a short's own: its first and last shots swapped (media found where it was exported)
    short_edit = otio.adapters.read_from_file(str(res / "shorts" / "short_01.otio"))
    footage = short_edit.video_tracks()[0]
    assert len(footage) >= 2
    first, last = footage[0].deepcopy(), footage[-1].deepcopy()
    footage[0], footage[-1] = last, first
    otio.adapters.write_to_file(short_edit, str(batch / "timelines" / "alpha" / "short_01.otio"))
    short_cuts = [round(c.range_in_parent().start_time.to_seconds() * FPS)
                  for c in footage.find_clips()]
    # a timeline naming a file that is not there fails its drama alone
    bad = otio.adapters.read_from_file(str(res.parent / "beta" / "long.otio"))
    bad.video_tracks()[0][0].media_reference.target_url = "gone.mp4"
    (batch / "timelines" / "beta").mkdir()
    otio.adapters.write_to_file(bad, str(batch / "timelines" / "beta" / "long.otio"))

    proc = snakemake(batch, "-n", "--cores", "1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    # the edited videos, their dramas' checks and archives, the batch zip: nothing before them
    assert planned_jobs(proc.stdout) == {"render_long": 2, "render_short": 1, "qc": 2,
                                         "finish": 2, "deliver": 2, "package": 1,
                                         "all": 1}

    proc = snakemake(batch, "--cores", "2")
    assert proc.returncode != 0  # beta failed, and said why
    log = (batch / "results" / "logs" / "beta" / "render_long.log").read_text()
    assert "timeline long.otio clip" in log and "names a missing file: gone.mp4" in log
    # alpha rendered the edit: its new timeline has the edited cuts, and its video matches it
    assert cut_frames(res / "long.otio") == edited_cuts
    assert assert_frames_match(res / "long.mp4", res / "long.otio") == len(edited_cuts)
    plan = json.loads((res / "background" / "landscape.json").read_text())
    assert plan["step"] == "timeline" and len(plan["cuts"]) == len(edited_cuts)
    # short 01 rendered its edit; the other shorts were not touched
    assert cut_frames(res / "shorts" / "short_01.otio") == short_cuts
    assert_frames_match(res / "shorts" / "short_01.mp4", res / "shorts" / "short_01.otio",
                        size=(90, 160))
    assert all(s.stat().st_mtime == mtimes[s] for s in shorts[1:])
    assert shorts[0].stat().st_mtime > mtimes[shorts[0]]
    assert (batch / "results" / "_archives" / "alpha.zip").stat().st_mtime > mtimes[shorts[0]]
