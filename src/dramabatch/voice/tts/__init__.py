"""Text-to-speech engines behind one small interface.

An engine turns one clause of text into float32 mono samples. Narration calls it per clause and
inserts the configured silences itself, which is what makes subtitle timing exact. Adding an engine
means writing one class with ``name`` and ``synthesize`` and registering it in ``ENGINES``.

Language: every engine is built for the script's language and refuses one it cannot speak, with a
message saying what to configure. ``tts.voices`` maps a language to what speaks it: an engine name
(``espeak-ng``), ``engine:voice`` (``edge-tts:es-MX-DaliaNeural``, ``kokoro:male``) or a Piper
``.onnx`` path, or a list of those tried in order (the default for Spanish: the offline Kokoro
voice first, the online neural voices next, espeak-ng last); a language without an entry uses
``tts.engine`` (and ``tts.voice``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from ...base.errors import DramaError
from .language import primary_language


class Engine(Protocol):
    name: str

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        """Return (float32 mono samples, sample rate) for ``text``."""
        ...


def _piper(options: dict) -> Engine:
    from .piper_engine import PiperEngine

    return PiperEngine(voice=options.get("voice", "bundled"),
                       length_scale=options.get("length_scale"),
                       language=options.get("language"))


def _gtts(options: dict) -> Engine:
    from .gtts_engine import GTTSEngine

    return GTTSEngine(language=options.get("language") or "en",
                      tld=options.get("gtts_tld", "com"), timeout=options.get("timeout_s", 30))


def _espeak(options: dict) -> Engine:
    from .espeak_engine import EspeakEngine

    return EspeakEngine(language=options.get("language") or "en",
                        voice=options.get("espeak_voice") or None,
                        rate_wpm=options.get("espeak_rate") or 130)


def _kokoro(options: dict) -> Engine:
    from .kokoro_engine import KokoroEngine

    return KokoroEngine(language=options.get("dialect") or options.get("language") or "en",
                        voice=options.get("kokoro_voice") or "female",
                        speed=options.get("kokoro_speed") or 1.0,
                        threads=options.get("threads") or 1)


def _edge(options: dict) -> Engine:
    from .edge_engine import EdgeEngine

    return EdgeEngine(language=options.get("language") or "en", voice=options.get("edge_voice"),
                      timeout=options.get("timeout_s", 30))


ENGINES: dict[str, Callable[[dict], Engine]] = {
    "piper": _piper,
    "gtts": _gtts,
    "espeak-ng": _espeak,
    "edge-tts": _edge,
    "kokoro": _kokoro,
}

#: Where an ``engine:voice`` spec puts the voice, per engine.
_VOICE_KEY = {"piper": "voice", "espeak-ng": "espeak_voice", "edge-tts": "edge_voice",
              "gtts": "gtts_tld", "kokoro": "kokoro_voice"}


def parse_voice_spec(spec: str) -> tuple[str, dict]:
    """``tts.voices`` value -> (engine name, option overrides)."""
    spec = spec.strip()
    if spec.endswith(".onnx"):
        return "piper", {"voice": spec}
    name, _, voice = spec.partition(":")
    if name not in ENGINES:
        raise DramaError(f"tts.voices: unknown engine in {spec!r} (choose from "
                         f"{', '.join(ENGINES)}, optionally 'engine:voice', or a .onnx path)")
    return name, ({_VOICE_KEY[name]: voice} if voice else {})


def engine_plan(options: dict, language: str | None) -> list[tuple[str, dict]]:
    """The ordered (engine, options) list to try for a script in ``language``.

    The language's ``tts.voices`` entry (if any) replaces ``tts.engine``; ``tts.fallback`` follows.
    """
    lang = primary_language(language)
    base = {k: v for k, v in options.items() if k not in ("voices", "fallback", "engine")}
    base["language"] = lang
    base["dialect"] = (language or "").strip()  # es-MX: Kokoro's Latin American phonemes
    voices = {primary_language(k): v for k, v in (options.get("voices") or {}).items()}
    if lang and lang in voices:
        specs = voices[lang] if isinstance(voices[lang], list) else [voices[lang]]
        plan = []
        for spec in specs:
            name, extra = parse_voice_spec(spec)
            plan.append((name, {**base, **extra}))
    else:
        plan = [(options["engine"], base)]
    for name in options.get("fallback") or []:
        if name not in [p[0] for p in plan]:
            plan.append((name, base))
    return plan


#: How to slow each engine down for another take: (option, its default, factor applied). Engines
#: without a speed setting (the online ones) retake with the numbers spelt out only.
_SLOWER = {"kokoro": ("kokoro_speed", 1.0, 0.85), "piper": ("length_scale", 1.0, 1 / 0.85),
           "espeak-ng": ("espeak_rate", 130, 0.85)}


def slower_take(name: str, options: dict) -> dict:
    """``options`` for another take by the same engine and voice, about 15 % slower.

    A clause garbled once (a neural voice rushing a name Whisper misheard into the script) is
    often said right when said again more slowly; the narration then keeps one voice."""
    if name not in _SLOWER:
        return dict(options)
    key, default, factor = _SLOWER[name]
    current = options.get(key) or default
    value = current * factor
    return {**options, key: round(value, 3) if isinstance(value, float) else int(value)}


def make_engine(name: str, options: dict) -> Engine:
    """Build engine ``name``; raise DramaError naming the engine when it cannot start."""
    if name not in ENGINES:
        raise DramaError(f"unknown TTS engine '{name}' (choose from {', '.join(ENGINES)})")
    try:
        return ENGINES[name](options)
    except DramaError:
        raise
    except Exception as exc:  # noqa: BLE001 - report any start-up failure with the engine named
        raise DramaError(f"TTS engine '{name}' could not start: {exc}") from exc
