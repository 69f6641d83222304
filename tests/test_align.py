"""words.json: script words timed by a real Whisper word-timestamp pass over a real narration."""

from __future__ import annotations

import pytest

from dramabatch.render.subtitles import word_cues
from dramabatch.script.sentences import build_script
from dramabatch.voice.align import align_timeline, align_words, fold, map_words
from dramabatch.voice.narrate import narrate

TEXT = ("The harbour was quiet that morning, and the fishermen waited. "
        "Nobody spoke. Then a small boat appeared, far beyond the rocks.")


@pytest.fixture(scope="module")
def narration(tmp_path_factory):
    out = tmp_path_factory.mktemp("align")
    script = {"language": "en", "segments": [s.to_dict() for s in build_script(TEXT)]}
    timeline = narrate(script, out / "n.mp3", out / "n.json", {"engine": "piper"})
    return out / "n.mp3", timeline


def test_fold_ignores_case_accents_and_punctuation():
    assert fold("¿Qué?") == "que" and fold("«Niño»,") == "nino" and fold("😀") == ""


def test_map_words_aligns_by_sequence_not_position():
    script = "¡Hola, María! ¿Dónde está el niño?".split()
    heard = [{"word": w, "start": i, "end": i + 0.5}
             for i, w in enumerate(["um", "hola", "maria", "donde", "esta", "el", "ninos"])]
    got = map_words(script, heard)
    assert [m["word"] if m else None for m in got] == ["hola", "maria", "donde", "esta", "el",
                                                        "ninos"]


def test_unmatched_words_are_interpolated_inside_their_segment():
    timeline = {"segments": [{"index": 0, "text": "alpha beta gamma delta", "start": 1.0,
                              "end": 3.0}]}
    heard = [{"word": "alpha", "start": 1.0, "end": 1.4},
             {"word": "delta", "start": 2.5, "end": 3.0}]
    (seg,) = align_timeline(timeline, heard)
    words = seg["words"]
    assert [w["word"] for w in words] == ["alpha", "beta", "gamma", "delta"]
    assert [w["aligned"] for w in words] == [True, False, False, True]
    assert words[1]["start"] == pytest.approx(1.4) and words[2]["end"] == pytest.approx(2.5)
    assert words[1]["end"] == pytest.approx(words[2]["start"])


@pytest.mark.slow
def test_real_narration_words_are_the_scripts_and_timed_by_whisper(narration):
    mp3, timeline = narration
    result = align_words(mp3, timeline)
    assert result["version"] == 1 and result["source"] == "whisper"
    segs = result["segments"]
    assert [s["text"] for s in segs] == [s["text"] for s in timeline["segments"]]
    assert result["aligned"] >= 0.8 * result["words"]
    for seg, tl in zip(segs, timeline["segments"], strict=True):
        assert [w["word"] for w in seg["words"]] == tl["text"].split()
        starts = [w["start"] for w in seg["words"]]
        assert starts == sorted(starts)
        assert all(tl["start"] - 1e-3 <= w["start"] <= w["end"] <= tl["end"] + 1e-3
                   for w in seg["words"])
        # Whisper's first word starts where the sample-exact timeline says speech starts.
        assert abs(seg["words"][0]["start"] - tl["start"]) < 0.25
    # the words make 1-3 word captions through the existing caption code
    cues = list(word_cues([{**t, "words": s["words"]} for t, s in zip(
        timeline["segments"], segs, strict=True)], max_words=3))
    assert " ".join(c[0] for c in cues).split() == TEXT.split()


@pytest.mark.slow
def test_engine_word_times_are_used_without_recognition(narration):
    mp3, timeline = narration
    segs = [{**s, "words": [{"word": w, "start": s["start"], "end": s["end"]}
                            for w in s["text"].split()]} for s in timeline["segments"]]
    result = align_words(mp3, {**timeline, "segments": segs}, model="does-not-exist")
    assert result["source"] == "engine"
    assert result["segments"][0]["words"][0]["start"] == segs[0]["start"]
