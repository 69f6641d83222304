"""How long `snakemake -n --profile profiles/slurm` takes to print the plan of a large batch.

Writes an N-drama manifest (every drama a hard link to one tiny source file), then times the
cluster profile's dry run: config validation, manifest, DAG of every drama, executor settings.
No cluster is needed (a dry run submits nothing). Target: at most 5 s for 100 dramas.

    .venv/bin/python benchmarks/dryrun.py [--dramas 100] [--repeat 3] [--no-record]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
from pathlib import Path

from common import REPO, append_results, snakemake, table

from dramabatch_testkit.runner import TINY_CONFIG

TARGET_S = 5.0


def planned_jobs(stdout: str) -> int:
    match = re.search(r"^total\s+(\d+)$", stdout, re.M)
    return int(match.group(1)) if match else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dramas", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-record", action="store_true",
                        help="print only; do not append to benchmarks/RESULTS.md")
    args = parser.parse_args()

    wd = Path(tempfile.mkdtemp(prefix="dramabatch-dryrun-"))
    (wd / "sources").mkdir()
    seed = wd / "sources" / "seed.mp4"
    seed.write_bytes(b"\0" * 1024)  # a dry run reads no media, only the file's existence
    rows = ["id\tsource\tlanguage\ttitle"]
    for i in range(args.dramas):
        os.link(seed, wd / "sources" / f"d{i:03d}.mp4")
        rows.append(f"d{i:03d}\tsources/d{i:03d}.mp4\ten\tDrama {i}")
    (wd / "manifest.tsv").write_text("\n".join(rows) + "\n")
    (wd / "config.yaml").write_text(TINY_CONFIG.format(manifest=wd / "manifest.tsv"))

    times, jobs = [], 0
    for _ in range(args.repeat):
        seconds, proc = snakemake(wd, "-n", "--profile", str(REPO / "profiles" / "slurm"))
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-3000:])
        times.append(seconds)
        jobs = planned_jobs(proc.stdout + proc.stderr)
    best, median = min(times), statistics.median(times)
    verdict = "ok" if median <= TARGET_S else f"OVER the {TARGET_S:.0f} s target"
    body = table(["dramas", "planned jobs", "median s", "best s", "runs", "verdict"],
                 [[args.dramas, jobs, f"{median:.2f}", f"{best:.2f}", len(times), verdict]])
    if args.no_record:
        print(body)
    else:
        append_results("Dry run of the Slurm profile (`snakemake -n --profile profiles/slurm`)",
                       body)
    print(f"dry-run seconds (median of {len(times)}): {median:.2f}")
    if median > TARGET_S:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
