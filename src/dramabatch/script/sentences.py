"""The narration script's text primitives: sentences, clauses, pauses and source times.

The script is a list of segments, each a clause of text and the silence that follows it. Narration
synthesises each segment separately and inserts the silences itself, so every subtitle time is
known exactly instead of being guessed from text length afterwards.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

from .unloop import said_once

#: A candidate sentence end: . ! ? … (or several), closing quotes/brackets, then whitespace.
_END_RE = re.compile(r"[.!?…。！？]+[\"'”’»)\]]*\s+")
#: Abbreviations whose period never ends a sentence (Spanish and English; compared lower-cased,
#: accents kept). "etc." is not here: followed by a capital it does end one.
ABBREVIATIONS = frozenset("""
    sr sra srta sres sras dr dra dres dras d dña ud uds vd vds lic lcda lcdo ing prof profa
    gral cnel tte cap sto sta mons pbro av avda c cía pág págs núm nro vol art fig ej aprox
    tel dpto depto ee mr mrs ms st jr vs e.g i.e no
""".split())
#: Clause breaks inside a sentence: comma, semicolon, colon (not inside numbers like 3,5 or 10:30).
_CLAUSE_RE = re.compile(r"(?<=[,;:，；：])(?!\d)\s+")
_OPENERS = {"«": "»", "“": "”", "(": ")", "[": "]"}


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


def _ends_sentence(text: str, match: re.Match) -> bool:
    """Is this candidate end a real one? Not after a title ('Sr.', 'EE.'), an initial ('J.'),
    nor before a lower-case continuation ('¿Vienes? —preguntó', '…y luego')."""
    rest = text[match.end():]
    first = next((ch for ch in rest if ch.isalnum()), "")
    if first and first.islower():
        return False
    punct = match.group(0).rstrip()
    if punct.startswith(".") and not punct.startswith(".."):
        word = re.search(r"([\w.]+)$", text[:match.start()])
        token = word.group(1).lower() if word else ""
        if token in ABBREVIATIONS or token.split(".")[-1] in ABBREVIATIONS:
            return False
        if len(token) == 1 and token.isalpha():  # an initial: "J. K. Rowling"
            return False
    return True


def split_sentences(text: str) -> list[str]:
    """Split normalised text into sentences, keeping their punctuation.

    Knows Spanish: ``¿…?`` and ``¡…!`` stay whole, titles such as ``Sr.``, ``Dra.`` or ``EE. UU.``
    and initials do not end a sentence, a question followed by a lower-case narrator's phrase
    continues it, and decimals (``3,5``, ``2.5``) never split since no space follows the mark.
    """
    text = normalise_text(text)
    sentences, start = [], 0
    for match in _END_RE.finditer(text):
        if _ends_sentence(text, match):
            sentences.append(text[start:match.end()].strip())
            start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def split_clauses(sentence: str) -> list[str]:
    """Split a sentence at commas, semicolons and colons, keeping the punctuation.

    Never inside a quotation or parenthesis (``«adiós, corazón»`` stays one clause).
    """
    clauses, start, closing = [], 0, []
    for match in _CLAUSE_RE.finditer(sentence):
        closing = []
        for ch in sentence[:match.start()]:
            if ch in _OPENERS:
                closing.append(_OPENERS[ch])
            elif closing and ch == closing[-1]:
                closing.pop()
        if not closing:
            clauses.append(sentence[start:match.start()].strip())
            start = match.end()
    clauses.append(sentence[start:].strip())
    return [c for c in clauses if c]


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
    """The narration text a transcript yields: its segments' text joined in order, Whisper's
    repetition loops cut (``unloop``)."""
    texts, _ = said_once(transcript.get("segments", []))
    return normalise_text(" ".join(texts))


def _char_times(transcript: dict) -> tuple[str, list[float]] | None:
    """The script text a transcript yields and, per character, the source time it was said at.

    Inside a segment, a word's characters take its own times (word timestamps) and the rest is
    interpolated linearly across the segment. None when the pieces do not rebuild the script text
    exactly (then no source time is claimed rather than a wrong one).
    """
    text, times = "", []
    segments = transcript.get("segments", [])
    for seg, said in zip(segments, said_once(segments)[0], strict=True):
        piece = normalise_text(said)
        if not piece:
            continue
        start, end = float(seg["start"]), float(max(seg["end"], seg["start"]))
        own = [start + (end - start) * k / max(1, len(piece) - 1) for k in range(len(piece))]
        cursor = 0
        for word in seg.get("words") or []:
            at = piece.find(normalise_text(word.get("word", "")), cursor)
            if at < 0 or not word.get("word", "").strip():
                continue
            n = len(normalise_text(word["word"]))
            for k in range(n):
                own[at + k] = word["start"] + (word["end"] - word["start"]) * k / max(1, n - 1)
            cursor = at + n
        if text:
            text += " "
            times.append(times[-1])
        text += piece
        times += own
    return (text, times) if text == script_from_transcript(transcript) else None


def source_times(transcript: dict, text: str, segments: list[Segment]) -> list[dict]:
    """Each segment's stretch of the source (``source_start``/``source_end``, seconds): where the
    transcript said its words. Empty dicts when ``text`` is not the transcript's own text."""
    mapped = _char_times(transcript)
    if mapped is None or mapped[0] != normalise_text(text):
        return [{} for _ in segments]
    full, times = mapped
    out, cursor = [], 0
    for seg in segments:
        at = full.find(seg.text, cursor)
        if at < 0:
            out.append({})
            continue
        cursor = at + len(seg.text)
        out.append({"source_start": round(times[at], 3), "source_end": round(times[cursor - 1], 3)})
    return out
