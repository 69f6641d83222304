"""One drama's checks: its long video and every short, one decode each, into ``qc.json``.

The expected caption times are the render's own: the long video's SRT (what ``render_long``
burned in) and, for a short, the word cues ``render_short`` builds from ``words.json``, rebuilt
here with the render's code. The spoken spans (where the sound must not be silent) are the
narration's segments, in each video's own time, less the narration's own pauses (a comma or a
full stop inside a segment, measured on narration.mp3).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from ..render.cues import max_cps_for
from ..render.options import SubtitleStyle
from ..render.subtitles import attach_words, word_cues
from .captions import (
    band_offsets,
    boundaries,
    caption_events,
    on_screen,
    reading_speed,
    snap,
    words_offsets,
)
from .checks import DIP_S, FADE_S, LEVELS, Result, judge, numbers, worst
from .measure import BLACK_PIXEL, BLACK_PIXEL_GENERATED, measure
from .source import Excused

Cue = tuple[str, float, float]


@dataclass
class Video:
    """One finished video and what the render meant it to be."""

    path: str
    #: where it starts in the narration, and how long the narration part is
    start: float
    length: float
    cues: list[Cue]
    style: SubtitleStyle
    lines: int = 2
    #: the footage is a generated gradient (moves too slowly for a frozen check to mean much)
    still_footage: bool = False
    #: the long video's cues, checked against words.json and for reading speed
    words: dict | None = None
    extra: dict = field(default_factory=dict)
    #: the stretches that show the drama's own source's black or stillness (source.excused)
    excused: Excused | None = None
    #: where the render placed each cue (the long video's ``position: faces`` record in its
    #: timeline, ``dramabatch.captions``): each place's band is measured on its own
    places: list[dict] | None = None
    #: the narration's own pauses in this video's time (measure.narration_pauses): silent by
    #: design, so not counted as silent narration (None: not measured, every silence counts)
    pauses: list[tuple[float, float]] | None = None
    #: the seconds where the footage cuts (source.cut_times): a caption change on that frame
    #: cannot be told from the cut, so it is not judged for the worst offset
    cuts: list[float] | None = None


def placed_cues(cues: list[Cue], places: list[dict] | None) -> dict[float, list[Cue]]:
    """The cues by the lower edge the render placed them at (each cue takes the record whose
    start is nearest its own); empty without a record."""
    if not places:
        return {}
    groups: dict[float, list[Cue]] = {}
    for cue in cues:
        near = min(places, key=lambda p: abs(p["start"] - cue[1]))
        groups.setdefault(round(float(near["bottom"]), 3), []).append(cue)
    return dict(sorted(groups.items()))


def timeline_places(otio: str) -> list[dict] | None:
    """The caption record of a video's timeline (None: the render placed none, or the file
    cannot be read)."""
    import json

    try:
        meta = json.loads(Path(otio).read_text(encoding="utf-8"))["metadata"]["dramabatch"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return meta.get("captions") or None


def window(cues: list[Cue], start: float, end: float) -> list[Cue]:
    """Cues inside [start, end], clipped and shifted to start at 0 (as render.subtitles.to_ssa)."""
    out = []
    for text, s, e in cues:
        if e <= start or s >= end:
            continue
        s, e = max(s, start) - start, min(e, end) - start
        if e > s:
            out.append((text, s, e))
    return out


def spoken(timeline: dict, start: float, end: float) -> list[tuple[float, float]]:
    """The narration's segments inside [start, end], in the video's time."""
    return [(s - start, e - start) for _, s, e in window(
        [("", seg["start"], seg["end"]) for seg in timeline["segments"]], start, end)]


def pauses_in(pauses: list[tuple[float, float]], start: float,
              length: float) -> list[tuple[float, float]]:
    """The narration's pauses inside one video (narration ``start .. start + length``), in
    that video's time."""
    return [(s, e) for _, s, e in window([("", a, b) for a, b in pauses], start, start + length)]


def short_cues(timeline: dict, words: dict, plan: dict, max_words: int) -> list[Cue]:
    """The caption cues render_short burns into this short (without its title card)."""
    cues = list(word_cues(attach_words(timeline, words)["segments"], max_words))
    return window(cues, plan["start"], plan["end"])


