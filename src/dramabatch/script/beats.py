"""From a recap's checked beats (script/recap.py) to script segments that keep their footage.

A narration beat becomes clauses as any narration does (sentences.build_script), each carrying
the beat's number (``beat``), the transcript segments it cites (``cites``) and its share of the
cited stretch (``source_start``/``source_end``: the stretch split among the clauses in proportion
to their characters, so a sentence's picture is the part of the stretch its words tell about and
every clause stays inside the cited span).

An original moment becomes one segment of ``kind: original``: its text is the drama's own words
(its captions), its source times are the cited segments' span, and narrating puts the source's
own sound there, exactly that many samples long (voice/moments.py), so every later time stays
sample-exact. The scenes step plays its picture at 1x.
"""

from __future__ import annotations

from .sentences import build_script


def beat_segments(beats: list[dict], sentence_pause_ms: int = 600,
                  comma_pause_ms: int = 300) -> list[dict]:
    """Script segments (dicts, in narration order) for the beats of a recap record."""
    out: list[dict] = []
    sentence = 0
    for k, beat in enumerate(beats):
        start, end = float(beat["source_start"]), float(beat["source_end"])
        tags = {"beat": k, "cites": list(beat["segments"])}
        if beat["kind"] == "original":
            out.append({"text": beat["text"], "sentence": sentence, "pause_ms": sentence_pause_ms,
                        "kind": "original", "source_start": round(start, 3),
                        "source_end": round(end, 3), **tags})
            sentence += 1
            continue
        clauses = build_script(beat["text"], sentence_pause_ms, comma_pause_ms)
        total = sum(len(c.text) for c in clauses) or 1
        done = 0
        for n, clause in enumerate(clauses):
            a = start + (end - start) * done / total
            done += len(clause.text)
            b = start + (end - start) * done / total
            pause = sentence_pause_ms if n == len(clauses) - 1 else clause.pause_ms
            out.append({"text": clause.text, "sentence": sentence + clause.sentence,
                        "pause_ms": pause, "source_start": round(a, 3),
                        "source_end": round(b, 3), **tags})
        sentence += 1 + max((c.sentence for c in clauses), default=-1)
    if out:
        out[-1]["pause_ms"] = 0
    return out
