"""Narrate's memory while voicing: Kokoro in the job's process against child processes
(voice/voicer.py), on the same texts.

The texts are the distinct spoken lines of a script of ``--script``, such as a kept run of
benchmarks/length.py's hour, the longest ``--texts`` of them; else the sentences of
benchmarks/texts/sixty.txt, in English). Each mode voices them into a fresh piece store in its own
process tree, sampled every 0.2 s: the peak RSS of the voicing process (the job itself, or the
largest child) and of the job's process, and the seconds. A smaller ``--batch`` shows children
being replaced.

    .venv/bin/python benchmarks/narrate_memory.py [--script results/len/script.json]
        [--texts 40] [--batch 150]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from common import REPO, append_results, table

#: The job: voice every text, in-process or through voicer; print nothing but errors.
JOB = """
import json, sys
from dramabatch.voice.pieces import PieceStore
from dramabatch.voice.tts import make_engine
from dramabatch.voice import voicer
mode, folder, batch, language = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
texts = json.load(sys.stdin)
options = {"language": language, "voice": "female", "threads": 1}
if mode == "job":
    store, engine = PieceStore(folder), make_engine("kokoro", options)
    for text in texts:
        store.voice(engine, text)
else:
    voicer.voice_texts("kokoro", options, texts, folder, batch=batch)
"""


def texts(script: Path | None, count: int) -> tuple[list[str], str]:
    """The ``count`` longest distinct spoken texts, in script order (the hardest batch), and
    their language."""
    from dramabatch.voice.narrate import speakable

    if script is not None:
        doc = json.loads(script.read_text(encoding="utf-8"))
        lines = [speakable(s["text"]) for s in doc["segments"] if s.get("kind") != "original"]
        language = doc.get("language") or "es"
    else:
        prose = " ".join((REPO / "benchmarks/texts/sixty.txt").read_text().split())
        lines, language = [t.strip() + "." for t in prose.split(".") if t.strip()], "en"
    lines = list(dict.fromkeys(lines))
    longest = set(sorted(lines, key=lambda t: -len(t.split()))[:count])
    return [t for t in lines if t in longest], language


def measure(mode: str, lines: list[str], batch: int, language: str) -> dict:
    """Voice ``lines`` in ``mode`` (job / children); peak RSS of the job and of the voicer."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", JOB, mode, folder, str(batch), language],
                                stdin=subprocess.PIPE, text=True)
        proc.stdin.write(json.dumps(lines))
        proc.stdin.close()
        job = psutil.Process(proc.pid)
        peak_job = peak_voicer = 0
        children = set()
        while proc.poll() is None:
            try:
                peak_job = max(peak_job, job.memory_info().rss)
                for child in job.children(recursive=True):
                    children.add(child.pid)
                    peak_voicer = max(peak_voicer, child.memory_info().rss)
            except psutil.Error:
                pass
            time.sleep(0.2)
        if proc.returncode != 0:
            raise SystemExit(f"{mode}: voicing failed ({proc.returncode})")
        return {"mode": mode, "s": time.perf_counter() - started, "job_mb": peak_job >> 20,
                "voicer_mb": (peak_voicer or peak_job) >> 20, "children": len(children)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--script", type=Path, help="a script.json (default: benchmarks/texts)")
    parser.add_argument("--texts", type=int, default=40)
    parser.add_argument("--batch", type=int, default=150)
    args = parser.parse_args()
    lines, language = texts(args.script, args.texts)
    words = sum(len(t.split()) for t in lines)
    rows = []
    for mode in ("job", "children"):
        r = measure(mode, lines, args.batch, language)
        rows.append([r["mode"], f"{r['s']:.0f}", r["job_mb"], r["voicer_mb"], r["children"]])
    body = table(["voiced in", "s", "job's own peak MB", "voicing process peak MB",
                  "children"], rows)
    longest = max(len(t.split()) for t in lines)
    body += (f"\n\n{len(lines)} texts, {words} words (the longest {longest}), Kokoro on 1 "
             f"thread; children replaced every {args.batch} texts.")
    append_results("Narrate's memory while voicing", body)


if __name__ == "__main__":
    main()
