"""What the Snakemake process itself costs as a batch grows (issue 14), on synthetic batches.

Three measures, each appended to benchmarks/RESULTS.md:

* plan: `snakemake -n` of N dramas (every source a hard link to one seed file; a plan reads no
  media): wall seconds and peak memory of the Snakemake process.
* scheduler: a real run of N dramas at tiny settings (one ~5 s spoken source, 160x90, ultrafast):
  the Snakemake process's own CPU seconds (its threads, not the jobs it starts) per finished job.
* no-op: a finished batch of N dramas (one real finished drama, hard-linked N times with the
  same mtimes), then `snakemake -n`: wall seconds until "Nothing to be done"; once with the
  files only, once with the drama's Snakemake metadata records copied for each, paths
  rewritten (params, inputs and checksums then compared as in a real rerun).

    .venv/bin/python benchmarks/scale.py plan --dramas 1000 3000
    .venv/bin/python benchmarks/scale.py plan --dramas 1000 --default-config
    .venv/bin/python benchmarks/scale.py scheduler --dramas 20 80
    .venv/bin/python benchmarks/scale.py noop --dramas 1000
    .venv/bin/python benchmarks/scale.py scheduler --dramas 20 --tty --progress live   # display
    .venv/bin/python benchmarks/scale.py scheduler --dramas 20 --tty --progress off    # without
    add --no-record to print only; --profile-dir to use another profile (e.g. profiles/slurm)
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, append_results, table

from dramabatch_testkit.media import SENTENCE_A, make_video
from dramabatch_testkit.ptyrun import run_in_pty
from dramabatch_testkit.runner import TINY_CONFIG

PYTHON = sys.executable
TARGETS = {"plan_1000_s": 6.0, "plan_1000_mb": 300.0, "plan_3000_s": 18.0,
           "scheduler_ratio": 1.2, "noop_1000_s": 6.0}

#: Runs Snakemake inside this Python process and reports the process's own CPU time and peak
#: memory at exit (RUSAGE_SELF: all its threads, none of the jobs it starts). Wall time is taken
#: outside, around the whole process: the interpreter's teardown after the last atexit handler
#: was 1.8 s of a 1,000-drama plan before dramabatch.workflow.smk.gcpolicy, and the user waits
#: for it.
WRAPPER = """
import atexit, json, resource, sys, time
start, stats = time.perf_counter(), sys.argv[1]
def report():
    r = resource.getrusage(resource.RUSAGE_SELF)
    with open(stats, "w") as fh:
        json.dump({"cpu": r.ru_utime + r.ru_stime, "maxrss_mb": r.ru_maxrss / 1024,
                   "wall": time.perf_counter() - start}, fh)
