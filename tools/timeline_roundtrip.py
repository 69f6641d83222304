"""Check a finished batch's timelines against its videos, then round-trip one edit.

    .venv/bin/python tools/timeline_roundtrip.py WORKDIR DRAMA [--edit]

For every video of DRAMA: the .otio's footage cuts against the footage plan the render used
(the sentence windows of a ``scenes`` plan), its Final Cut Pro XML (when written) read back
through OpenTimelineIO, and the rendered video's scene changes (ffmpeg ``select='gt(scene,
0.3)'``, showinfo) against the timeline's cut points. With ``--edit``: remove the second clip,
trim the first by 5 frames, swap the last two, swap in a shot of an unrelated picture (so the
video's own scene changes show its cuts) as long as what went, put the result in
``<timelines_dir>/DRAMA/long.otio``, list what ``snakemake -n`` would run, run it, and compare
the new video's timeline and scene changes with the edit. Prints one JSON report.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import opentimelineio as otio
import yaml

from dramabatch.base.media import ffmpeg_exe, run_ffmpeg

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")


def cuts(path: Path) -> list[int]:
    """Frames where the footage track's clips start."""
    timeline = otio.adapters.read_from_file(str(path))
    return [c.range_in_parent().start_time.to_frames()
            for c in timeline.video_tracks()[0].find_clips()]


def scene_changes(video: Path, fps: int) -> list[int]:
    proc = subprocess.run([ffmpeg_exe(), "-v", "info", "-i", str(video), "-an", "-vf",
                           "select='gt(scene,0.3)',showinfo", "-f", "null", "-"],
                          capture_output=True, text=True, check=True)
    return [round(float(t) * fps) for t in re.findall(r"pts_time:([\d.]+)", proc.stderr)]


def check(res: Path, fps: int) -> dict:
    out = {}
    plan = json.loads((res / "background" / "landscape.json").read_text())
    long_cuts = cuts(res / "long.otio")
    timeline = otio.adapters.read_from_file(str(res / "long.otio"))
    moving = [c.range_in_parent().start_time.to_frames()
              for c in timeline.video_tracks()[0].find_clips()
              if not any(isinstance(e, otio.schema.FreezeFrame) for e in c.effects)]
    if plan.get("spans"):
        out["plan_vs_timeline_frames"] = [m - s["start"] * fps
                                          for m, s in zip(moving, plan["spans"], strict=True)]
    out["long_cuts"] = long_cuts
    out["long_scene_changes"] = scene_changes(res / "long.mp4", fps)
    if (res / "long.xml").exists():
        # FCP 7 XML keeps the cut points and files; in-points are whole frames there, and the
        # adapter writes no speed (LinearTimeWarp, FreezeFrame) effects
        xml = otio.adapters.read_from_file(str(res / "long.xml"))
        ours = list(timeline.video_tracks()[0].find_clips())
        theirs = list(xml.video_tracks()[0].find_clips())
        out["fcp_xml"] = {
            "same_cut_points_and_files": [(c.media_reference.target_url, c.range_in_parent())
                                          for c in ours]
            == [(c.media_reference.target_url, c.range_in_parent()) for c in theirs],
            "max_in_point_diff_frames": max(abs(a.source_range.start_time.value
                                                - b.source_range.start_time.value)
                                            for a, b in zip(ours, theirs, strict=True)),
            "speed_effects_kept": sum(len(c.effects) for c in theirs),
            "speed_effects_written": sum(len(c.effects) for c in ours),
        }
    shorts = sorted((res / "shorts").glob("short_*.otio"))
    out["shorts"] = {s.stem: {"cuts": cuts(s),
                              "frames": otio.adapters.read_from_file(str(s)).duration().value}
                     for s in shorts}
    return out


def edit(src: Path, dst: Path, other: Path, fps: int) -> list[int]:
    timeline = otio.adapters.read_from_file(str(src))
    track = timeline.video_tracks()[0]
    lost = track[1].duration() + otio.opentime.RationalTime(5, fps)
    del track[1]
    first = track[0]
    first.source_range = otio.opentime.TimeRange(
        first.source_range.start_time,
        first.source_range.duration - otio.opentime.RationalTime(5, fps))
    a, b = track[-2].deepcopy(), track[-1].deepcopy()
    del track[-1]
    del track[-1]
    track.extend([b, a])
    track.insert(2, otio.schema.Clip(
        name="swapped in", media_reference=otio.schema.ExternalReference(
            target_url=str(other.resolve())),
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, fps), lost)))
    dst.parent.mkdir(parents=True, exist_ok=True)
    otio.adapters.write_to_file(timeline, str(dst))
    return [c.range_in_parent().start_time.to_frames() for c in track.find_clips()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workdir", type=Path)
    parser.add_argument("drama")
    parser.add_argument("--edit", action="store_true")
    args = parser.parse_args()
    wd = args.workdir
    config = yaml.safe_load((wd / "config.yaml").read_text())
    fps = config["render"]["fps"]
    res = wd / config.get("outdir", "results") / args.drama
    report = {"before": check(res, fps)}
    if args.edit:
        other = wd / "swap.mp4"
        run_ffmpeg(["-f", "lavfi", "-i", f"testsrc2=s=320x180:r={fps}:d=30", "-c:v", "libx264",
                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "mp4", str(other)],
                   what="swap shot")
        dst = wd / config.get("timelines_dir", "config/timelines") / args.drama / "long.otio"
        report["edited_cuts"] = edit(res / "long.otio", dst, other, fps)
        cmd = [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(wd), "--configfile",
               str(wd / "config.yaml"), "--cores", "2"]
        dry = subprocess.run([*cmd, "-n"], capture_output=True, text=True, check=True)
        table = dry.stdout.split("Job stats:")[1].split("total")[0]
        report["dry_run"] = dict(re.findall(r"^(\w+)\s+(\d+)$", table, re.M))
        report["dry_run_dramas"] = sorted(set(re.findall(r"wildcards: id=(\w+)", dry.stdout)))
        t0 = time.monotonic()
        subprocess.run(cmd, capture_output=True, text=True, check=True)
        report["rerun_s"] = round(time.monotonic() - t0, 1)
        report["after"] = check(res, fps)
        report["after_matches_edit"] = report["after"]["long_cuts"] == report["edited_cuts"]
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
