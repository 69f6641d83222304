"""Peak memory of the two Whisper passes, in one pass (as before issue 32) and in windows.

The speech is real Spanish (``length.speech``: runs of the ``../shared/speech/es`` recordings,
never one run twice) at 24 kHz, as long as asked; shorter lengths are the start of the longest.
Each measurement runs in its own process (``ru_maxrss``): the stage's own function
(``speech.transcribe.transcribe``, the whole transcribe stage's work without the audio extraction,
and ``voice.align.recognise_words``, the check by ear's pass over the narration file), once with
the whole audio in one Whisper pass and once in windows of ``--window`` seconds (the shipped
``WINDOW_S`` is 600: choose a smaller one to see windows at lengths that decode in minutes here).
It also reports the word error of the windowed transcript against the one pass (what the cuts
cost) and the seconds each took.

    .venv/bin/python benchmarks/whisper_memory.py --minutes 1 4 --window 60 [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import append_results, table
from length import RATE, speech

from dramabatch.base.audio import read_wav_mono, write_wav_mono

CHILD = r"""
import functools, json, resource, sys, time
pass_, path, window, model = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
start = time.perf_counter()
if pass_ == "transcribe":
    from dramabatch.speech import transcribe as t
    t.BACKENDS["faster-whisper"] = functools.partial(t.transcribe_faster_whisper,
                                                     window_s=window)
    result = t.transcribe(path, t.TranscribeOptions(model=model, language="es"))
    words = [w["word"] for s in result["segments"] for w in s["words"]]
else:
    from dramabatch.voice.align import recognise_words
    heard, _ = recognise_words(path, model, "es", window_s=window)
    words = [w["word"] for w in heard]
print(json.dumps({"seconds": round(time.perf_counter() - start, 1), "words": words,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def measure(pass_: str, wav: Path, window: float, model: str) -> dict:
    out = subprocess.run(["nice", sys.executable, "-c", CHILD, pass_, str(wav), str(window),
                          model], capture_output=True, text=True)
    if out.returncode:  # a drama error (the trust checks) is a result too, not a crash
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        print(f"{pass_} {wav.stem} min, window {window:g} s: failed: {last}", flush=True)
        return {"peak_mb": "failed", "seconds": "-", "words": [], "error": last}
    found = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{pass_} {wav.stem} min, window {window:g} s: {found['peak_mb']} MB, "
          f"{found['seconds']} s, {len(found['words'])} words", flush=True)
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, nargs="+", default=[1, 4])
    ap.add_argument("--window", type=float, default=60.0, help="window seconds (shipped: 600)")
    ap.add_argument("--model", default="bundled-base")
    ap.add_argument("--jobs", type=int, default=2, help="measurements run at once")
    args = ap.parse_args()
    from dramabatch_testkit.textmetrics import wer

    with tempfile.TemporaryDirectory(prefix="whisper-memory-") as tmp:
        longest = Path(tmp) / "speech.wav"
        speech(max(args.minutes) * 60, longest)
        samples, _ = read_wav_mono(longest)
        wavs = {}
        for m in args.minutes:
            wavs[m] = Path(tmp) / f"{m:g}.wav"
            write_wav_mono(wavs[m], samples[:int(m * 60 * RATE)], RATE)
        jobs = [(p, m, w) for m in sorted(args.minutes, reverse=True)
                for p in ("transcribe", "recognise_words") for w in (1e9, args.window)]
        with ThreadPoolExecutor(args.jobs) as pool:
            done = dict(zip(jobs, pool.map(lambda j: measure(j[0], wavs[j[1]], j[2], args.model),
                                           jobs), strict=True))
    rows = []
    for p in ("transcribe", "recognise_words"):
        for m in args.minutes:
            one, win = done[(p, m, 1e9)], done[(p, m, args.window)]
            both = one["words"] and win["words"]
            error = wer(" ".join(one["words"]), " ".join(win["words"])) if both else None
            rows.append([p, f"{m:g}", one["peak_mb"], win["peak_mb"], one["seconds"],
                         win["seconds"], f"{len(one['words'])} / {len(win['words'])}",
                         "-" if error is None else f"{error * 100:.1f} %"])
    body = table(["pass", "minutes", "one pass peak MB", "windowed peak MB", "one pass s",
                  "windowed s", "words one / windowed", "windowed vs one pass WER"], rows)
    append_results(f"Whisper passes in windows of {args.window:g} s ({args.model}, real "
                   f"Spanish speech)", body)


if __name__ == "__main__":
    main()
