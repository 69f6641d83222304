"""Whisper's repetition loops cut out of the narration: a transcript's loop is never voiced.

Whisper sometimes falls into a loop: the same few words again and again until its window ends.
On the hour-long drama of benchmarks/length.py, Whisper base wrote "la isla de" 52 times in a
row (29 s of the source), "el asombró en suficionomía," 10 times and "su" 111 times. The
transcript's gate (``speech.trust.check_quality``) fails a drama when most of it loops; 9 such
segments in 684 passed it, and the narration said "la isla de la isla de la isla de..." for
half a minute. So the script is made from what was said once:

- inside a segment, a run of the same n-gram (1 to ``MAX_NGRAM`` words) more than
  ``speech.trust.MAX_REPEATS`` times in a row keeps its first occurrence; "no, no, no" (three
  times, speech) is kept whole;
- a run of more than ``MAX_REPEATS`` segments with the same words (a loop Whisper split into
  segments, ``speech.trust.looped``) keeps its first segment.

Words are compared lower-cased without punctuation. The transcript itself is left as Whisper
wrote it (its quality record counts the loops); the script says how much was cut.
"""

from __future__ import annotations

import re

from ..speech.trust import MAX_REPEATS, looped

#: Longest repeated phrase looked for, in words.
MAX_NGRAM = 8


def _key(word: str) -> str:
    return "".join(re.findall(r"\w+", word.lower()))


def unloop(text: str) -> tuple[str, int]:
    """``text`` with each loop cut to its first occurrence; (text, words cut)."""
    words = text.split()
    keys = [_key(w) for w in words]
    cut = 0
    changed = True
    while changed:
        changed = False
        for n in range(1, MAX_NGRAM + 1):
            i = 0
            while i + n <= len(keys):
                gram = keys[i:i + n]
                reps = 1
                while keys[i + reps * n:i + (reps + 1) * n] == gram:
                    reps += 1
                if reps > MAX_REPEATS and any(gram):
                    drop = slice(i + n, i + reps * n)
                    cut += (reps - 1) * n
                    del words[drop]
                    del keys[drop]
                    changed = True
                i += 1
    return " ".join(words), cut


def said_once(segments: list[dict]) -> tuple[list[str], dict]:
    """Each transcript segment's text as the script takes it (``""`` for a looped segment
    after the first of its run); and a record of what was cut (empty when nothing was)."""
    repeated = looped(segments)
    texts: list[str] = []
    words = dropped = 0
    for k, seg in enumerate(segments):
        if k in repeated and k - 1 in repeated and _same(seg, segments[k - 1]):
            texts.append("")
            dropped += 1
            continue
        text, cut = unloop(seg["text"])
        texts.append(text)
        words += cut
    record = {}
    if words or dropped:
        record = {"loop_words_cut": words, "loop_segments_cut": dropped}
    return texts, record


def _same(a: dict, b: dict) -> bool:
    return [_key(w) for w in a.get("text", "").split()] == \
        [_key(w) for w in b.get("text", "").split()]
