"""Word error rate, used to judge real transcriptions against the text that was spoken."""

from __future__ import annotations

import re


def words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower())


def wer(reference: str, hypothesis: str) -> float:
    """Levenshtein distance over words divided by the reference length."""
    from dramabatch.voice.wer import edit_distance

    ref = words(reference)
    return edit_distance(ref, words(hypothesis)) / max(1, len(ref))
