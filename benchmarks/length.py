"""The same drama at several lengths through the whole pipeline: what each stage costs per minute.

The source is real Spanish speech over real footage, as long as asked:

- speech: the recordings in ``../shared/speech/es`` (a LibriVox reading of Alarcón, an MLS
  utterance), heard once by Whisper for their word times, then cut into *runs* of 5-12
  consecutive words from random places, each followed by a pause. No run is used twice, so the
  transcript's lines differ (a looped recording repeats its lines, and narrate reuses the audio
  of a repeated line: it would look cheaper than it is). 85 s of speech give about 1,700 runs.
- picture: the demo's clips (``dramabatch-demo``'s media: the Earth at night, towers, Big Buck
  Bunny, a face), one cycle of them at 640x360 looped to the length.

Each length runs the whole workflow with the default config (the shipped config and the demo's
music: the workflow profile; ``--light`` lowers the render size and Whisper model for a quick
look, never for the reported table) on ``--cores`` cores, under ``nice``. From each job's
``benchmark:`` file: seconds per minute of source, peak memory, and the memory the rule declares
(workflow.smk.sizing, for the rules sized from the drama); then the ratio longest / shortest per
stage. The table is appended to benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/length.py --minutes 2 15 60 [--cores 2] [--light] [--keep]
        [--workdir DIR]   (kept and resumable: an hour-long run may span several sessions)
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
from pathlib import Path

import numpy as np
from common import REPO, append_results, benchmark_record, snakemake, table

from dramabatch.base.audio import decode_to_mono, resample, write_wav_mono
from dramabatch.base.media import run_ffmpeg
from dramabatch.workflow.smk.sizing import SIZING

SPEECH = REPO.parent / "shared" / "speech" / "es"
MEDIA = Path.home() / ".cache" / "dramabatch" / "demo-media"
RATE = 24000
LIGHT = """\
transcribe: {model: bundled-base}
render: {preset: ultrafast, long: {width: 640, height: 360}, short: {width: 360, height: 640}}
"""


def recordings() -> list[tuple[np.ndarray, list[dict]]]:
    """Each shared recording's samples (24 kHz) and its words with times (Whisper base, es)."""
    from dramabatch.voice.align import recognise_words

    out = []
    for path in sorted(p for p in SPEECH.iterdir() if p.suffix in (".mp3", ".opus")):
        samples, rate = decode_to_mono(path)
        words, _ = recognise_words(path, "bundled-base", "es", 2)
        out.append((resample(samples, rate, RATE), words))
    return out


def speech(seconds: float, wav: Path, seed: int = 32) -> int:
    """Write ``seconds`` of runs of real words (never one run twice) to ``wav``; how many runs."""
    rng = random.Random(seed)
    recs = recordings()
    used: set[tuple[int, int, int]] = set()
    # every (recording, first word, length) there is: runs overlap, but no two are the same
    possible = sum(max(1, len(w) - n) for _, w in recs for n in range(5, 13))
    parts, total = [], 0
    while total < seconds * RATE:
        r = rng.randrange(len(recs))
        samples, words = recs[r]
        n = rng.randint(5, 12)
        k = rng.randrange(0, max(1, len(words) - n))
        if (r, k, n) in used:
            if len(used) >= possible:
                raise SystemExit(f"not enough distinct runs for that length ({possible} in all)")
            continue
        used.add((r, k, n))
        a = max(0, int((words[k]["start"] - 0.05) * RATE))
        b = min(len(samples), int((words[min(k + n, len(words)) - 1]["end"] + 0.12) * RATE))
        pause = np.zeros(int(rng.uniform(0.45, 0.9) * RATE), np.float32)
        parts += [samples[a:b], pause]
        total += b - a + len(pause)
    write_wav_mono(wav, np.concatenate(parts), RATE)
    return len(used)


