"""Cues for the long video that a viewer can read: broken where the language breaks, held long
enough, never faster than a reading speed.

Times come from ``narration.json`` (sample-exact per clause). Rules, from the Netflix Timed Text
Style Guide (general requirements and the English / Spanish guides):

- at most 42 characters a line and 2 lines a cue (``subtitles.max_chars_per_line``/``max_lines``);
- a cue lasts at least 5/6 s (``subtitles.min_cue_s``: 0.833);
- reading speed at most 20 characters per second in English and 17 in Spanish and other
  languages (``subtitles.max_cps``, per language, as the English and Castilian/Latin American
  Spanish guides set them);
- break at sentence ends first, then at clause boundaries (comma, colon, semicolon), then at a
  phrase boundary (before a conjunction, preposition or relative word), never leaving one word
  alone on a cue.

A cue that is too short or too fast first stays up through the pause after it (up to the next
cue); one still too short joins its neighbour when the two fit in one cue.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

#: Words a phrase may start with: a line break before them reads naturally (English, Spanish).
PHRASE_STARTS = frozenset("""
    and but or nor so yet because although though while when where which who whom whose that
    if unless until after before since as than to of in on at by for with without from into
    about over under between through during
    y e o u ni pero sino aunque porque pues cuando donde mientras que quien quienes cuyo cuya
    como si hasta desde hacia para por con sin sobre entre tras durante de del al a en
""".split())


@dataclass
class Cue:
    text: str
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def wrap(text: str, max_chars: int) -> list[str]:
    """Greedy word wrap; a single over-long word stays whole rather than being cut."""
    return textwrap.wrap(text, width=max_chars, break_long_words=False, break_on_hyphens=False)


def fits(text: str, max_chars: int, max_lines: int) -> bool:
    lines = wrap(text, max_chars)
    return len(lines) <= max_lines and all(len(line) <= max_chars for line in lines)


def balanced_lines(text: str, max_chars: int, max_lines: int = 2) -> list[str]:
    """Lines of a cue: two lines of similar length rather than a full line and a stranded word
    ("... junto al / mar."), breaking at punctuation or before a phrase word when it is as good."""
    lines = wrap(text, max_chars)
    if len(lines) != 2 or max_lines < 2:
        return lines
    words = text.split()
    best, best_cost = lines, None
    for k in range(1, len(words)):
        top, bottom = " ".join(words[:k]), " ".join(words[k:])
        if len(top) > max_chars or len(bottom) > max_chars:
            continue
        cost = abs(len(top) - len(bottom))
        if words[k - 1][-1] in ",;:" or words[k].lower().strip("¿¡\"'«“(") in PHRASE_STARTS:
            cost -= 6
        if best_cost is None or cost < best_cost:
            best, best_cost = [top, bottom], cost
    return best


def max_cps_for(limits: dict | float, language: str) -> float:
    """The reading-speed limit for ``language`` from ``subtitles.max_cps``."""
    if isinstance(limits, int | float):
        return float(limits)
    lang = (language or "").split("-")[0].lower()
    return float(limits.get(lang, limits.get("default", 17)))


def _split_phrase(words: list[str], max_chars: int, max_lines: int) -> int:
    """Where to break an over-long clause: the best word index (1..n-1)."""
    best, best_cost = None, None
    n = len(words)
    for k in range(2, n - 1) if n > 3 else range(1, n):
        left, right = " ".join(words[:k]), " ".join(words[k:])
        boundary = words[k].lower().strip("¿¡\"'«“(") in PHRASE_STARTS
        cost = (0 if fits(left, max_chars, max_lines) else 1000) + abs(len(left) - len(right))
        cost -= 40 if boundary else 0
        if best_cost is None or cost < best_cost:
            best, best_cost = k, cost
    return best or max(1, n // 2)


def _split_clause(text: str, start: float, end: float, max_chars: int,
                  max_lines: int) -> list[Cue]:
    """A clause too long for one cue, cut at phrase boundaries; time shared by characters."""
    if fits(text, max_chars, max_lines) or len(text.split()) < 4:
        return [Cue(text, start, end)]
    words = text.split()
    k = _split_phrase(words, max_chars, max_lines)
    left, right = " ".join(words[:k]), " ".join(words[k:])
    middle = start + (end - start) * len(left) / max(1, len(left) + len(right))
    return (_split_clause(left, start, middle, max_chars, max_lines)
            + _split_clause(right, middle, end, max_chars, max_lines))


def build_cues(segments: list[dict], max_chars: int = 42, max_lines: int = 2,
               min_s: float = 0.833, max_cps: float = 17.0) -> list[Cue]:
    by_sentence: dict[int, list[dict]] = {}
    for seg in segments:
        by_sentence.setdefault(seg["sentence"], []).append(seg)
    cues: list[Cue] = []
    groups: list[list[int]] = []  # cue indices per sentence: merging stays inside a sentence
    for sentence in by_sentence.values():
        first = len(cues)
        joined = " ".join(s["text"] for s in sentence)
        if fits(joined, max_chars, max_lines):
            cues.append(Cue(joined, sentence[0]["start"], sentence[-1]["end"]))
        else:
            pending: list[dict] = []
            for seg in [*sentence, None]:
                text = " ".join(s["text"] for s in pending + ([seg] if seg else []))
                if seg is not None and (not pending or fits(text, max_chars, max_lines)):
                    pending.append(seg)
                    continue
                cues += _split_clause(" ".join(s["text"] for s in pending),
                                      pending[0]["start"], pending[-1]["end"], max_chars,
                                      max_lines)
                pending = [seg] if seg else []
        groups.append(list(range(first, len(cues))))
    _hold(cues, min_s, max_cps)
    return _merge_short(cues, groups, max_chars, max_lines, min_s)


def _hold(cues: list[Cue], min_s: float, max_cps: float) -> None:
    """Keep a short or fast cue up through the pause after it, up to the next cue."""
    for k, cue in enumerate(cues):
        limit = cues[k + 1].start if k + 1 < len(cues) else cue.end + min_s
        # one millisecond more than the reading speed asks: the SRT and ASS keep whole
        # milliseconds (centiseconds), and a cue held to exactly the limit came out a hair over
        need = max(min_s, len(cue.text.replace("\n", "")) / max_cps + 0.001)
        if cue.duration < need:
            cue.end = max(cue.end, min(limit, cue.start + need))


def _merge_short(cues: list[Cue], groups: list[list[int]], max_chars: int, max_lines: int,
                 min_s: float) -> list[Cue]:
    """Join a cue still shorter than ``min_s`` with a neighbour of its sentence when both fit."""
    out: list[Cue] = []
    for group in groups:
        run = [cues[i] for i in group]
        changed = True
        while changed and len(run) > 1:
            changed = False
            for k, cue in enumerate(run):
                if cue.duration >= min_s:
                    continue
                for j in (k - 1, k + 1):
                    if 0 <= j < len(run):
                        a, b = sorted((k, j))
                        text = f"{run[a].text} {run[b].text}"
                        if fits(text, max_chars, max_lines):
                            run[a:b + 1] = [Cue(text, run[a].start, run[b].end)]
                            changed = True
                            break
                if changed:
                    break
        out += run
    return out
