"""Word error rate of what was heard against what was meant, as a listener would judge it.

Both texts are folded the same way before counting: case, accents and punctuation dropped
('¿Qué?' = 'que'), and every number written as words in the script's language, so a script
saying "1952" and a recogniser writing "mil novecientos cincuenta y dos" (or the reverse) agree,
as do "3 de mayo" and "tres de mayo". A number the voice misreads still counts, word by word.
Numbers use ``num2words`` (LGPL); a language it lacks keeps the digits as they are.
"""

from __future__ import annotations

import re
import unicodedata

from .editpath import edit_path

#: Decimal separator and the word read for it, per language (Spanish "3,5" = "tres coma cinco").
_DECIMAL = {"es": (",", "coma"), "en": (".", "point")}
_NUMBER = re.compile(r"\d+(?:[.,\u00a0]\d{3})*(?:[.,]\d+)?")


def _spell(number: str, language: str) -> str:
    """'1.952' (es) -> 'mil novecientos cincuenta y dos'; unknown language: unchanged."""
    try:
        from num2words import num2words
    except ImportError:  # pragma: no cover - a core dependency
        return number
    sep, word = _DECIMAL.get(language, (".", "point"))
    whole, _, frac = number.rpartition(sep) if sep in number else (number, "", "")
    try:
        spoken = num2words(int(re.sub(r"\D", "", whole)), lang=language or "en")
        if frac:
            spoken += f" {word} {num2words(int(frac), lang=language or 'en')}"
    except (NotImplementedError, ValueError, OverflowError):
        return number
    return spoken


def spell_numbers(text: str, language: str = "") -> str:
    """``text`` with every number written as words (what a retake by ear gives the voice)."""
    lang = (language or "").lower().replace("_", "-").split("-")[0]
    return _NUMBER.sub(lambda m: _spell(m.group(0), lang), text)


def words(text: str, language: str = "") -> list[str]:
    """The comparison words of ``text``: numbers spelt out, then folded to letters/digits."""
    lang = (language or "").lower().replace("_", "-").split("-")[0]
    spelt = _NUMBER.sub(lambda m: f" {_spell(m.group(0), lang)} ", text)
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", spelt.casefold())
                     if not unicodedata.combining(ch))
    return re.findall(r"[^\W_]+", folded)


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Substitutions + deletions + insertions turning ``ref`` into ``hyp`` (Levenshtein)."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i]
        for j, h in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h)))
        prev = cur
    return prev[-1]


def wer(reference: str, heard: str, language: str = "") -> float:
    """Word error rate of ``heard`` against ``reference`` (0 = every word right; can pass 1)."""
    ref, hyp = words(reference, language), words(heard, language)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)


def by_segment(references: list[str], heard: list[str],
               language: str = "") -> tuple[list[int], list[int], list[int]]:
    """One alignment of every heard word against the whole script, split by segment.

    Returns (word errors per segment, reference words per segment, the segment of each heard
    word). Aligning the whole narration at once, rather than cutting the heard words at
    segment times, keeps a word heard a little early or late (across a comma's pause) on the
    segment that says it, instead of counting it as lost in one and added in the other. The
    alignment (``editpath``) takes memory linear in the words: an hour of narration is fine.
    """
    ref = [(w, s) for s, text in enumerate(references) for w in words(text, language)]
    hyp = [(w, h) for h, text in enumerate(heard) for w in words(text, language)]
    ids: dict[str, int] = {}
    path = edit_path([ids.setdefault(w, len(ids)) for w, _ in ref],
                     [ids.setdefault(w, len(ids)) for w, _ in hyp])
    errors = [0] * len(references)
    counts = [0] * len(references)
    for _, s in ref:
        counts[s] += 1
    owner = [-1] * len(heard)
    for kind, i, j in path:  # walking back from the end, as the table was walked
        if kind == 0:
            seg = ref[i - 1][1]
            errors[seg] += ref[i - 1][0] != hyp[j - 1][0]
            owner[hyp[j - 1][1]] = seg
        elif kind == 1:
            errors[ref[i - 1][1]] += 1
        else:  # a heard word the script does not have: on the segment it follows
            seg = ref[i - 1][1] if i else (ref[0][1] if ref else 0)
            errors[seg] += 1
            owner[hyp[j - 1][1]] = seg
    for h in range(len(heard)):  # a heard "word" with nothing to compare (a lone "%")
        if owner[h] < 0:
            owner[h] = owner[h - 1] if h else 0
    return errors, counts, owner
