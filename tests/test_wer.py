"""Scoring narration by ear: the folding, the numbers, and where each heard word is counted."""

import pytest

from dramabatch.voice.hearing import garbled
from dramabatch.voice.wer import by_segment, wer, words


def test_case_accents_and_punctuation_fold_away():
    assert wer("¿Quién la escribió?", "quien la escribio", "es") == 0
    assert words("¡Por fin!", "es") == ["por", "fin"]


@pytest.mark.parametrize(("script", "heard", "language"), [
    ("El 3 de mayo de 1952 llegó.", "el tres de mayo de mil novecientos cincuenta y dos llegó",
     "es"),
    ("Costó 1.952 pesos.", "costó 1952 pesos", "es"),
    ("Pesaba 3,5 kilos.", "pesaba tres coma cinco kilos", "es"),
    ("On May 3, 1952, it rained.", "on may three 1952 it rained", "en"),
])
def test_a_number_said_right_is_no_error(script, heard, language):
    assert wer(script, heard, language) == 0


def test_a_number_said_wrong_still_counts():
    assert wer("El 3 de mayo.", "el trece de mayo", "es") == pytest.approx(1 / 4)
    assert wer("En 1952.", "en 1953", "es") > 0


def test_an_empty_reference_and_insertions():
    assert wer("", "", "es") == 0 and wer("", "hola", "es") == 1
    assert wer("hola", "hola hola hola", "es") == 2  # insertions can pass 100 %


def test_a_word_heard_across_a_pause_stays_with_its_segment():
    """Cutting by time would put the "y" heard early into the first segment (one word added
    there, one lost here); aligning the whole script keeps both segments right."""
    segs = ["Su familia vivía en el pueblo,", "y María les entregó la carta."]
    heard = "Su familia vivía en el pueblo y María les entregó la cata.".split()
    errors, counts, owner = by_segment(segs, heard, "es")
    assert errors == [0, 1] and counts == [6, 6]
    assert owner == [0] * 6 + [1] * 6


def test_garbled_needs_the_threshold_and_more_than_one_slip():
    assert not garbled(1, 3, 0.25)  # one misheard word in a short clause: Whisper's own noise
    assert garbled(2, 3, 0.25) and garbled(1, 1, 0.25)
    assert not garbled(2, 10, 0.25)
