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


#: Whisper base's own loops on the hour-long drama of benchmarks/length.py (LibriVox speech).
ISLA = "la vecina corte, hubo de refedirte " + "la isla de " * 52 + "la is"
SU = "las penas reprimidas que asomaron a su " + "su " * 9 + "de una coñada por otra"


def test_whisper_loops_are_cut_to_one_occurrence_and_speech_repeats_are_kept():
    from dramabatch.script.unloop import unloop

    text, cut = unloop(ISLA)
    assert text == "la vecina corte, hubo de refedirte la isla de la is" and cut == 51 * 3
    assert unloop(SU) == ("las penas reprimidas que asomaron a su de una coñada por otra", 9)
    said = "No, no, no. ¡Ven aquí! Te lo dije, te lo dije, te lo dije."
    assert unloop(said) == (said, 0)  # three times is speech (speech.trust.MAX_REPEATS)
    assert unloop("¡Corre, corre, corre, corre! Ya vienen.") == ("¡Corre, Ya vienen.", 3)


def test_a_transcript_loop_is_never_narrated_and_the_script_says_what_was_cut():
    from dramabatch.script.compose import make_script

    line = {"text": "Bye bye.", "start": 0.0, "end": 1.0}
    transcript = {"language": "es", "segments": [
        {"start": 0.0, "end": 29.0, "text": ISLA + "."},
        *({**line, "start": 29.0 + k, "end": 30.0 + k} for k in range(5)),
        {"start": 40.0, "end": 42.0, "text": "Y se fue."},
    ]}
    script = make_script(transcript, None, {})
    spoken = " ".join(s["text"] for s in script["segments"])
    assert spoken == "la vecina corte, hubo de refedirte la isla de la is. Bye bye. Y se fue."
    assert script["loop_words_cut"] == 153 and script["loop_segments_cut"] == 4
    # the kept words still carry where they were said
    assert script["segments"][-1]["source_start"] == 40.0
    assert script["segments"][-2]["text"] == "Bye bye."
    assert script["segments"][-2]["source_start"] == 29.0
    clean = make_script({"language": "es", "segments": transcript["segments"][-1:]}, None, {})
    assert "loop_words_cut" not in clean and "loop_segments_cut" not in clean
