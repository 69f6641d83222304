"""Checking a recap answer before anything is voiced: parse it, then hold it against the transcript.

The endpoint is asked for JSON but a model may wrap it in prose or a code fence, cite segments
that do not exist, jump back in the story, write more than its footage can carry, or answer in
another language. Each of those is an error in words the model can act on (they are sent back in
the repair round, script/recap.py) and that a person reads in the run summary when the drama
falls back to the transcript.

Fit: a narration beat is heard over the source stretch of the segments it cites, played at
0.8-1.25x (the scenes step's bounds). Its spoken length is estimated from its characters at
``chars_per_second``: 12.5 by default, the slowest offline voice measured (espeak-ng at its
configured 130 words/min: 13.0 chars/s in Spanish, 12.7 in English; Piper's bundled English
voice: 19.5). Estimating with the slowest voice means a narration that fits, fits under any
voice: a faster one only trims the stretch's end. A beat whose estimate exceeds its stretch at
the slowest speed by more than ``FIT_SLACK_S`` is too long for its footage.

Language: the narration is held against the asked language by base.language (fastText's model
of 176 languages, from the wheel): any language Whisper transcribes but six is judged, and a
near language (Indonesian for Malay) or a text too short to tell is let through, not refused.
"""

from __future__ import annotations

import json
import re

from ..base.language import guess_language, wrong_language

__all__ = ["check_beats", "guess_language", "parse_answer"]

#: The slowest the scenes step plays a stretch (source seconds per narration second).
SLOWEST = 0.8
#: Seconds a narration may run past its stretch at the slowest speed (a held last frame).
FIT_SLACK_S = 1.0
#: The recap's estimated length must stay within these shares of its target.
TARGET_BOUNDS = (0.5, 1.4)
#: Longest original moment (seconds): a key line, not a scene played whole.
MAX_ORIGINAL_S = 20.0
#: An original moment runs this much past its segment's end, into the silence before the next
#: one: Whisper ends a segment on its last word's onset-heavy part and would clip the tail.
ORIGINAL_TAIL_S = 0.3
def parse_answer(text: str) -> tuple[list | None, str]:
    """The beats list of an answer (None and why when there is none): a JSON object with
    ``beats``, or a bare list; a code fence or prose around the JSON is tolerated."""
    body = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip(), flags=re.I)
    data = None
    for candidate in (body, _outer(body, "{", "}"), _outer(body, "[", "]")):
        if not candidate:
            continue
        try:
            data = json.loads(candidate)
            break
        except ValueError:
            continue
    if data is None:
        return None, "the answer is not JSON"
    beats = data.get("beats") if isinstance(data, dict) else data
    if not isinstance(beats, list) or not beats:
        return None, "the answer has no non-empty 'beats' list"
    return beats, ""


def _outer(text: str, left: str, right: str) -> str:
    a, b = text.find(left), text.rfind(right)
    return text[a:b + 1] if 0 <= a < b else ""


def check_beats(beats: list, segments: list[dict], language: str, target_s: float,
                chars_per_second: float, pause_s: float) -> tuple[list[dict], list[str]]:
    """(normalised beats, errors). A normalised beat: ``kind`` (narration|original),
    ``segments`` (transcript indices, ascending), ``text`` (an original moment's: its own
    words), ``source_start``/``source_end`` (the cited stretch) and ``estimate_s``."""
    out: list[dict] = []
    errors: list[str] = []
    last = -1
    for k, beat in enumerate(beats):
        where = f"beat {k}"
        if not isinstance(beat, dict):
            errors.append(f"{where} is not an object")
            continue
        kind = str(beat.get("type", beat.get("kind", ""))).lower()
        if kind not in ("narration", "original"):
            errors.append(f"{where}: type must be 'narration' or 'original', not {kind!r}")
            continue
        cited = beat.get("segments")
        if (not isinstance(cited, list) or not cited
                or not all(isinstance(n, int) and not isinstance(n, bool) for n in cited)):
            errors.append(f"{where}: 'segments' must be a non-empty list of segment numbers")
            continue
        missing = [n for n in cited if not 0 <= n < len(segments)]
        if missing:
            errors.append(f"{where}: segments {missing} do not exist (0-{len(segments) - 1})")
            continue
        if cited != sorted(set(cited)) or cited[0] <= last:
            errors.append(f"{where}: segments {cited} are not after the previous beat's "
                          f"(last {last}) in ascending order: beats must follow the story")
            continue
        last = cited[-1]
        start, end = float(segments[cited[0]]["start"]), float(segments[cited[-1]]["end"])
        if kind == "original":
            if end - start > MAX_ORIGINAL_S:
                errors.append(f"{where}: an original moment of {end - start:.1f} s is longer "
                              f"than {MAX_ORIGINAL_S:g} s; cite only its key line")
                continue
            text = " ".join(str(segments[n]["text"]).strip() for n in cited)
            after = (float(segments[cited[-1] + 1]["start"]) if cited[-1] + 1 < len(segments)
                     else end + ORIGINAL_TAIL_S)
            end = min(end + ORIGINAL_TAIL_S, max(end, after))
            out.append({"kind": "original", "segments": cited, "text": text,
                        "source_start": start, "source_end": end,
                        "estimate_s": round(end - start, 2)})
            continue
        text = str(beat.get("text", "")).strip()
        if not any(ch.isalnum() for ch in text):
            errors.append(f"{where}: a narration beat needs its 'text'")
            continue
        estimate = len(text) / chars_per_second
        room = (end - start) / SLOWEST + FIT_SLACK_S
        if estimate > room:
            errors.append(f"{where}: its narration takes about {estimate:.1f} s to say but its "
                          f"segments {cited[0]}-{cited[-1]} show {end - start:.1f} s of footage "
                          f"(at most {room:.1f} s of narration): shorten it to about "
                          f"{int(room * chars_per_second)} characters or cite more segments")
            continue
        out.append({"kind": "narration", "segments": cited, "text": text,
                    "source_start": start, "source_end": end, "estimate_s": round(estimate, 2)})
    if errors:
        return out, errors
    if not any(b["kind"] == "narration" for b in out):
        errors.append("the recap has no narration beat")
    said = wrong_language(" ".join(b["text"] for b in out if b["kind"] == "narration"),
                          language)
    if said:
        errors.append(f"the narration is in '{said}', not in '{language}' as asked")
    total = sum(b["estimate_s"] + pause_s for b in out)
    low, high = TARGET_BOUNDS
    if not low * target_s <= total <= high * target_s:
        errors.append(f"the recap lasts about {total:.0f} s but the target is {target_s:.0f} s "
                      f"(between {low * target_s:.0f} and {high * target_s:.0f} s): "
                      f"{'shorten' if total > target_s else 'lengthen'} it")
    return out, errors
