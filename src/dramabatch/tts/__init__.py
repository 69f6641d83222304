"""Text-to-speech engines behind one small interface.

An engine turns one clause of text into float32 mono samples. Narration calls it per clause and
inserts the configured silences itself, which is what makes subtitle timing exact. Adding an engine
means writing one class with ``name`` and ``synthesize`` and registering it in ``ENGINES``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from ..errors import DramaError


class Engine(Protocol):
    name: str

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        """Return (float32 mono samples, sample rate) for ``text``."""
        ...


def _piper(options: dict) -> Engine:
    from .piper_engine import PiperEngine

    return PiperEngine(voice=options.get("voice", "bundled"),
                       length_scale=options.get("length_scale"))


def _gtts(options: dict) -> Engine:
    from .gtts_engine import GTTSEngine

    return GTTSEngine(language=options["language"], tld=options.get("gtts_tld", "com"),
                      timeout=options.get("timeout_s", 30))


def _espeak(options: dict) -> Engine:
    from .espeak_engine import EspeakEngine

    return EspeakEngine(language=options["language"], voice=options.get("espeak_voice"))


ENGINES: dict[str, Callable[[dict], Engine]] = {
    "piper": _piper,
    "gtts": _gtts,
    "espeak-ng": _espeak,
}


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
