import unicodedata

from dramabatch.script import build_script, normalise_text, split_clauses, split_sentences


def test_sentences_keep_spanish_punctuation():
    text = "¿Dónde estás, María?  ¡No lo sé! Él dijo: «ven mañana». Fin…"
    assert split_sentences(text) == ["¿Dónde estás, María?", "¡No lo sé!",
                                     "Él dijo: «ven mañana».", "Fin…"]


def test_clauses_split_at_commas_but_not_inside_numbers():
    assert split_clauses("It cost 3,50 euros, and then, at 10:30, she left.") == [
        "It cost 3,50 euros,", "and then,", "at 10:30,", "she left."]


def test_pauses_follow_config_and_last_segment_has_none():
    segs = build_script("One, two. Three.", sentence_pause_ms=700, comma_pause_ms=250)
    assert [(s.text, s.sentence, s.pause_ms) for s in segs] == [
        ("One,", 0, 250), ("two.", 0, 700), ("Three.", 1, 0)]


def test_normalisation_is_nfc_and_collapses_whitespace():
    decomposed = "Canci" + "o\u0301" + "n\n\t  del\u00a0mar"
    out = normalise_text(decomposed)
    assert out == "Canción del mar"
    assert unicodedata.is_normalized("NFC", out)


def test_punctuation_only_pieces_are_dropped():
    segs = build_script("Hello. ... — . World!")
    assert [s.text for s in segs] == ["Hello.", "World!"]
