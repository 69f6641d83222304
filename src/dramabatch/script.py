"""From transcript to narration script (the "guion"): sentences, clauses and pauses.

The script is a list of segments, each a clause of text and the silence that follows it. Narration
synthesises each segment separately and inserts the silences itself, so every subtitle time is
known exactly instead of being guessed from text length afterwards.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

#: Sentence ends: . ! ? … and their CJK forms, optionally followed by closing quotes/brackets.
_SENTENCE_RE = re.compile(r"(?<=[.!?…。！？])[\"'”’»)\]]*\s+")
#: Clause breaks inside a sentence: comma, semicolon, colon (not inside numbers like 3,5 or 10:30).
_CLAUSE_RE = re.compile(r"(?<=[,;:，；：])(?!\d)\s+")


@dataclass(frozen=True)
class Segment:
    """A clause to speak, the sentence it belongs to, and the silence after it."""

    text: str
    sentence: int
    pause_ms: int

    def to_dict(self) -> dict:
        return asdict(self)


def normalise_text(text: str) -> str:
    """NFC-normalise (so 'á' is one code point everywhere) and collapse whitespace."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def split_sentences(text: str) -> list[str]:
    """Split normalised text into sentences, keeping their punctuation (¿…? and ¡…! intact)."""
    text = normalise_text(text)
    if not text:
        return []
    return [s.strip() for s in _SENTENCE_RE.split(text) if s.strip()]


def split_clauses(sentence: str) -> list[str]:
    """Split a sentence at commas, semicolons and colons, keeping the punctuation."""
    return [c.strip() for c in _CLAUSE_RE.split(sentence) if c.strip()]


def build_script(text: str, sentence_pause_ms: int = 600,
                 comma_pause_ms: int = 300) -> list[Segment]:
    """Turn free text into narration segments with pauses after clauses and sentences.

    The final segment gets no trailing pause, so the narration ends on the last word.
    """
    segments: list[Segment] = []
    for s_idx, sentence in enumerate(split_sentences(text)):
        clauses = split_clauses(sentence)
        for c_idx, clause in enumerate(clauses):
            if not any(ch.isalnum() for ch in clause):
                continue  # a stray "..." or "—" alone would make TTS engines fail or hum
            last_in_sentence = c_idx == len(clauses) - 1
            segments.append(
                Segment(clause, s_idx, sentence_pause_ms if last_in_sentence else comma_pause_ms)
            )
    if segments:
        last = segments[-1]
        segments[-1] = Segment(last.text, last.sentence, 0)
    return segments


def script_from_transcript(transcript: dict) -> str:
    """The narration text a transcript yields: its segments' text joined in order."""
    return normalise_text(" ".join(seg["text"] for seg in transcript.get("segments", [])))


def make_script(transcript: dict, override: str | None, options: dict,
                rewrite: dict | None = None) -> dict:
    """The script.json content: from the override text, else the (optionally rewritten) transcript.

    A hand-written override is used verbatim; the rewrite step (``rewrite.enabled``) only applies
    to transcript-derived text.
    """
    from .errors import DramaError

    if override is not None:
        text, origin = override, "override"
    else:
        text, origin = script_from_transcript(transcript), "transcript"
        if rewrite and rewrite.get("enabled"):
            from .rewrite import RewriteOptions, rewrite_text

            opts = RewriteOptions(**rewrite)
            text = rewrite_text(text, transcript.get("language", ""), opts)
            origin = f"rewrite:{opts.model}"
    segments = build_script(text, options.get("sentence_pause_ms", 600),
                            options.get("comma_pause_ms", 300))
    if not segments:
        raise DramaError(f"the narration script is empty (from {origin})")
    return {"language": transcript.get("language", ""), "origin": origin,
            "segments": [s.to_dict() for s in segments]}