def source(minutes: float, out: Path, tmp: Path) -> float:
    """The drama's source: the speech over the demo clips looped; its duration in seconds."""
    wav = tmp / "speech.wav"
    runs = speech(minutes * 60, wav)
    clips = sorted(p for p in MEDIA.iterdir() if p.suffix in (".mp4", ".mpg"))
    if not clips:
        raise SystemExit(f"no demo media in {MEDIA}: run `make demo` once (dramabatch-demo)")
    norm = "scale=640:360:force_original_aspect_ratio=increase,crop=640:360,setsar=1,fps=25"
    graph = ";".join(f"[{k}:v]{norm}[v{k}]" for k in range(len(clips)))
    graph += ";" + "".join(f"[v{k}]" for k in range(len(clips)))
    graph += f"concat=n={len(clips)}:v=1:a=0[v]"
    cycle = tmp / "cycle.mp4"
    args = [a for c in clips for a in ("-i", str(c))]
    run_ffmpeg([*args, "-filter_complex", graph, "-map", "[v]", "-an", "-c:v", "libx264",
                "-preset", "veryfast", "-pix_fmt", "yuv420p", str(cycle)], what="footage cycle")
    length = minutes * 60 + 1.0
    run_ffmpeg(["-stream_loop", "-1", "-i", str(cycle), "-i", str(wav), "-map", "0:v",
                "-map", "1:a", "-t", f"{length:.2f}", "-af", "apad", "-c:v", "copy",
                "-c:a", "aac", "-b:a", "96k", str(out)], duration=length, what="source")
    print(f"source: {minutes} min, {runs} distinct runs of real words", flush=True)
    return length


def record(minutes: float) -> Path:
    """Where a length's figures are kept (``--table-only`` tabulates them again)."""
    return Path(tempfile.gettempdir()) / f"dramabatch-length-{minutes:g}.json"


def stage(name: str) -> str:
    return "render_short" if name.startswith("render_short_") else name


def run(minutes: float, cores: str, light: bool, keep: bool, workdir: Path | None = None) -> dict:
    """One length through the workflow; per stage: seconds, peak MB, jobs, declared MB.

    With ``workdir`` the run lives in ``workdir/len<minutes>`` and is kept: run again, it
    resumes (the source is made once; narrate and render_long resume from their pieces), so an
    hour-long run can span sessions. A resumed job's benchmark file counts only its remainder,
    and the wall time only the last run: say so where such figures are reported."""
    if workdir is None:
        wd = Path(tempfile.mkdtemp(prefix=f"dramabatch-length{minutes:g}-"))
    else:
        wd, keep = workdir.resolve() / f"len{minutes:g}", True
        wd.mkdir(parents=True, exist_ok=True)
    src = wd / "drama.mp4"
    if src.exists():
        length = minutes * 60 + 1.0
        print(f"source: {src} already made; resuming the run in {wd}", flush=True)
    else:
        length = source(minutes, src.with_suffix(".part.mp4"), wd)
        src.with_suffix(".part.mp4").rename(src)
    (wd / "manifest.tsv").write_text(f"id\tsource\tlanguage\ttitle\nlen\t{src}\tes\t"
                                     "El capitán\n", encoding="utf-8")
    (wd / "config.yaml").write_text(f"manifest: {wd / 'manifest.tsv'}\noutdir: results\n"
                                    + (LIGHT if light else ""), encoding="utf-8")
    wall, proc = snakemake(wd, "--cores", cores, "--nolock")
    if proc.returncode != 0:
        raise SystemExit(f"workflow failed at {minutes} min (kept in {wd}):\n"
                         + proc.stderr[-3000:])
    narration = json.loads((wd / "results/len/narration.json").read_text())["duration"] / 60
    result = {"minutes": minutes, "source_min": length / 60, "narration_min": narration,
              "wall": wall, "stages": stages_of(wd), "workdir": str(wd)}
    record(minutes).write_text(json.dumps(result, indent=1))
    if not keep:
        shutil.rmtree(wd)
    return result


def stages_of(wd: Path) -> dict[str, dict]:
    """Per stage, from its jobs' ``benchmark:`` files: wall and CPU seconds summed over its
    jobs, the largest job's peak memory, and how many jobs."""
    stages: dict[str, dict] = {}
    for tsv in sorted((wd / "results/benchmarks/len").glob("*.tsv")):
        rec = benchmark_record(tsv)
        s = stages.setdefault(stage(tsv.stem), {"s": 0.0, "cpu": 0.0, "rss": 0.0, "jobs": 0})
        s["s"] += float(rec["s"])
        s["cpu"] += float(rec["cpu_time"]) if rec.get("cpu_time", "-") != "-" else 0.0
        s["rss"] = max(s["rss"], float(rec["max_rss"]) if rec["max_rss"] != "-" else 0.0)
        s["jobs"] += 1
    return stages


