"""Plan vertical shorts from the narration timeline: whole sentences, bounded length, chosen
across the whole drama by a documented score, kept in story order.

Every run of consecutive whole sentences lasting between ``min_s`` and ``max_s`` is a candidate.
Its score (0..1) adds up what makes a short work on its own:

- 0.4 x speech density: the share of the short that is voice rather than pause;
- 0.3 x hook: the first sentence is a question or an exclamation (``?`` ``!``, ``¿`` ``¡``);
- 0.2 x intensity: questions and exclamations in the short, saturating at three;
- 0.1 x fit: how close the length is to the middle of [min_s, max_s].

Choosing only the highest scores would bunch the shorts where the story is loudest, so the
timeline is cut into ``max_count`` equal stretches and each stretch contributes its best candidate
(starting inside it, not overlapping one already chosen); free places then go to the best
remaining candidates. The plan records every short's score and why.

A narration shorter than ``min_s`` gets one short of all of it (``whole_if_short``); a drama for
which no short can be made fails with the reason, never with zero shorts in silence.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..base.errors import DramaError

WEIGHTS = {"density": 0.4, "hook": 0.3, "intensity": 0.2, "fit": 0.1}


@dataclass(frozen=True)
class Sentence:
    index: int
    start: float
    end: float  # end of speech plus a short tail of the following pause
    text: str
    speech: float  # seconds of voice (segment spans) in the sentence


@dataclass(frozen=True)
class ShortPlan:
    number: int
    start: float
    end: float
    first_sentence: int
    last_sentence: int
    text: str
    score: float = 0.0
    why: list[str] = field(default_factory=list)

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
        out.append(Sentence(idx, segs[0]["start"], end, " ".join(s["text"] for s in segs),
                            sum(s["end"] - s["start"] for s in segs)))
    return out


def _marks(text: str) -> int:
    return sum(text.count(ch) for ch in "?!")


def score(run: list[Sentence], min_s: float, max_s: float) -> tuple[float, list[str]]:
    """The candidate's score and the reasons, in words."""
    duration = run[-1].end - run[0].start
    density = min(1.0, sum(s.speech for s in run) / duration) if duration > 0 else 0.0
    first = run[0].text.rstrip("\"'”’»)] ")
    hook = 1.0 if first.endswith(("?", "!")) else 0.0
    intensity = min(1.0, sum(_marks(s.text) for s in run) / 3)
    middle, half = (min_s + max_s) / 2, max(1e-6, (max_s - min_s) / 2)
    fit = max(0.0, 1 - abs(duration - middle) / half)
    parts = {"density": density, "hook": hook, "intensity": intensity, "fit": fit}
    total = sum(WEIGHTS[k] * v for k, v in parts.items())
    why = [f"speech {density:.0%} of {duration:.1f} s"]
    if hook:
        why.append("opens with a question or exclamation")
    if intensity:
        why.append(f"{sum(_marks(s.text) for s in run)} question/exclamation mark(s)")
    return round(total, 4), why


def candidates(sents: list[Sentence], min_s: float, max_s: float) -> list[tuple[int, int]]:
    """Every (first, last) index pair of whole sentences whose span is within [min_s, max_s]."""
    out = []
    for i, first in enumerate(sents):
        for j in range(i, len(sents)):
            length = sents[j].end - first.start
            if length > max_s:
                break
            if length >= min_s:
                out.append((i, j))
    return out


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return not (a[1] < b[0] or b[1] < a[0])


def plan_shorts(timeline: dict, max_count: int = 10, min_s: float = 15.0, max_s: float = 60.0,
                whole_if_short: bool = True) -> list[ShortPlan]:
    """The best non-overlapping runs of whole sentences, spread over the drama, in story order."""
    sents = sentences(timeline)
    if max_count <= 0 or not sents:
        return []
    total = sents[-1].end - sents[0].start
    if total < min_s:
        if not whole_if_short:
            raise DramaError(f"the narration lasts {total:.1f} s, shorter than one short "
                             f"({min_s:g} s): no short made (shorts.whole_if_short is off)")
        return [_plan(1, sents, (0, len(sents) - 1), min_s, max_s, "the whole narration "
                      f"({total:.1f} s) is shorter than shorts.min_seconds")]
    pool = candidates(sents, min_s, max_s)
    if not pool:
        longest = max(s.end - s.start for s in sents)
        raise DramaError(f"no run of whole sentences lasts between {min_s:g} and {max_s:g} s "
                         f"(the longest sentence is {longest:.1f} s): no short can be made; "
                         f"raise shorts.max_seconds")
    scored = {c: score(sents[c[0]:c[1] + 1], min_s, max_s) for c in pool}
    best = sorted(pool, key=lambda c: (-scored[c][0], c))
    chosen: list[tuple[int, int]] = []
    zone = total / max_count
    for k in range(max_count):
        lo, hi = sents[0].start + k * zone, sents[0].start + (k + 1) * zone
        for c in best:
            if lo <= sents[c[0]].start < hi and not any(_overlaps(c, o) for o in chosen):
                chosen.append(c)
                break
    for c in best:
        if len(chosen) >= max_count:
            break
        if not any(_overlaps(c, o) for o in chosen):
            chosen.append(c)
    chosen.sort()
    return [_plan(n, sents, c, min_s, max_s) for n, c in enumerate(chosen, start=1)]


def _plan(number: int, sents: list[Sentence], c: tuple[int, int], min_s: float, max_s: float,
          note: str = "") -> ShortPlan:
    run = sents[c[0]:c[1] + 1]
    value, why = score(run, min_s, max_s)
    return ShortPlan(number=number, start=round(run[0].start, 4), end=round(run[-1].end, 4),
                     first_sentence=run[0].index, last_sentence=run[-1].index,
                     text=" ".join(s.text for s in run), score=value,
                     why=([note] if note else []) + why)
