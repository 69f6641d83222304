import unicodedata

from dramabatch.script.sentences import build_script, normalise_text, split_clauses, split_sentences


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


def test_spanish_abbreviations_initials_and_numbers_do_not_end_sentences():
    text = ("El Sr. García y la Dra. Núñez viajaron a EE. UU. con J. K. Pérez en 2019. "
            "Allí vivieron 3,5 años y pagaron 1.200,50 dólares. ¿Volverán? —preguntó ella. "
            "Compraron pan, leche, etc. Luego se fueron… y nadie los vio.")
    assert split_sentences(text) == [
        "El Sr. García y la Dra. Núñez viajaron a EE. UU. con J. K. Pérez en 2019.",
        "Allí vivieron 3,5 años y pagaron 1.200,50 dólares.",
        "¿Volverán? —preguntó ella.",
        "Compraron pan, leche, etc.",
        "Luego se fueron… y nadie los vio.",
    ]


def test_questions_and_exclamations_are_sentences_of_their_own():
    assert split_sentences("¿Qué pasó? ¡Nada! «¡Corre!», gritó. ¿Y tú?") == [
        "¿Qué pasó?", "¡Nada!", "«¡Corre!», gritó.", "¿Y tú?"]


def test_clauses_never_split_inside_quotes_or_brackets():
    assert split_clauses("Él dijo: «adiós, corazón, hasta mañana», y se fue (sí, de noche).") == [
        "Él dijo:", "«adiós, corazón, hasta mañana»,", "y se fue (sí, de noche)."]


def test_spanish_script_keeps_every_character():
    text = "¿Quién llamó a la niña? ¡El señor Muñoz, desde Cádiz!"
    segs = build_script(text)
    assert " ".join(s.text for s in segs) == text
    assert [s.sentence for s in segs] == [0, 1, 1]


def test_script_segments_keep_the_source_times_they_were_said_at():
    from dramabatch.script.compose import make_script

    transcript = {"language": "en", "segments": [
        {"start": 1.0, "end": 3.0, "text": " First one. Second,"},
        {"start": 5.0, "end": 7.0, "text": "still second.",
         "words": [{"start": 5.2, "end": 5.8, "word": " still"},
                   {"start": 6.1, "end": 6.9, "word": " second."}]},
    ]}
    script = make_script(transcript, None, {})
    segs = script["segments"]
    assert [s["text"] for s in segs] == ["First one.", "Second,", "still second."]
    assert segs[0]["source_start"] == 1.0 and segs[0]["source_end"] < segs[1]["source_start"]
    assert segs[1]["source_end"] == 3.0
    assert (segs[2]["source_start"], segs[2]["source_end"]) == (5.2, 6.9)  # word times
    override = make_script(transcript, "Something else entirely.", {})
    assert "source_start" not in override["segments"][0]
