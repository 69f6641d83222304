"""Levelling the audio Whisper reads: word error rate on real Spanish speech, without and with.

The recordings are the LibriVox reading and the MLS utterance in ``../shared/speech/es`` (their
reference text beside them), plus the quiet-speaker mix of the tests: the first sentences of the
reading, 10.6 s of the MLS speaker 30 dB quieter, the reading again (one 30-second window). For
each, the full ``transcribe`` (VAD, decode, coverage re-decode, checks) runs three ways: as is
(``level_audio: false``), as shipped (only the stretches decoded again are levelled), and with
the whole audio levelled first (the design measured and rejected: it cost words). The WER is over
words, normalised as in ``dramabatch_testkit.textmetrics``.

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
    from dramabatch.base.media import run_ffmpeg
    from dramabatch.speech.level import LEVEL_FILTER
    from dramabatch.speech.transcribe import TranscribeOptions, transcribe
    from dramabatch_testkit.textmetrics import wer, words

    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    if not ES.is_dir():
        print(f"real Spanish speech not found at {ES}")
        return 1
    rows, errors = [], {tag: [0.0, 0] for tag in ("as is", "shipped", "all levelled")}
    with tempfile.TemporaryDirectory() as tmp:
        for name, wav, ref in inputs(Path(tmp)):
            row = {"audio": name}
            whole = Path(tmp) / f"levelled-{wav.name}"
            t0 = time.perf_counter()
            run_ffmpeg(["-i", str(wav), "-af", LEVEL_FILTER, "-c:a", "pcm_s16le", str(whole)])
            level_s = time.perf_counter() - t0
            for tag, audio, level in (("as is", wav, False), ("shipped", wav, True),
                                      ("all levelled", whole, False)):
                t0 = time.perf_counter()
                result = transcribe(audio, TranscribeOptions(language="es", threads=args.threads,
                                                             level_audio=level))
                elapsed = time.perf_counter() - t0
                hyp = " ".join(s["text"] for s in result["segments"])
                score = wer(ref, hyp)
                row[tag] = {"wer": round(score, 3), "seconds": round(elapsed, 1),
                            "retried": len(result["coverage"]["retried"]),
                            "uncovered_share": result["coverage"]["uncovered_share"]}
                if name != "quiet speaker mix":  # pooled over the two real recordings
                    errors[tag][0] += score * len(words(ref))
                    errors[tag][1] += len(words(ref))
            row["levelling_s"] = round(level_s, 2)
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    pooled = {k: round(v[0] / v[1], 3) for k, v in errors.items()}
    print("pooled WER over both recordings:", json.dumps(pooled))
    return 0


if __name__ == "__main__":
    sys.exit(main())
