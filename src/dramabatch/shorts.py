"""Plan vertical shorts from the narration timeline: whole sentences, bounded length, in order."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Sentence:
    index: int
    start: float
    end: float  # end of speech plus a short tail of the following pause
    text: str


@dataclass(frozen=True)
class ShortPlan:
    number: int
    start: float
    end: float
    first_sentence: int
    last_sentence: int
    text: str

    @property
    def duration(self) -> float:
        return self.end - self.start

    def to_dict(self) -> dict:
        return {**asdict(self), "duration": round(self.duration, 4)}


def sentences(timeline: dict, tail_s: float = 0.3) -> list[Sentence]:
    """Sentences of the narration with their start and (speech end + tail) times."""
    grouped: dict[int, list[dict]] = {}
    for seg in timeline["segments"]:
        grouped.setdefault(seg["sentence"], []).append(seg)
    out = []
    duration = timeline["duration"]
    for idx, segs in sorted(grouped.items()):
        pause = segs[-1].get("pause_ms", 0) / 1000
        end = min(duration, segs[-1]["end"] + min(tail_s, pause))
        out.append(Sentence(idx, segs[0]["start"], end, " ".join(s["text"] for s in segs)))
    return out


def plan_shorts(timeline: dict, max_count: int = 10, min_s: float = 15.0,
                max_s: float = 60.0) -> list[ShortPlan]:
    """Greedy, in order: each short is the fewest whole sentences reaching ``min_s``.

    A start sentence from which no run of sentences fits within [min_s, max_s] is skipped, so a
    single very long sentence cannot make every later short impossible.
    """
    sents = sentences(timeline)
    plans: list[ShortPlan] = []
    i = 0
    while i < len(sents) and len(plans) < max_count:
        j = i
        while j < len(sents) and sents[j].end - sents[i].start < min_s:
            j += 1
        if j == len(sents):
            break
        if sents[j].end - sents[i].start > max_s:
            i += 1
            continue
        plans.append(ShortPlan(
            number=len(plans) + 1,
            start=round(sents[i].start, 4),
            end=round(sents[j].end, 4),
            first_sentence=sents[i].index,
            last_sentence=sents[j].index,
            text=" ".join(s.text for s in sents[i:j + 1]),
        ))
        i = j + 1
    return plans