def declared(name: str, result: dict) -> int | str:
    """The memory the rule asks for at that length now (workflow.smk.sizing), or "-": by the
    source's minutes for transcribe and narrate (its transcript), by the narration's for the
    others, as the rules read them."""
    rule = "background" if name == "background_portrait" else name
    if rule not in SIZING:
        return "-"
    source = rule in ("transcribe", "narrate")
    return SIZING[rule].mem_mb(result["source_min" if source else "narration_min"])


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b > 0 else "-"


def report(results: list[dict], light: bool, cores: str) -> str:
    results = sorted(results, key=lambda r: r["minutes"])
    short, long = results[0], results[-1]
    names = sorted({n for r in results for n in r["stages"]},
                   key=lambda n: -long["stages"].get(n, {}).get("s", 0))
    head = ["stage"]
    for r in results:
        m = f"{r['minutes']:g} min"
        head += [f"{m}: s/min", f"{m}: CPU s/min", f"{m}: peak MB", f"{m}: declared MB"]
    head += [f"s/min {long['minutes']:g}/{short['minutes']:g}",
             f"CPU s/min {long['minutes']:g}/{short['minutes']:g}",
             f"peak {long['minutes']:g}/{short['minutes']:g}"]
    rows = []
    for n in names:
        row = [n + (f" ({long['stages'][n]['jobs']} jobs)"
                    if long["stages"].get(n, {}).get("jobs", 1) > 1 else "")]
        for r in results:
            s = r["stages"].get(n)
            row += ([f"{s['s'] / r['source_min']:.1f}",
                     f"{s.get('cpu', 0) / r['source_min']:.1f}", f"{s['rss']:.0f}",
                     str(declared(n, r))] if s else ["-", "-", "-", "-"])
        a, b = short["stages"].get(n), long["stages"].get(n)
        if a and b and a["s"] > 0 and a["rss"] > 0:
            row += [f"{(b['s'] / long['source_min']) / (a['s'] / short['source_min']):.2f}",
                    _ratio(b.get("cpu", 0) / long["source_min"],
                           a.get("cpu", 0) / short["source_min"]),
                    f"{b['rss'] / a['rss']:.2f}"]
        else:
            row += ["-", "-", "-"]
        rows.append(row)
    lines = [table(head, rows), ""]
    for r in results:
        lines.append(f"- {r['minutes']:g} min: source {r['source_min']:.1f} min, narration "
                     f"{r['narration_min']:.1f} min, whole run {r['wall'] / 60:.1f} min wall "
                     f"({r['wall'] / r['source_min']:.0f} s per source minute)")
    lines.append(f"\n{cores} cores under nice, beside other work; "
                 + ("LIGHT profile (not the default config)" if light else
                    "default config (shipped + the demo's music, the workflow profile)")
                 + ". s/min: the stage's job seconds (summed over its jobs) per minute of "
                 "source; CPU s/min: the same for the CPU seconds of its jobs' processes (what "
                 "compares across a loaded and a quiet run); peak: max_rss of its largest "
                 "job; declared: the rule's mem_mb from workflow.smk.sizing at that length "
                 "(rules not sized from the drama: -).")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, nargs="+", default=[2, 15, 60])
    parser.add_argument("--cores", default="2")
    parser.add_argument("--light", action="store_true", help="smaller renders (a quick look)")
    parser.add_argument("--keep", action="store_true", help="keep the working directories")
    parser.add_argument("--workdir", type=Path,
                        help="run (and resume) each length in WORKDIR/len<minutes>, kept")
    parser.add_argument("--table-only", action="store_true",
                        help="only tabulate the runs of --minutes already done (their .json)")
    args = parser.parse_args()
    results = []
    for minutes in args.minutes:
        if args.table_only:
            done = json.loads(record(minutes).read_text())
            if Path(done["workdir"]).is_dir():  # kept: its benchmark files, read again
                done["stages"] = stages_of(Path(done["workdir"]))
            results.append(done)
        else:
            results.append(run(minutes, args.cores, args.light, args.keep, args.workdir))
    append_results(f"Length: the same drama at {', '.join(f'{m:g}' for m in args.minutes)} "
                   "minutes", report(results, args.light, args.cores))


if __name__ == "__main__":
    main()
