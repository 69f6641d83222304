"""End-to-end time of one ~60 s drama, per stage, at the default (real) settings.

Makes a source video from benchmarks/texts/sixty.txt (Piper speech over a generated picture),
runs the whole workflow on it, and reads each job's wall time and peak memory from Snakemake's
own ``benchmark:`` files. Target: the drama is produced in at most 1.5x its narration's length.

    .venv/bin/python benchmarks/e2e.py [--size 1920x1080] [--cores 2]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from common import REPO, append_results, benchmark_record, snakemake, table

from dramabatch.demo.sources import make_source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="1920x1080", help="long video size WxH")
    parser.add_argument("--cores", default="2")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    wd = Path(tempfile.mkdtemp(prefix="dramabatch-e2e-"))
    source = wd / "sixty.mp4"
    make_source((REPO / "benchmarks/texts/sixty.txt").read_text(), source)
    (wd / "manifest.tsv").write_text(f"id\tsource\tlanguage\ttitle\nsixty\t{source}\ten\t"
                                     "The Last Train\n")
    (wd / "config.yaml").write_text(
        f"manifest: {wd / 'manifest.tsv'}\noutdir: results\nbackground: {{order: [generated]}}\n"
        f"render: {{long: {{width: {width}, height: {height}}}, "
        f"short: {{width: {height}, height: {width}}}}}\n")
    wall, proc = snakemake(wd, "--cores", args.cores)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    narration = json.loads((wd / "results/sixty/narration.json").read_text())["duration"]
    rows, stage_total = [], 0.0
    for tsv in sorted((wd / "results/benchmarks/sixty").glob("*.tsv")):
        rec = benchmark_record(tsv)
        seconds, rss = float(rec["s"]), rec["max_rss"]
        stage_total += seconds
        rows.append([tsv.stem, f"{seconds:.1f}", f"{float(rss):.0f}" if rss != "-" else "-"])
    shorts = len(json.loads((wd / "results/sixty/shorts/plan.json").read_text())["shorts"])
    body = table(["job (benchmark: file)", "wall s", "max RSS MB"], rows)
    body += (f"\n\nNarration {narration:.1f} s at {args.size}, {shorts} shorts; whole run "
             f"{wall:.1f} s wall on {args.cores} cores = **{wall / narration:.2f}x real time** "
             f"(target <= 1.5x). Jobs without a benchmark: directive (fetch, audio, script, "
             f"subtitles, plans, package) make up the rest.")
    append_results("End-to-end, one 60 s drama", body)
    if not args.keep:
        import shutil

        shutil.rmtree(wd)


if __name__ == "__main__":
    main()
