"""Reading rules for the long video's subtitles, checked against the narration they came from."""

from __future__ import annotations

from dramabatch.render.cues import fits, max_cps_for
from dramabatch.render.subtitles import read_srt

MIN_S = 0.833
MAX_CPS = {"default": 17, "en": 20}


def cue_problems(srt_path, timeline: dict, max_chars: int = 42, max_lines: int = 2) -> list[str]:
    """Every cue shorter than 5/6 s, faster than the language's reading speed, or ending inside a
    clause although that clause would fit in one cue."""
    cues = read_srt(srt_path)
    limit = max_cps_for(MAX_CPS, timeline.get("language", ""))
    problems = []
    for text, start, end in cues:
        flat = text.replace("\n", " ")
        if end - start < MIN_S - 1e-3:
            problems.append(f"{end - start:.2f} s: {flat!r}")
        if len(flat) / (end - start) > limit + 1e-6:
            problems.append(f"{len(flat) / (end - start):.1f} cps > {limit}: {flat!r}")
    # where each cue ends, in words, and where clauses end
    cue_ends, k = set(), 0
    for text, _, _ in cues:
        k += len(text.split())
        cue_ends.add(k)
    clause_of_word, k = [], 0
    for n, seg in enumerate(timeline["segments"]):
        clause_of_word += [n] * len(seg["text"].split())
    clause_ends, k = set(), 0
    for seg in timeline["segments"]:
        k += len(seg["text"].split())
        clause_ends.add(k)
    for end in sorted(cue_ends - clause_ends):
        seg = timeline["segments"][clause_of_word[end - 1]]
        if fits(seg["text"], max_chars, max_lines):
            problems.append(f"cue ends inside a clause that fits one cue: {seg['text']!r}")
    return problems


def cue_stats(srt_path) -> dict:
    cues = read_srt(srt_path)
    return {"cues": len(cues), "shortest_s": round(min(e - s for _, s, e in cues), 3),
            "worst_cps": round(max(len(t.replace("\n", " ")) / (e - s) for t, s, e in cues), 1)}