def check_video(video: Video, timeline: dict, config: dict) -> tuple[list[Result], dict]:
    """Measure one video in one decode and judge it; return its results and its record."""
    began = time.perf_counter()
    groups = placed_cues(video.cues, video.places)
    m = measure(video.path, video.style, video.lines,
                black_pixel=BLACK_PIXEL_GENERATED if video.still_footage else BLACK_PIXEL,
                bottoms=list(groups) or None)
    # each band (one per place the render put cues at) expects the changes of its own cues
    captions = band_offsets([
        (snap(boundaries(on_screen(cues, 1 / (m.fps or 30)), m.video_duration, m.fps or 30),
              [t for t, _ in band]), caption_events(band, reference))
        for cues, (band, reference) in zip(list(groups.values()) or [video.cues], m.strips,
                                           strict=True)], cuts=video.cuts,
        near=2.5 / (m.fps or 30))  # the decode skips frames: a change snaps up to 2 frames on
    words = words_offsets(video.cues, video.words) if video.words is not None else None
    limit = max_cps_for(config["subtitles"]["max_cps"], timeline.get("language", ""))
    # reading speed is a subtitle rule: the long video's cues are built to it; a short's word
    # captions follow the voice word by word, as fast as it speaks
    reading = reading_speed(video.cues, limit) if video.words is not None else None
    # caption offsets are judged on the long video only: over real moving footage (reframed on
    # faces), a short's 1-3-word captions change about every second and the band detector reads
    # the picture's own motion as caption changes (the demo's shorts measured 0.47-0.55 s median
    # with captions in step); the numbers are still recorded
    judged_captions = captions if video.words is not None else None
    values = numbers(m, expected_s=video.length,
                     spoken=spoken(timeline, video.start, video.start + video.length),
                     loudness_lufs=config["tts"]["loudness_lufs"],
                     true_peak_db=config["tts"]["true_peak_db"],
                     still_footage=video.still_footage, captions=judged_captions, words=words,
                     reading=reading, excused=video.excused,
                     fade_s=config["qc"].get("fade_s", FADE_S),
                     dip_s=config["qc"].get("dip_s", DIP_S), pauses=video.pauses)
    name = Path(video.path).name
    results = judge(name, values, config["qc"])
    record = {
        "duration": round(m.duration, 3), "expected_duration": round(video.length, 3),
        "integrated_lufs": m.integrated_lufs, "true_peak_db": m.true_peak_db,
        "black": m.black, "frozen": m.frozen if not video.still_footage else None,
        "silence": [(round(s, 3), round(e, 3)) for s, e in m.silence],
        **({"narration_pauses": {"count": len(video.pauses),
                                 "seconds": round(sum(e - s for s, e in video.pauses), 2)}}
           if video.pauses is not None else {}),
        "captions": captions.to_dict(),
        **({"caption_bands": {str(b): len(c) for b, c in groups.items()}} if groups else {}),
        "words": words.to_dict() if words else None,
        "reading_speed": reading, "level": worst(results),
        "source_excused": video.excused.to_dict() if video.excused else None,
        "checks": {r.check: r.to_dict() for r in results},
        "seconds": round(time.perf_counter() - began, 2), **video.extra,
    }
    not_judged = {}
    if video.still_footage:
        not_judged["frozen_share"] = "generated background (a near-still gradient)"
    if judged_captions is None:
        not_judged["caption_offset"] = "a short's word captions: measured, not judged"
    if not_judged:
        record["not_judged"] = not_judged
    return results, record


def check_drama(videos: list[Video], timeline: dict, config: dict) -> dict:
    """Every video's record, every check worst first, and the drama's verdict (qc.json)."""
    results: list[Result] = []
    records = {}
    for video in videos:
        found, record = check_video(video, timeline, config)
        results += found
        records[Path(video.path).name] = record
    ranked = sorted(results, key=lambda r: (-LEVELS.index(r.level), r.video, r.check))
    return {
        "verdict": worst(results),
        "failed": [r.line() for r in ranked if r.level == "fail"],
        "warnings": [r.line() for r in ranked if r.level == "warn"],
        "seconds": round(sum(r["seconds"] for r in records.values()), 2),
        "videos": records,
    }


def failure(qc: dict) -> str | None:
    """The one-line cause of a failed drama (every failed check, the number, the threshold)."""
    if qc.get("verdict") != "fail":
        return None
    return "finished video failed its checks: " + "; ".join(qc["failed"])
