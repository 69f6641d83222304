"""Voices by ear: word error rate of each TTS engine's narration as Whisper hears it, and speed.

Per engine (Kokoro female and male, espeak-ng; for English Piper too), each text is cut into
narration segments exactly as the workflow does (``script.compose``), voiced by the product code
(``voice.narrate``), then re-transcribed once by the multilingual Whisper base (the check by
ear's own model and settings) and scored against the text with ``voice.wer`` (case, accents and
punctuation folded, numbers as words). Texts: the Spanish demo drama (``demo/texts``) and the
reference texts of ``../shared/speech/es`` read aloud (Alarcón, MLS); for English the two English
demo texts.

Speed: seconds of synthesis per second of speech, wall and CPU (process time: the ONNX threads
included), on ``--threads`` threads (2: the narrate job's), and the wall time a 60 s narration
takes. Other jobs share this machine's cores, so the wall figures are upper bounds; the CPU
figures are what the voice costs. The load average at the start is printed with the results.

    PYTHONPATH=src .venv/bin/python benchmarks/voices.py [--quick] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from common import REPO, append_results, table

from dramabatch.base.audio import write_wav_mono
from dramabatch.script.sentences import build_script
from dramabatch.voice.align import recognise_words
from dramabatch.voice.narrate import _assemble, _voice
from dramabatch.voice.tts import make_engine
from dramabatch.voice.wer import edit_distance, words

SHARED = REPO.parent / "shared" / "speech" / "es"
ENGINES = {
    "es": [("kokoro female", "kokoro", {"kokoro_voice": "female"}),
           ("kokoro male", "kokoro", {"kokoro_voice": "male"}),
           ("espeak-ng", "espeak-ng", {})],
    "en": [("kokoro female", "kokoro", {"kokoro_voice": "female"}),
           ("kokoro male", "kokoro", {"kokoro_voice": "male"}),
           ("piper (bundled)", "piper", {"voice": "bundled"}),
           ("espeak-ng", "espeak-ng", {})],
}


def texts(quick: bool) -> dict[str, list[tuple[str, str]]]:
    demo = REPO / "demo" / "texts"
    es = [("demo botella", (demo / "botella.es.txt").read_text(encoding="utf-8"))]
    if SHARED.is_dir():
        for txt in sorted(SHARED.glob("*.txt")):
            es.append((txt.stem.split("_")[0], txt.read_text(encoding="utf-8")))
    else:
        print(f"note: {SHARED} is absent; Spanish rows use the demo text only")
    en = [("demo lighthouse", (demo / "lighthouse.txt").read_text(encoding="utf-8")),
          ("demo letter", (demo / "letter.txt").read_text(encoding="utf-8"))]
    if quick:
        es, en = es[:1] + [t for t in es if t[0] == "mls"], en[:1]
    return {"es": es, "en": en}


def measure(language: str, text: str, name: str, options: dict, threads: int) -> dict:
    segments = [s.to_dict() for s in build_script(text, sentence_pause_ms=600,
                                                  comma_pause_ms=300)]
    engine = make_engine(name, {"language": language, "dialect": language,
                                "threads": threads, **options})
    engine.synthesize("Hola.")  # warm-up (model load, first-run graph optimisation)
    wall, cpu = time.perf_counter(), time.process_time()
    pieces, rate = _voice(segments, engine)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    samples, _ = _assemble(segments, pieces, rate)
    speech = sum(len(p) for p in pieces) / rate
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "n.wav"
        write_wav_mono(wav, samples, rate)
        heard, _ = recognise_words(wav, "bundled-base", language, threads)
    ref = words(text, language)
    errors = edit_distance(ref, words(" ".join(w["word"] for w in heard), language))
    return {"words": len(ref), "errors": errors, "speech": speech, "wall": wall, "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one text per language")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rows = []
    for language, items in texts(args.quick).items():
        for label, name, options in ENGINES[language]:
            total = {"words": 0, "errors": 0, "speech": 0.0, "wall": 0.0, "cpu": 0.0}
            per_text = []
            for title, text in items:
                m = measure(language, text, name, options, args.threads)
                per_text.append(f"{title} {100 * m['errors'] / m['words']:.0f} %")
                for k in total:
                    total[k] += m[k]
                print(language, label, title, m, flush=True)
            rows.append([language, label, f"{100 * total['errors'] / total['words']:.1f} %",
                         ", ".join(per_text), f"{total['speech']:.1f}",
                         f"{total['wall'] / total['speech']:.2f}",
                         f"{total['cpu'] / total['speech']:.2f}",
                         f"{60 * total['wall'] / total['speech']:.0f}"])
    body = (f"Whisper base (beam 5, language forced) re-transcribes each engine's narration; WER "
            f"over all words of the texts (folded: case, accents, punctuation; numbers as "
            f"words). Synthesis on {args.threads} threads; load average at start {load:.1f} "
            f"(other jobs share the cores: wall is an upper bound, CPU is the voice's cost).\n\n"
            + table(["lang", "engine", "WER", "per text", "speech s", "wall s / speech s",
                     "CPU s / speech s", "wall s per 60 s"], rows))
    append_results("Voices by ear (benchmarks/voices.py" + (" --quick)" if args.quick else ")"),
                   body)


if __name__ == "__main__":
    main()
