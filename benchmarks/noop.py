"""The cost of doing nothing: a finished 100-drama batch rerun (0 jobs) and `snakemake -n`.

Runs one tiny drama for real, then clones its finished results into 100 dramas and lets
Snakemake record them as complete (`--touch`), so the measurement is the DAG and metadata check
of a real finished batch, not of an empty one. Target: the no-op `-n` in at most 3 s.

    .venv/bin/python benchmarks/noop.py [--dramas 100]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from common import append_results, snakemake, table

from dramabatch.base.audio import write_wav_mono  # noqa: E402
from dramabatch.voice.tts.piper_engine import PiperEngine  # noqa: E402
from dramabatch_testkit.media import SENTENCE_A, make_video
from dramabatch_testkit.runner import TINY_CONFIG


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dramas", type=int, default=100)
    args = parser.parse_args()
    wd = Path(tempfile.mkdtemp(prefix="dramabatch-noop-"))
    samples, rate = PiperEngine().synthesize(SENTENCE_A)
    write_wav_mono(wd / "a.wav", samples, rate)
    source = make_video(wd / "a.mp4", wav=wd / "a.wav", seconds=len(samples) / rate + 0.3)
    ids = [f"d{i:03d}" for i in range(args.dramas)]
    (wd / "one.tsv").write_text(f"id\tsource\n{ids[0]}\t{source}\n")
    (wd / "config.yaml").write_text(TINY_CONFIG.format(manifest=wd / "one.tsv"))
    _, proc = snakemake(wd, "--cores", "2")
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    for drama in ids[1:]:
        shutil.copytree(wd / "results" / ids[0], wd / "results" / drama, symlinks=True)
        srt = wd / "results" / drama / f"{ids[0]}.srt"
        srt.rename(srt.with_name(f"{drama}.srt"))
    (wd / "all.tsv").write_text("id\tsource\n" + "".join(f"{d}\t{source}\n" for d in ids))
    (wd / "config.yaml").write_text(TINY_CONFIG.format(manifest=wd / "all.tsv"))
    touch_s, proc = snakemake(wd, "--touch", "--cores", "1")
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    rows = []
    for label, extra in (("snakemake -n", ["-n", "--cores", "1"]),
                         ("snakemake --cores 1 (rerun)", ["--cores", "1"])):
        wall, proc = snakemake(wd, *extra)
        out = proc.stdout + proc.stderr
        nothing = "Nothing to be done" in out
        rows.append([label, f"{wall:.2f}", "0" if nothing else "some (see log)"])
    body = table([f"{args.dramas} finished dramas", "wall s", "jobs"], rows)
    body += "\n\nTarget: the no-op `-n` <= 3 s."
    append_results("No-op cost of a finished batch", body)
    shutil.rmtree(wd)


if __name__ == "__main__":
    main()
