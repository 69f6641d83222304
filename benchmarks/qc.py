"""What the checks of finished videos cost against the renders they check, on the demo batch.

Makes the demo's sources (``dramabatch-demo``), runs the demo manifest with the shipped config
(only the manifest and the output folder changed; ``--size`` shrinks the frames for a quick run)
and reads every job's wall and CPU seconds from Snakemake's own ``benchmark:`` files: per drama,
the qc job (one decode of the long video and of each short) against its renders (render_long +
every render_short). Goal: the checks cost at most 10 % of the render time.

    .venv/bin/python benchmarks/qc.py [--size 1920x1080] [--cores 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import REPO, append_results, benchmark_record, snakemake, table


def stage(tsv: Path) -> tuple[float, float]:
    """(wall s, CPU s) of one job from its benchmark file."""
    rec = benchmark_record(tsv)
    cpu = rec.get("cpu_time", "-")
    return float(rec["s"]), float(cpu) if cpu not in ("-", "", "NA") else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="1920x1080", help="long video size WxH")
    parser.add_argument("--cores", default="2")
    parser.add_argument("--keep", default="", help="work in this folder and keep it")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    wd = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="dramabatch-qc-"))
    wd.mkdir(parents=True, exist_ok=True)
    sources = wd / "sources"
    if not sources.is_dir():
        demo = Path(sys.executable).with_name("dramabatch-demo")
        subprocess.run([str(demo), "--texts", str(REPO / "demo/texts"), "--out", str(sources)],
                       check=True)
    rows = (REPO / "demo/manifest.tsv").read_text(encoding="utf-8").splitlines()
    manifest = [rows[0]] + [r.replace("\tsources/", f"\t{sources}/", 1) for r in rows[1:]]
    (wd / "manifest.tsv").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    (wd / "config.yaml").write_text(
        (REPO / "config/config.yaml").read_text(encoding="utf-8")
        + f"\nmanifest: {wd / 'manifest.tsv'}\noutdir: {wd / 'results'}\n"
        f"render: {{long: {{width: {width}, height: {height}}}, "
        f"short: {{width: {height}, height: {width}}}}}\n", encoding="utf-8")
    wall, proc = snakemake(wd, "--cores", args.cores)
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:])
    out, lines = wd / "results", []
    total_render = total_qc = 0.0
    for drama in [r.split("\t")[0] for r in rows[1:]]:
        bench = out / "benchmarks" / drama
        if not (bench / "qc.tsv").exists():
            lines.append([drama, "-", "-", "-", "-", "-", "not checked (failed earlier)"])
            continue
        renders = [stage(p) for p in sorted(bench.glob("render_*.tsv"))]
        render_s, render_cpu = sum(r[0] for r in renders), sum(r[1] for r in renders)
        qc_s, qc_cpu = stage(bench / "qc.tsv")
        qc = json.loads((out / drama / "qc.json").read_text(encoding="utf-8"))
        duration = qc["videos"]["long.mp4"]["duration"]
        total_render += render_s
        total_qc += qc_s
        lines.append([drama, f"{duration:.1f}", str(len(renders)), f"{render_s:.1f}",
                      f"{qc_s:.1f}", f"{100 * qc_s / render_s:.1f} %",
                      f"CPU {qc_cpu:.1f} / {render_cpu:.1f} s = "
                      f"{100 * qc_cpu / render_cpu:.1f} %; {qc['verdict']}"])
    body = table(["drama", "long s", "videos", "render wall s", "qc wall s", "qc / render",
                  "CPU, verdict"], lines)
    share = 100 * total_qc / total_render if total_render else float("nan")
    body += (f"\n\nDemo manifest, shipped config at {args.size}, {args.cores} cores; whole run "
             f"{wall:.0f} s. All dramas: qc {total_qc:.1f} s against {total_render:.1f} s of "
             f"renders = **{share:.1f} %** (goal <= 10 %). Seconds per job from Snakemake's "
             f"benchmark files (render_long includes its SRT, footage plan and thumbnail).")
    append_results("Checks of finished videos (qc) against their renders, demo batch", body)
    if not args.keep:
        shutil.rmtree(wd)


if __name__ == "__main__":
    main()
