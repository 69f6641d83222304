"""Peak memory of the shorts' framing (footage/reframe.py, the ``background`` job's big part) at
two source lengths, against the code of another commit (default: before frames were streamed).

    .venv/bin/python benchmarks/reframe_memory.py [--minutes 2 16] [--before d1989ec]

The source is the demo's face clip (640x360, 19.7 s) looped without re-encoding to each length;
the narration covers it all in 4 s sentences, each shown over the stretch it was said in, so the
samples are dense (one sequential read). Each run is a child process; its peak RSS and its
children's (ffmpeg) come from getrusage. Issue 32 measured 2.61 GB on a 16-minute drama.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from common import append_results, table  # noqa: E402

CHILD = r"""
import json, resource, sys, time
from dramabatch.footage.reframe import reframe
from dramabatch.footage.scenes import map_spans
source, seconds = sys.argv[1], float(sys.argv[2])
segs, t, n = [], 0.0, 0
while t + 4.0 <= seconds:
    segs.append({"text": "x", "sentence": n, "start": t, "end": t + 3.7,
                 "source_start": t, "source_end": t + 4.0})
    t, n = t + 4.0, n + 1
spans, _ = map_spans({"duration": t, "segments": segs}, seconds, 0.8, 1.25)
started = time.perf_counter()
crop, _ = reframe(source, spans, (640, 360), (1080, 1920), 0.15)
print(json.dumps({"s": time.perf_counter() - started, "faces": crop.get("faces"),
                  "self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "ffmpeg_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def looped(clip: Path, minutes: float, out: Path) -> Path:
    from dramabatch.base.media import ffmpeg_exe

    loops = int(minutes * 60 / 19.0) + 1
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-stream_loop", str(loops), "-i",
                    str(clip), "-t", f"{minutes * 60:.1f}", "-c", "copy", "-an", str(out)],
                   check=True)
    return out


def run(src_dir: Path, source: Path, seconds: float) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(source), str(seconds)],
                          capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(src_dir)})
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, nargs="+", default=[2.0, 16.0])
    ap.add_argument("--before", default="d1989ec", help="commit to compare with ('' for none)")
    ap.add_argument("--record", action="store_true", help="append to benchmarks/RESULTS.md")
    a = ap.parse_args()
    from dramabatch.demo.assets import ASSETS, fetch_asset

    clip = fetch_asset(ASSETS["face"])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        versions = {"now": REPO / "src"}
        if a.before:
            old = Path(tmp) / "before"
            old.mkdir()
            archive = subprocess.run(["git", "-C", str(REPO), "archive", a.before, "src"],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
            versions = {f"{a.before}": old / "src", **versions}
        for minutes in a.minutes:
            source = looped(clip, minutes, Path(tmp) / f"source-{minutes:g}.mp4")
            for name, src in versions.items():
                got = run(src, source, minutes * 60)
                rows.append([f"{minutes:g} min", name, f"{got['s']:.1f}",
                             f"{got['self_mb']:.0f}", f"{got['ffmpeg_mb']:.0f}", got["faces"]])
    body = table(["source", "code", "reframe s", "peak RSS MB (python)",
                  "peak RSS MB (ffmpeg)", "faces found"], rows)
    if a.record:
        append_results("Shorts' framing: peak memory by source length", body)
    else:
        print(body)


if __name__ == "__main__":
    main()
