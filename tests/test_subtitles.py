import pysubs2
import pytest

from dramabatch.render.subtitles import long_cues, word_cues, write_srt


def timeline(texts_and_sentences):
    segs, t = [], 0.0
    for text, sentence in texts_and_sentences:
        dur = 0.06 * len(text)
        segs.append({"text": text, "sentence": sentence, "start": t, "end": t + dur})
        t += dur + 0.3
    return {"segments": segs, "duration": t}


def test_long_cues_respect_line_limits_and_keep_every_word(tmp_path):
    long_clause = ("this clause is deliberately far too long to fit in two subtitle lines "
                   "of forty two characters each so it must be split at word boundaries")
    tl = timeline([("Short one,", 0), ("and short two.", 0), (long_clause + ".", 1),
                   ("¿Qué pasó, niña?", 2)])
    path = tmp_path / "x.srt"
    n = write_srt(tl, path, max_chars=42, max_lines=2)
    subs = pysubs2.load(str(path), encoding="utf-8")
    assert len(subs) == n >= 4
    for ev in subs:
        lines = ev.plaintext.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines)
    spoken = " ".join(s["text"] for s in tl["segments"]).split()
    assert " ".join(ev.plaintext.replace("\n", " ") for ev in subs).split() == spoken
    assert "¿Qué pasó, niña?" in path.read_text(encoding="utf-8")


def test_cue_times_come_from_the_timeline():
    tl = timeline([("First sentence here.", 0), ("Second one.", 1)])
    cues = list(long_cues(tl["segments"]))
    segs = tl["segments"]
    assert [c[1] for c in cues] == [s["start"] for s in segs]  # a cue starts with its words
    assert cues[0][2] == segs[0]["end"]  # 1.2 s: long enough, ends with its words
    # "Second one." is spoken in 0.66 s: it stays up the minimum 5/6 s, into the silence after
    assert segs[1]["end"] < cues[1][2] == segs[1]["start"] + 0.833


def test_word_cues_have_one_to_three_words_in_order_and_hold_through_short_gaps():
    tl = timeline([("one two three four five,", 0), ("six seven.", 0)])
    cues = list(word_cues(tl["segments"], max_words=3))
    assert all(1 <= len(c[0].split()) <= 3 for c in cues)
    assert " ".join(c[0] for c in cues).split() == "one two three four five, six seven.".split()
    starts = [c[1] for c in cues]
    assert starts == sorted(starts)
    # the cue before the 0.3 s comma pause is held until the next cue starts
    assert cues[1][2] == cues[2][1]


def test_attach_words_uses_aligned_times_and_rejects_mismatches():
    import pytest

    from dramabatch.render.subtitles import attach_words

    tl = timeline([("one two three.", 0)])
    seg = tl["segments"][0]
    words = {"segments": [{"index": 0, "text": seg["text"], "words": [
        {"word": "one", "start": 0.05, "end": 0.2}, {"word": "two", "start": 0.3, "end": 0.4},
        {"word": "three.", "start": 0.5, "end": 0.8}]}]}
    cues = list(word_cues(attach_words(tl, words)["segments"], max_words=2))
    assert [(c[0], c[1]) for c in cues] == [("one two", 0.05), ("three.", 0.5)]
    assert "words" not in tl["segments"][0], "the narration timeline itself is not modified"
    words["segments"][0]["text"] = "something else"
    with pytest.raises(ValueError, match="text differs"):
        attach_words(tl, words)


def test_a_long_clause_breaks_at_a_phrase_boundary_and_never_strands_a_word():
    from dramabatch.render.cues import build_cues

    clause = ("Ask not what your country can do for you but what you can do for your country "
              "and for the people who live in it today.")
    cues = build_cues(timeline([(clause, 0)])["segments"], max_chars=42, max_lines=1)
    texts = [c.text for c in cues]
    assert " ".join(texts) == clause
    assert all(len(t.split()) >= 2 for t in texts)  # no lone word
    # every break falls before a conjunction, preposition or relative word
    from dramabatch.render.cues import PHRASE_STARTS

    assert all(t.split()[0].lower() in PHRASE_STARTS for t in texts[1:]), texts


def test_a_fast_or_short_cue_holds_through_the_pause_and_a_tiny_one_joins_its_neighbour():
    from dramabatch.render.cues import build_cues

    segs = [{"text": "Run,", "sentence": 0, "start": 0.0, "end": 0.3},
            {"text": "now.", "sentence": 0, "start": 0.35, "end": 0.6},
            {"text": "She said it quietly, almost to herself.", "sentence": 1, "start": 2.0,
             "end": 3.0},
            {"text": "Nobody answered her.", "sentence": 2, "start": 5.0, "end": 6.4}]
    cues = build_cues(segs, max_chars=42, max_lines=2, min_s=0.833, max_cps=17)
    assert cues[0].text == "Run, now." and cues[0].end >= 0.833  # joined, then held
    # held for speed (to the millisecond above the reading-speed limit)
    assert cues[1].start == 2.0 and cues[1].end == pytest.approx(2.0 + 39 / 17, abs=0.002)


def test_two_line_cues_are_balanced_not_a_full_line_and_a_stranded_word():
    from dramabatch.render.cues import balanced_lines

    top, bottom = balanced_lines("María vive en una casa pequeña junto al mar.", 42)
    assert abs(len(top) - len(bottom)) <= 6 and len(bottom.split()) > 1
    assert " ".join([top, bottom]) == "María vive en una casa pequeña junto al mar."
    assert balanced_lines("Short one.", 42) == ["Short one."]
