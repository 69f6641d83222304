"""Levelling the audio Whisper reads: word error rate on real Spanish speech, without and with.

The recordings are the LibriVox reading and the MLS utterance in ``../shared/speech/es`` (their
reference text beside them), plus the quiet-speaker mix of the tests: the first sentences of the
reading, 10.6 s of the MLS speaker 30 dB quieter, the reading again (one 30-second window). For
each, the full ``transcribe`` (VAD, decode, coverage re-decode, checks) runs with
``level_audio`` off and on; the WER is over words, normalised as in ``tests/textmetrics``.

Run: PYTHONPATH=src:tests .venv/bin/python benchmarks/level.py [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
ES = REPO.parent / "shared" / "speech" / "es"
sys.path.insert(0, str(REPO / "tests"))

QUIET_REF = ("Al Señor D. Manuel Tamayo y Baus, secretario perpetuo de la Real Academia "
             "Española. Mi muy querido Manuel: la sorpresa y el disgusto que produjo a wentworth "
             "la substitución de una cuñada por otra el gesto que se dibujó en su fisonomía el "
             "asombro que manifestó y las palabras. Hace algunas semanas que, entreteniendo "
             "nuestros ocios caniculares en esta sosegada villa de Valdemoro")


def inputs(tmp: Path) -> list[tuple[str, Path, str]]:
    from dramabatch.base.audio import extract_audio, read_wav_mono, write_wav_mono

    found = []
    for name, ext in (("capitan_veneno_dedicatoria", "mp3"), ("mls_13697_11991_000000", "opus")):
        wav = tmp / f"{name}.wav"
        extract_audio(ES / f"{name}.{ext}", wav)
        found.append((name, wav, (ES / f"{name}.txt").read_text(encoding="utf-8")))
    rate = 16000
    alarcon, mls = (read_wav_mono(w)[0] for _, w, _ in found)
    mix = np.concatenate([alarcon[:int(8.4 * rate)], np.zeros(int(0.8 * rate), np.float32),
                          mls[:int(10.6 * rate)] * 10 ** (-30 / 20),
                          np.zeros(int(0.8 * rate), np.float32),
                          alarcon[int(9.8 * rate):int(15.7 * rate)]])
    write_wav_mono(tmp / "quiet.wav", mix, rate)
    found.append(("quiet speaker mix", tmp / "quiet.wav", QUIET_REF))
    return found


def main() -> int:
    from textmetrics import wer, words

    from dramabatch.speech.level import load_speech_audio
    from dramabatch.speech.transcribe import TranscribeOptions, transcribe

    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    if not ES.is_dir():
        print(f"real Spanish speech not found at {ES}")
        return 1
    rows, errors = [], {False: [0.0, 0], True: [0.0, 0]}
    with tempfile.TemporaryDirectory() as tmp:
        for name, wav, ref in inputs(Path(tmp)):
            row = {"audio": name}
            for level in (False, True):
                t0 = time.perf_counter()
                load_speech_audio(wav, level)
                load_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                result = transcribe(wav, TranscribeOptions(language="es", threads=args.threads,
                                                           level_audio=level))
                elapsed = time.perf_counter() - t0
                hyp = " ".join(s["text"] for s in result["segments"])
                score = wer(ref, hyp)
                tag = "levelled" if level else "as is"
                row[tag] = {"wer": round(score, 3), "seconds": round(elapsed, 1),
                            "load_s": round(load_s, 2),
                            "retried": len(result["coverage"]["retried"]),
                            "uncovered_share": result["coverage"]["uncovered_share"]}
                if name != "quiet speaker mix":  # pooled over the two real recordings
                    errors[level][0] += score * len(words(ref))
                    errors[level][1] += len(words(ref))
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    pooled = {("levelled" if k else "as is"): round(v[0] / v[1], 3) for k, v in errors.items()}
    print("pooled WER over both recordings:", json.dumps(pooled))
    return 0


if __name__ == "__main__":
    sys.exit(main())
