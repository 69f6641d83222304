"""Judging one video's numbers against the ``qc.*`` thresholds.

Every check is a number where higher is worse, and a ``{warn, fail}`` pair from the config (null:
never at that level). The numbers come from ``measure`` and ``captions``; a check that could not
be measured for this video (no captions expected, a generated background has no motion to
freeze) is left out rather than passed on a guess, and the record says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from .captions import Offsets
from .measure import FREEZE_MIN_S, Measures
from .source import Excused, Span, merge

#: How close to the video's first or last frame a black stretch must reach to be a fade there
#: (a frame or two at the check's decode, which skips non-reference frames).
EDGE_S = 0.25
#: Slack around an excused stretch: the render's frames and the source's are cut, scaled and
#: re-encoded, so their black or freeze begins a frame or two apart.
SLACK_S = 0.15
#: Picture rules when the config has none (config/config.yaml repeats them): a black stretch
#: at either end up to ``fade_s`` long is a fade; one inside shorter than ``dip_s`` is a cut
#: through black.
FADE_S, DIP_S = 2.0, 1.0

#: Each check: what it measures (config/README.md's reference repeats these) and its unit.
CHECKS: dict[str, tuple[str, str]] = {
    "black_share": ("share of the video whose picture is black (not counting a fade at either "
                    "end, a shorter dip inside, nor black the drama's own source has there)",
                    "share"),
    "black_longest_s": ("longest such black stretch", "s"),
    "frozen_share": ("share of the video whose picture does not move (not counting stillness "
                     "the drama's own source has there)", "share"),
    "loudness_off_lu": ("integrated loudness away from tts.loudness_lufs", "LU"),
    "true_peak_over_db": ("true peak above tts.true_peak_db", "dB"),
    "silent_narration_share": ("share of the narration's spoken time that is silent", "share"),
    "duration_short_s": ("video (picture or sound) shorter than its narration", "s"),
    "caption_offset_median_s": ("median distance of on-screen caption changes from the cues", "s"),
    "caption_offset_worst_s": ("worst distance of an on-screen caption change from its cue", "s"),
    "caption_words_offset_median_s": ("median distance of the long video's cues from their "
                                      "first word in words.json", "s"),
    "reading_speed_share_over": ("share of cues faster than subtitles.max_cps", "share"),
}
LEVELS = ("ok", "warn", "fail")


@dataclass(frozen=True)
class Result:
    check: str
    video: str
    value: float
    warn: float | None
    fail: float | None

    @property
    def level(self) -> str:
        if self.fail is not None and self.value > self.fail:
            return "fail"
        if self.warn is not None and self.value > self.warn:
            return "warn"
        return "ok"

    def line(self) -> str:
        """'long.mp4: black_share 0.33 > 0.1 (fail)': the check, the number, the threshold."""
        limit = self.fail if self.level == "fail" else self.warn
        shown = "ok" if limit is None else f"> {limit:g}"
        return f"{self.video}: {self.check} {self.value:.3g} {shown} ({self.level})"

    def to_dict(self) -> dict:
        return {"check": self.check, "video": self.video, "value": round(self.value, 4),
                "warn": self.warn, "fail": self.fail, "level": self.level}


def overlap(spans: list[tuple[float, float]], within: list[tuple[float, float]]) -> float:
    """Seconds of ``spans`` that fall inside ``within`` (both lists of (start, end))."""
    return sum(max(0.0, min(e, we) - max(s, ws)) for s, e in spans for ws, we in within)


def subtract(spans: list[Span], minus: list[Span], slack: float = 0.0) -> list[Span]:
    """The parts of ``spans`` outside every one of ``minus`` (each widened by ``slack``)."""
    cuts = merge([(a - slack, b + slack) for a, b in minus])
    out: list[Span] = []
    for a, b in spans:
        for c, d in cuts:
            if d <= a or c >= b:
                continue
            if c > a:
                out.append((a, c))
            a = max(a, d)
            if a >= b:
                break
        if b > a:
            out.append((a, b))
    return out


def counted_black(black: list[Span], length: float, excused: list[Span] | None = None,
                  fade_s: float = FADE_S, dip_s: float = DIP_S) -> list[Span]:
    """The black stretches a viewer calls broken: not what the source shows there, not one
    that opens or closes the video within ``fade_s`` (a fade, a title's black), not one inside
    shorter than ``dip_s`` (a cut through black); any other counts whole. Judged in seconds, so
    one normal fade does not fail a short video, and a video black throughout is black."""
    out: list[Span] = []
    for a, b in subtract(black, excused or [], SLACK_S):
        at_start, at_end = a <= EDGE_S, b >= length - EDGE_S
        if at_start != at_end and b - a <= fade_s:
            continue
        if not at_start and not at_end and b - a < dip_s:
            continue
        out.append((a, b))
    return out


def counted_frozen(frozen: list[Span], excused: list[Span] | None = None) -> list[Span]:
    """Frozen stretches the source does not have there (what is left of one that the source
    explains only in part counts when it still lasts a freeze's minimum)."""
    rest = subtract(frozen, excused or [], SLACK_S)
    return [(a, b) for a, b in rest if b - a >= FREEZE_MIN_S or (a, b) in frozen]


def numbers(m: Measures, *, expected_s: float, spoken: list[tuple[float, float]],
            loudness_lufs: float, true_peak_db: float, still_footage: bool,
            captions: Offsets | None, words: Offsets | None, reading: dict | None,
            excused: Excused | None = None, fade_s: float = FADE_S,
            dip_s: float = DIP_S, pauses: list[Span] | None = None) -> dict:
    """Every measured number of one video, by check name (absent: not measurable here).
    ``pauses``: the narration's own pauses in this video's time (measure.narration_pauses),
    silent by design, so not counted as silent narration."""
    length = max(m.video_duration, 1e-6)
    out: dict[str, float] = {
        "duration_short_s": max(0.0, expected_s - min(m.video_duration, m.audio_duration)),
    }
    # a generated gradient is still by design; its black is measured at pure black (measure)
    black = counted_black(m.black, length, excused.black if excused else None, fade_s, dip_s)
    out["black_share"] = sum(b - a for a, b in black) / length
    out["black_longest_s"] = max((b - a for a, b in black), default=0.0)
    if not still_footage:
        frozen = counted_frozen(m.frozen, excused.frozen if excused else None)
        out["frozen_share"] = sum(b - a for a, b in frozen) / length
    spoken_s = sum(e - s for s, e in spoken)
    silent = subtract(m.silence, pauses or [], SLACK_S)
    out["silent_narration_share"] = (overlap(silent, spoken) / spoken_s) if spoken_s else 0.0
    if m.audio_duration <= 0:
        out["silent_narration_share"] = 1.0 if spoken_s else 0.0
    if m.integrated_lufs is not None:
        out["loudness_off_lu"] = abs(m.integrated_lufs - loudness_lufs)
    if m.true_peak_db is not None:
        out["true_peak_over_db"] = max(0.0, m.true_peak_db - true_peak_db)
    if captions is not None and captions.expected:
        out["caption_offset_median_s"] = captions.median_s
        out["caption_offset_worst_s"] = captions.worst_s
    if words is not None and words.expected:
        out["caption_words_offset_median_s"] = words.median_s
    if reading is not None:
        out["reading_speed_share_over"] = reading["share_over"]
    return out


def judge(video: str, values: dict[str, float], thresholds: dict) -> list[Result]:
    """One Result per measured check with its configured thresholds."""
    results = []
    for check, value in values.items():
        limits = thresholds.get(check) or {}
        results.append(Result(check, video, float(value), limits.get("warn"), limits.get("fail")))
    return results


def worst(results: list[Result]) -> str:
    """The drama's verdict: the worst level of any of its checks."""
    return max((r.level for r in results), key=LEVELS.index, default="ok")
