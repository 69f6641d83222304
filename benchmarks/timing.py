"""Subtitle timing accuracy: how far cue starts are from where the words are really spoken.

Builds a ~60 s narration with Piper (per-clause synthesis, exact pauses), re-transcribes
narration.mp3 with faster-whisper word timestamps (the default model), and compares:

* long-video cues (SRT, from narration.json): cue start vs the spoken start of its first word;
* short-video word cues from words.json (align_words);
* the same word cues spread by character count (what captions would be without words.json).

Run: .venv/bin/python benchmarks/timing.py
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from dramabatch.render.subtitles import _proportional_words, long_cues
from dramabatch.script.sentences import build_script
from dramabatch.voice.align import align_words, map_words, recognise_words
from dramabatch.voice.narrate import narrate

STORY = (
    "The old lighthouse keeper climbed the stairs every night. He cleaned the glass, and he "
    "watched the boats come home. One winter evening, a storm rolled in from the north. The "
    "waves were taller than the houses, and the wind screamed through the rocks. Far out at "
    "sea, a small fishing boat was fighting to stay afloat. The keeper saw its tiny light, "
    "rising and falling in the dark. He lit every lamp he had. He rang the bell until his arms "
    "were numb. Hours later, the boat reached the harbour, battered but whole. The fishermen "
    "climbed the hill to thank him. They found him asleep in his chair, the lamps still burning. "
    "From that night on, nobody in the village ever called the lighthouse old again. They "
    "called it the keeper's light, and they kept it burning long after he was gone. Every "
    "autumn, the children of the village climb the same stairs. They clean the glass, as he "
    "did, and they watch the boats come home. Some of them say that on stormy nights, the bell "
    "still rings by itself."
)


def errors_ms(cues: list[tuple[int, float]], spoken: list[dict | None]) -> list[float]:
    """|cue start - spoken start of the cue's first word| (script word index, cue start)."""
    return [abs(t - spoken[i]["start"]) * 1000 for i, t in cues if spoken[i] is not None]


def main() -> int:
    out = Path(tempfile.mkdtemp(prefix="timing-"))
    script = {"language": "en", "segments": [s.to_dict() for s in build_script(STORY)]}
    t0 = time.perf_counter()
    timeline = narrate(script, out / "narration.mp3", out / "narration.json", {"engine": "piper"})
    t_narr = time.perf_counter() - t0
    t0 = time.perf_counter()
    heard, _ = recognise_words(out / "narration.mp3", threads=2)
    t_asr = time.perf_counter() - t0
    segs = timeline["segments"]
    # Where each script word was spoken: the whole script aligned to the recognised words once.
    script_words = [w for s in segs for w in s["text"].split()]
    spoken = map_words(script_words, heard)
    # script word index of each segment's first word
    first = [sum(len(x["text"].split()) for x in segs[:k]) for k in range(len(segs))]

    # 1. SRT cues: each cue starts at its first segment's sample-exact start.
    starts = {round(s["start"], 4): first[k] for k, s in enumerate(segs)}
    srt = [(starts[round(start, 4)], start) for _, start, _ in long_cues(segs)
           if round(start, 4) in starts]
    # 2. One "cue" per narration segment (clause).
    clause = [(first[k], s["start"]) for k, s in enumerate(segs)]
    # 3. Word cues: every word's start, from words.json and from character-count spreading.
    words = align_words(out / "narration.mp3", timeline, threads=2)
    aligned = list(enumerate(w["start"] for s in words["segments"] for w in s["words"]))
    spread = list(enumerate(w["start"] for s in segs for w in _proportional_words(s)))
    recognised = sum(1 for m in spoken if m is not None)

    rows = {
        "srt_cue_start": errors_ms(srt, spoken),
        "clause_start": errors_ms(clause, spoken),
        "word_cue_words_json": errors_ms(aligned, spoken),
        "word_cue_char_spread": errors_ms(spread, spoken),
    }
    print(f"narration: {timeline['duration']:.1f} s, {len(segs)} segments, "
          f"{len(script_words)} words; {recognised} aligned to recognised words; "
          f"synthesis {t_narr:.1f} s, recognition {t_asr:.1f} s")
    print(f"{'cues':24} {'n':>4} {'median ms':>10} {'p90 ms':>8} {'max ms':>8}")
    result = {"duration_s": timeline["duration"], "segments": len(segs)}
    for name, errs in rows.items():
        errs = sorted(errs)
        p90 = errs[int(0.9 * (len(errs) - 1))]
        print(f"{name:24} {len(errs):4d} {statistics.median(errs):10.0f} {p90:8.0f} "
              f"{errs[-1]:8.0f}")
        result[name] = {"n": len(errs), "median_ms": round(statistics.median(errs), 1),
                        "p90_ms": round(p90, 1), "max_ms": round(errs[-1], 1)}
    print("note: word_cue_words_json is timed by the same Whisper pass it is compared with, so "
          "it only shows the alignment keeps the recognised times; srt/clause rows are the "
          "independent check of narration.json timings.")
    print(json.dumps(result))
    return 0 if result["srt_cue_start"]["median_ms"] <= 150 else 1


if __name__ == "__main__":
    sys.exit(main())