atexit.register(report)
from snakemake.cli import main
sys.argv = ["snakemake"] + sys.argv[2:]
main()
"""


def seed_source(folder: Path) -> Path:
    """One real ~5 s spoken source (Piper, bundled voice) at 160x90."""
    from dramabatch.base.audio import write_wav_mono
    from dramabatch.voice.tts.piper_engine import PiperEngine

    samples, rate = PiperEngine().synthesize(SENTENCE_A)
    wav = folder / "seed.wav"
    write_wav_mono(wav, samples, rate)
    return make_video(folder / "seed.mp4", wav=wav, seconds=len(samples) / rate + 0.3)


def batch(wd: Path, n: int, seed: Path, default_config: bool = False) -> Path:
    """An n-drama manifest in ``wd`` whose sources are hard links to ``seed``; the tiny config,
    or with ``default_config`` the shipped defaults (Pexels in the order: the 2 picks
    checkpoints per drama more in a plan)."""
    (wd / "sources").mkdir(parents=True, exist_ok=True)
    rows = ["id\tsource\tlanguage\ttitle"]
    for i in range(n):
        link = wd / "sources" / f"d{i:04d}.mp4"
        if not link.exists():
            os.link(seed, link)
        rows.append(f"d{i:04d}\t{link}\ten\tDrama")
    (wd / "manifest.tsv").write_text("\n".join(rows) + "\n")
    config = (f"manifest: {wd / 'manifest.tsv'}\noutdir: results\n" if default_config
              else TINY_CONFIG.format(manifest=wd / "manifest.tsv"))
    (wd / "config.yaml").write_text(config)
    return wd


#: How Snakemake's output is read: through pipes (default), or, with --tty, in a pseudo-terminal
#: as a person at a terminal sees it (the live progress display draws only there). --progress
#: sets DRAMABATCH_PROGRESS (live, plain, off: dramabatch.workflow.progress.logger).
OUTPUT: dict[str, object] = {"tty": False, "progress": None}


def run(wd: Path, *args: str) -> tuple[dict, str]:
    """Snakemake in ``wd`` through WRAPPER; returns (cpu/maxrss/wall, its output)."""
    stats = wd / "stats.json"
    cmd = [PYTHON, "-c", WRAPPER, str(stats), "-s", str(REPO / "Snakefile"), "-d", str(wd),
           "--configfile", str(wd / "config.yaml"), *args]
    env = dict(os.environ, **({"DRAMABATCH_PROGRESS": str(OUTPUT["progress"])}
                              if OUTPUT["progress"] else {}))
    started = time.perf_counter()
    if OUTPUT["tty"]:
        rc, out = run_in_pty(cmd, {**env, "TERM": env.get("TERM", "xterm-256color")}, 7200)
    else:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        rc, out = proc.returncode, proc.stdout + proc.stderr
    wall = time.perf_counter() - started  # what the user waits: start-up and teardown included
    if rc != 0:
        raise SystemExit(out[-3000:])
    return {**json.loads(stats.read_text()), "wall": wall}, out


def finished_jobs(out: str) -> int:
    """Jobs done: Snakemake's last "N of M steps", or the live display's "jobs N/M"."""
    out = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out)  # a terminal's colours and cursor moves
    done = re.findall(r"^(\d+) of \d+ steps", out, re.M) or re.findall(r"jobs (\d+)/\d+", out)
    return int(done[-1]) if done else 0


def planned(out: str) -> int:
    match = re.search(r"^total\s+(\d+)", out, re.M)
    return int(match.group(1)) if match else 0


def measure_plan(sizes: list[int], extra: list[str], tmp: Path,
                 default_config: bool = False) -> list[list]:
    seed = tmp / "seed.bin"
    seed.write_bytes(b"\0" * 1024)  # a plan reads no media, only that the file exists
    rows = []
    for n in sizes:
        wd = batch(tmp / f"plan{n}", n, seed, default_config)
        stats, out = run(wd, "-n", *extra)
        target = {1000: "plan_1000_s", 3000: "plan_3000_s"}.get(n)
        ok = "" if target is None else ("ok" if stats["wall"] <= TARGETS[target] else "OVER")
        rows.append([n, planned(out), f"{stats['wall']:.1f}", f"{stats['maxrss_mb']:.0f}",
                     f"{1000 * stats['wall'] / max(planned(out), 1):.2f}", ok])
    return rows


def measure_scheduler(sizes: list[int], extra: list[str], tmp: Path) -> list[list]:
    seed = seed_source(tmp)
    rows, per_job = [], []
    for n in sizes:
        wd = batch(tmp / f"run{n}", n, seed)
        stats, out = run(wd, "--cores", "2", *extra)
        jobs = finished_jobs(out)
        per_job.append(stats["cpu"] / max(jobs, 1))
        rows.append([n, jobs, f"{stats['wall']:.0f}", f"{stats['wall'] / n:.1f}",
                     f"{stats['cpu']:.1f}", f"{per_job[-1]:.3f}", f"{stats['maxrss_mb']:.0f}"])
    if len(per_job) >= 2:
        ratio = per_job[-1] / per_job[0]
        verdict = "ok" if ratio <= TARGETS["scheduler_ratio"] else "OVER"
        rows.append(["ratio", "", "", "", "", f"{ratio:.2f} {verdict}", ""])
    return rows


def measure_noop(sizes: list[int], extra: list[str], tmp: Path) -> list[list]:
    """Twice per size: with the finished files only (the issue's "outputs faked by touching":
    Snakemake then has no records to compare), and with its metadata records too (a real
    rerun: params, inputs and checksums compared)."""
    seed = seed_source(tmp)
    one = batch(tmp / "one", 1, seed)
    run(one, "--cores", "2", *extra)
    rows = []
    for n in sizes:
        wd = batch(tmp / f"noop{n}", n, seed)
        clone(one / "results", wd / "results", n)
        for records in (False, True):
            if records:
                clone_metadata(one, wd, n)
            stats, out = run(wd, "-n", *extra)
            verdict = "Nothing to be done" in out
            ok = "ok" if verdict and stats["wall"] <= TARGETS["noop_1000_s"] else "OVER"
            rows.append([n, "files and Snakemake's records" if records else "files only",
                         f"{stats['wall']:.1f}", f"{stats['maxrss_mb']:.0f}",
                         "nothing to do" if verdict else f"{planned(out)} jobs planned", ok])
    return rows


def clone(results: Path, into: Path, n: int) -> None:
    """Hard-link drama d0000's finished files (its folder, logs, benchmarks and archive) as
    d0000..d{n-1}: same mtimes, so the same order. A batch of more than
    archive.batch_max_dramas dramas has no batch zip."""
    for i in range(n):
        name = f"d{i:04d}"
        for sub in ("", "logs/", "benchmarks/"):
            base = results / sub / "d0000"
            for path in base.rglob("*"):
                if path.is_file():
                    rel = str(path.relative_to(base)).replace("d0000", name)
                    dest = into / sub / name / rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    if not dest.exists():
                        os.link(path, dest)
        archive = into / "_archives" / f"{name}.zip"
        archive.parent.mkdir(parents=True, exist_ok=True)
        if not archive.exists():
            os.link(results / "_archives" / "d0000.zip", archive)


def clone_metadata(one: Path, wd: Path, n: int) -> None:
    """Snakemake's record of each of d0000's files in ``one`` (named by the base64 of the file's
    path, see snakemake/persistence/file.py), rewritten for d0000..d{n-1} in ``wd``."""
    records, into = one / ".snakemake" / "metadata", wd / ".snakemake" / "metadata"
    into.mkdir(parents=True, exist_ok=True)
    for record in records.iterdir():
        path = base64.urlsafe_b64decode(record.name).decode()
        text = record.read_text(encoding="utf-8").replace(str(one), str(wd))  # source paths
        for i in range(n) if "d0000" in path else [0]:
            name = f"d{i:04d}"
            target = base64.urlsafe_b64encode(path.replace("d0000", name).encode()).decode()
            (into / target).write_text(text.replace("d0000", name), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("measure", choices=["plan", "scheduler", "noop"])
    parser.add_argument("--dramas", type=int, nargs="+", required=True)
    parser.add_argument("--profile-dir", help="run with --profile PROFILE_DIR")
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--default-config", action="store_true",
                        help="plan: the shipped config (Pexels on) instead of the tiny one")
    parser.add_argument("--tty", action="store_true",
                        help="scheduler: run Snakemake in a pseudo-terminal (live display)")
    parser.add_argument("--progress", choices=["live", "plain", "off"],
                        help="scheduler: DRAMABATCH_PROGRESS for the runs")
    args = parser.parse_args()
    OUTPUT.update(tty=args.tty, progress=args.progress)
    extra = ["--profile", args.profile_dir] if args.profile_dir else []
    tmp = Path(tempfile.mkdtemp(prefix="dramabatch-scale-"))
    started = time.perf_counter()
    try:
        if args.measure == "plan":
            headers = ["dramas", "planned jobs", "wall s", "peak MB", "ms per job", "target"]
            rows = measure_plan(args.dramas, extra, tmp, args.default_config)
            title = "Scale: `snakemake -n` of synthetic batches" + (
                ", the shipped config (Pexels in background.order)" if args.default_config
                else "")
        elif args.measure == "scheduler":
            headers = ["dramas", "finished jobs", "wall s", "wall s per drama",
                       "Snakemake CPU s", "its CPU s per job", "its peak MB"]
            rows = measure_scheduler(args.dramas, extra, tmp)
            title = "Scale: the Snakemake process's own CPU in a real tiny run (`--cores 2`)"
        else:
            headers = ["finished dramas", "what is there", "`snakemake -n` wall s", "peak MB",
                       "verdict", "target"]
            rows = measure_noop(args.dramas, extra, tmp)
            title = "Scale: no-op rerun of a finished batch"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    body = table(headers, rows)
    if args.profile_dir:
        body += f"\n\nProfile: `{args.profile_dir}`."
    if args.tty or args.progress:
        body += (f"\n\nOutput: {'a pseudo-terminal' if args.tty else 'pipes'}, "
                 f"DRAMABATCH_PROGRESS={args.progress or 'unset'}.")
    body += f"\n\nBenchmark wall time {time.perf_counter() - started:.0f} s."
    if args.no_record:
        print(body)
    else:
        append_results(title, body)


if __name__ == "__main__":
    main()
