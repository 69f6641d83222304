"""Which dramas are recapped (``rewrite.mode: recap``), and the language their narration is
voiced in: a recap may be told in another language than the drama's (a Chinese drama recapped
in Spanish is voiced by the Spanish voice), so the voice settings a narration depends on follow
``rewrite.language`` for those dramas (tracks.py)."""

from __future__ import annotations

from typing import Any


def recaps(config: dict, drama: Any) -> bool:
    """The drama's script comes from a recap: the rewrite is on in recap mode, and no
    hand-written script replaces its transcript."""
    rewrite = config["rewrite"]
    return (bool(rewrite["enabled"]) and rewrite.get("mode") == "recap"
            and not getattr(drama, "has_override", False))


def voice_language(config: dict, drama: Any) -> str:
    """The narration's language: a recap's rewrite.language, else the drama's (its manifest
    column, else transcribe.language)."""
    own = config["rewrite"].get("language") if recaps(config, drama) else ""
    return own or getattr(drama, "language", "") or config["transcribe"]["language"]
