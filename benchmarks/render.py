"""Render benchmark: the product's ffmpeg graph vs the moviepy engine vs a bare ffmpeg encode.

    .venv/bin/python benchmarks/render.py --quick          # 640x360, a few minutes on 2 cores
    .venv/bin/python benchmarks/render.py                  # 1920x1080 / 1080x1920 (slow)
    .venv/bin/python benchmarks/render.py --seconds 30 --size 1280x720 --long-seconds 0

The same input (a narration of ``--seconds`` with its subtitles over one looped background clip)
is rendered three ways: the product's ffmpeg path (render_long), the moviepy engine, and a bare
ffmpeg encode of the same frame size with the same encoder settings and no filters (the same clip
looped, the narration as audio). A ``--long-seconds`` render (two clips cut every 5 s) checks
that memory stays flat with the length. Then the ten shorts of a ``--long-seconds`` narration
are rendered one job each, like Snakemake runs them, and compared with a bare encode of their
total duration at the shorts' frame size. Every job runs in its own Python subprocess, so its
peak memory is its own: ``ru_maxrss`` of the job's Python plus that of its largest child
(ffmpeg), both from getrusage.

Prints the table and appends it to benchmarks/RESULTS.md (with the core count and the settings).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
WORDS = ("the night was cold and the house was quiet when she heard the knock again "
         "nobody answered the door but somebody was standing in the garden").split()


# --------------------------------------------------------------------------- one job, in a child
def run_job(spec: dict) -> dict:
    """Run one render job in this process; return wall seconds and peak memory."""
    from dramabatch.base.media import run_ffmpeg
    from dramabatch.render.options import SubtitleStyle, VideoOptions
    from dramabatch.render.videos import encoder_args, render_long, render_short

    v = VideoOptions(**spec["video"])
    t0 = time.perf_counter()
    if spec["kind"] == "long":
        render_long(background=spec["background"], narration=spec["narration"],
                    srt=spec["srt"], out=spec["out"], duration=spec["duration"], video=v,
                    style=SubtitleStyle(), engine=spec["engine"])
    elif spec["kind"] == "short":
        timeline = json.loads(Path(spec["timeline"]).read_text(encoding="utf-8"))
        render_short(background=spec["background"], narration=spec["narration"],
                     timeline=timeline, plan=spec["plan"], out=spec["out"], video=v,
                     style=SubtitleStyle(position="center", size=0.045, margin=0.0),
                     title="Benchmark", title_seconds=2.5, engine=spec["engine"])
    elif spec["kind"] == "bare":
        run_ffmpeg(["-stream_loop", "-1", "-i", spec["clip"], "-i", spec["narration"],
                    "-map", "0:v", "-map", "1:a", "-t", f"{spec['duration']:.3f}",
                    *encoder_args(v), "-c:a", "aac", "-b:a", v.audio_bitrate, "-ar", "48000",
                    "-movflags", "+faststart", "-f", "mp4", spec["out"]],
                   duration=spec["duration"], what="bare encode")
    else:
        raise SystemExit(f"unknown job kind {spec['kind']}")
    seconds = time.perf_counter() - t0
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "python_mb": own, "child_mb": child, "peak_mb": own + child}


def job(spec: dict) -> dict:
    """Run ``spec`` in a fresh Python subprocess (so memory figures are the job's own)."""
    proc = subprocess.run([sys.executable, __file__, "--job", json.dumps(spec)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"job {spec['kind']} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- inputs (not timed)
def fake_timeline(seconds: float) -> dict:
    """Sentences of ~3.6 s with 0.6 s pauses, like narration.json."""
    segments, t, k = [], 0.0, 0
    while t + 3.6 <= seconds:
        words = [WORDS[(k * 7 + i) % len(WORDS)] for i in range(9)]
        segments.append({"text": " ".join(words).capitalize() + ".", "sentence": k,
                         "start": round(t, 3), "end": round(t + 3.6, 3), "pause_ms": 600})
        t += 4.2
        k += 1
    return {"segments": segments, "duration": seconds}


def make_inputs(d: Path, seconds: float, w: int, h: int, fps: int, tag: str,
                n_clips: int = 1) -> dict:
    """Narration, timeline, SRT and a footage plan of ``n_clips`` 10 s clips at w x h.

    One clip for the speed comparison, so the bare encode compresses the very same pictures;
    two clips cut every 5 s for the long run, so a 600 s video has 120 pieces to join.
    """
    from dramabatch.base.media import run_ffmpeg
    from dramabatch.footage.background import Clip, FootagePlan
    from dramabatch.render.subtitles import write_srt

    timeline = fake_timeline(seconds)
    (d / f"{tag}.json").write_text(json.dumps(timeline), encoding="utf-8")
    write_srt(timeline, d / f"{tag}.srt")
    narration = d / f"{tag}.mp3"
    # A voice-like signal: a modulated tone, loudness like real narration.
    run_ffmpeg(["-f", "lavfi", "-i", f"sine=f=180:d={seconds}:r=44100", "-af",
                "volume=3,tremolo=f=4:d=0.7", "-c:a", "libmp3lame", "-b:a", "128k",
                str(narration)], what="narration")
    clips = []
    for i, src in enumerate(("testsrc2", "mandelbrot")[:n_clips]):
        clip = d / f"{tag}_clip{i}.mp4"
        run_ffmpeg(["-f", "lavfi", "-i", f"{src}=s={w}x{h}:r={fps}", "-t", "10",
                    "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18",
                    "-pix_fmt", "yuv420p", str(clip)], what="clip")
        clips.append(Clip(str(clip), 10.0))
    plan = d / f"{tag}_plan.json"
    plan.write_text(FootagePlan("local", clips=clips).to_json(), encoding="utf-8")
    return {"timeline": str(d / f"{tag}.json"), "srt": str(d / f"{tag}.srt"),
            "narration": str(narration), "background": str(plan), "clip": clips[0].path}


# --------------------------------------------------------------------------- the benchmark
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--job", help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="640x360 frames (360x640 shorts)")
    ap.add_argument("--seconds", type=float, default=60.0, help="narration length compared")
    ap.add_argument("--size", default=None, help="long frame WxH (default 1920x1080)")
    ap.add_argument("--long-seconds", type=float, default=600.0,
                    help="narration for the memory check and the ten shorts (0: skip)")
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--preset", default="veryfast")
    ap.add_argument("--crf", type=int, default=23)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                    help="encoder threads, as Snakemake's threads: 2 gives")
    ap.add_argument("--no-moviepy", action="store_true", help="skip the (slow) moviepy render")
    ap.add_argument("--results", default=str(RESULTS), help="markdown file appended to")
    args = ap.parse_args()
    if args.job:
        print(json.dumps(run_job(json.loads(args.job))))
        return

    size = args.size or ("640x360" if args.quick else "1920x1080")
    w, h = (int(x) for x in size.lower().split("x"))
    sw, sh = h, w  # shorts: the long frame turned upright (1920x1080 -> 1080x1920)
    video = {"fps": args.fps, "preset": args.preset, "crf": args.crf, "threads": args.threads,
             "seconds_per_clip": 5.0}
    rows: list[tuple[str, str, float, float, float]] = []  # what, size, media s, wall s, MB

    def record(what: str, frame: str, media_s: float, r: dict) -> dict:
        rows.append((what, frame, media_s, r["seconds"], r["peak_mb"]))
        print(f"{what:<38} {frame:>10} {media_s:7.1f} s media {r['seconds']:8.2f} s wall "
              f"{r['seconds'] and media_s / r['seconds']:6.2f}x realtime "
              f"peak {r['peak_mb']:6.0f} MB (python {r['python_mb']:.0f} + "
              f"ffmpeg {r['child_mb']:.0f})", flush=True)
        return r

    with tempfile.TemporaryDirectory(prefix="dramabatch-bench-") as tmp:
        d = Path(tmp)
        print(f"inputs: {args.seconds:.0f} s narration, {w}x{h} @ {args.fps} fps, "
              f"libx264 {args.preset} crf {args.crf}, {os.cpu_count()} cores", flush=True)
        inp = make_inputs(d, args.seconds, w, h, args.fps, "a")
        base = {"video": {**video, "width": w, "height": h}, "duration": args.seconds,
                "narration": inp["narration"], "background": inp["background"],
                "srt": inp["srt"], "clip": inp["clip"]}
        product = record("product ffmpeg graph (render_long)", size, args.seconds,
                         job({**base, "kind": "long", "engine": "ffmpeg",
                              "out": str(d / "product.mp4")}))
        bare = record("bare ffmpeg encode (no filters)", size, args.seconds,
                      job({**base, "kind": "bare", "out": str(d / "bare.mp4")}))
        moviepy = None
        if not args.no_moviepy:
            moviepy = record("moviepy engine (render_long)", size, args.seconds,
                             job({**base, "kind": "long", "engine": "moviepy",
                                  "out": str(d / "moviepy.mp4")}))
        check_outputs([d / "product.mp4", d / "bare.mp4"]
                      + ([d / "moviepy.mp4"] if moviepy else []), args.seconds)

        long600 = short_mem = shorts_total = shorts_bare = None
        n_shorts = 0
        if args.long_seconds > 0:
            # Memory against length: the same two-clip plan cut every 5 s, short and long.
            inp_m = make_inputs(d, args.seconds, w, h, args.fps, "m", n_clips=2)
            short_mem = record(f"product long, {args.seconds:.0f} s, 2 clips cut every 5 s",
                               size, args.seconds,
                               job({**base, "kind": "long", "engine": "ffmpeg",
                                    "narration": inp_m["narration"],
                                    "background": inp_m["background"], "srt": inp_m["srt"],
                                    "out": str(d / "mem_short.mp4")}))
            inp_l = make_inputs(d, args.long_seconds, w, h, args.fps, "l", n_clips=2)
            long600 = record(f"product long, {args.long_seconds:.0f} s, 2 clips cut every 5 s",
                             size,
                             args.long_seconds,
                             job({**base, "kind": "long", "engine": "ffmpeg",
                                  "duration": args.long_seconds,
                                  "narration": inp_l["narration"],
                                  "background": inp_l["background"], "srt": inp_l["srt"],
                                  "out": str(d / "long600.mp4")}))
            shorts_total, shorts_bare, n_shorts = bench_shorts(d, args, video, sw, sh, record)

    ratio_mp = moviepy["seconds"] / product["seconds"] if moviepy else None
    ratio_bare = product["seconds"] / bare["seconds"]
    print()
    if ratio_mp:
        print(f"product vs moviepy: {ratio_mp:.1f}x faster (target >= 8x)")
    print(f"product vs bare encode: {ratio_bare:.2f}x the time (target <= 1.25x)")
    shorts_ratio = None
    if shorts_total is not None:
        shorts_ratio = shorts_total["seconds"] / shorts_bare["seconds"]
        print(f"{n_shorts} shorts, one job each: {shorts_ratio:.2f}x the bare encode of their "
              f"total duration (target <= 1.3x)")
    memory = ""
    if long600:
        memory = (f"peak memory of render_long (2-clip plan): {short_mem['peak_mb']:.0f} MB at "
                  f"{args.seconds:.0f} s, {long600['peak_mb']:.0f} MB at "
                  f"{args.long_seconds:.0f} s (target flat, <= 600 MB)")
        print(memory)
    append_results(args, size, f"{sw}x{sh}", rows, ratio_mp, ratio_bare, shorts_ratio, memory)


def bench_shorts(d: Path, args, video: dict, sw: int, sh: int, record):
    """Ten shorts of the long narration, one job each, vs a bare encode of their total length."""
    from dramabatch.shorts.plan import plan_shorts

    inp = make_inputs(d, args.long_seconds, sw, sh, args.fps, "s")
    timeline = json.loads(Path(inp["timeline"]).read_text(encoding="utf-8"))
    plans = [p.to_dict() for p in plan_shorts(timeline, 10, 15, 60)]
    total_media = sum(p["end"] - p["start"] for p in plans)
    base = {"video": {**video, "width": sw, "height": sh}, "narration": inp["narration"],
            "background": inp["background"], "timeline": inp["timeline"]}
    seconds = peak = 0.0
    for p in plans:
        r = job({**base, "kind": "short", "engine": "ffmpeg", "plan": p,
                 "out": str(d / f"short_{p['number']:02d}.mp4")})
        seconds += r["seconds"]
        peak = max(peak, r["peak_mb"])
    total = {"seconds": seconds, "peak_mb": peak, "python_mb": 0, "child_mb": peak}
    record(f"{len(plans)} shorts, one job each (sum)", f"{sw}x{sh}", total_media, total)
    bare = record("bare encode of their total duration", f"{sw}x{sh}", total_media,
                  job({**base, "kind": "bare", "duration": total_media, "clip": inp["clip"],
                       "out": str(d / "shorts_bare.mp4")}))
    check_outputs([d / f"short_{p['number']:02d}.mp4" for p in plans],
                  None, [p["end"] - p["start"] for p in plans])
    return total, bare, len(plans)


def check_outputs(paths: list[Path], duration: float | None,
                  durations: list[float] | None = None) -> None:
    """Every output decodes fully; streams end within 50 ms; duration as asked."""
    from dramabatch.base.media import decode_check, probe

    for k, path in enumerate(paths):
        info = probe(path)
        dec = decode_check(path)
        want = duration if duration is not None else durations[k]
        gap = abs(dec["video"] - dec["audio"])
        ok = gap <= 0.05 and abs(info.duration - want) <= 0.1
        print(f"  check {path.name}: {info.width}x{info.height} {info.duration:.3f} s "
              f"(want {want:.3f}), video/audio end gap {gap * 1000:.0f} ms "
              f"{'ok' if ok else 'FAILED'}", flush=True)


def append_results(args, size: str, short_size: str, rows, ratio_mp, ratio_bare,
                   shorts_ratio, memory: str = "") -> None:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## Render benchmark, {now}{' (--quick)' if args.quick else ''}",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}. Long {size}, shorts {short_size}, "
        f"{args.fps} fps, libx264 {args.preset} crf {args.crf}, {args.threads} encoder "
        f"threads. Peak memory = the job's Python + its ffmpeg (getrusage ru_maxrss).",
        "",
        "| job | frame | media s | wall s | x realtime | peak MB |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for what, frame, media_s, wall, mb in rows:
        lines.append(f"| {what} | {frame} | {media_s:.1f} | {wall:.2f} | "
                     f"{media_s / wall:.2f} | {mb:.0f} |")
    lines.append("")
    if ratio_mp:
        lines.append(f"- product vs moviepy: **{ratio_mp:.1f}x faster** (target >= 8x)")
    lines.append(f"- product / bare encode: **{ratio_bare:.2f}x** (target <= 1.25x)")
    if shorts_ratio is not None:
        lines.append(f"- shorts (one job each) / bare encode of their total duration: "
                     f"**{shorts_ratio:.2f}x** (target <= 1.3x)")
    if memory:
        lines.append(f"- {memory}")
    path = Path(args.results)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"appended to {path}")


if __name__ == "__main__":
    main()
