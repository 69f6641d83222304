"""Render cost of the fit rule: a vertical source under the 16:9 long video, blur vs cover.

Same 9:16 source (a moving test pattern, 540x960), same narration length, same encoder settings,
1280x720 at 30 fps on this machine's cores; only ``fit`` differs. Run:
    .venv/bin/python benchmarks/fit.py [--seconds 30]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import append_results, table

from dramabatch.base.media import run_ffmpeg
from dramabatch.footage.background import make_background
from dramabatch.render.options import SubtitleStyle, VideoOptions
from dramabatch.render.videos import render_long


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    size = (1280, 720)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        source = d / "vertical.mp4"
        run_ffmpeg(["-f", "lavfi", "-i", f"testsrc2=s=540x960:r=30:d={args.seconds + 1}",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                    str(source)], what="vertical source")
        wav = d / "voice.wav"
        run_ffmpeg(["-f", "lavfi", "-i", f"sine=f=220:r=48000:d={args.seconds}", str(wav)],
                   what="tone")
        srt = d / "x.srt"
        srt.write_text("", encoding="utf-8")
        timings = {}
        for fit in ("cover", "blur", "bars"):
            plan = d / f"{fit}.json"
            make_background("b", "landscape", plan, order=["source"], source=str(source),
                            options={"fit": fit, "max_upscale": 2.0}, long_wh=size,
                            short_wh=(720, 1280))
            started = time.perf_counter()
            render_long(background=str(plan), narration=str(wav), srt=str(srt),
                        out=str(d / f"{fit}.mp4"), duration=args.seconds,
                        video=VideoOptions(*size, fps=30, preset="veryfast"),
                        style=SubtitleStyle())
            timings[fit] = time.perf_counter() - started
        for fit, wall in timings.items():
            rows.append([fit, f"{wall:.1f}", f"{args.seconds / wall:.2f}x",
                         f"{wall / timings['cover']:.2f}"])
    body = table(["fit", "wall s", "speed (x real time)", "vs cover"], rows)
    body += (f"\n\n{args.seconds:g} s of a 540x960 source into 1280x720 at 30 fps, libx264 "
             f"veryfast, one ffmpeg graph each.")
    append_results("Fit rule: vertical source under the long video (`benchmarks/fit.py`)", body)


if __name__ == "__main__":
    main()
