"""Recap mode (rewrite.mode: recap) against a fake OpenAI-compatible endpoint on loopback: the
prompt, every kind of invalid answer (repaired, or fallen back with its reason), a timeout, a
server without response_format, and the script a recap yields."""

from __future__ import annotations

import json
import logging
import re

import pytest

from dramabatch.base.errors import DramaError
from dramabatch.script.compose import make_script, rewrite_transcript
from dramabatch.script.recap_verify import check_beats, guess_language, parse_answer
from dramabatch_testkit.recap_server import KEY, RecapServer, beats

#: A Spanish drama of 60 s: six lines of about 8 s each.
LINES = ["Marta vuelve a casa después de diez años.", "Su madre la recibe sin una palabra.",
         "¿Por qué no me dijiste la verdad?", "Porque tu padre me lo prohibió.",
         "Marta encuentra las cartas escondidas.", "Al final, las quema en la chimenea."]
TRANSCRIPT = {"language": "es", "duration": 60.0, "segments": [
    {"start": 9.0 * n, "end": 9.0 * n + 8.0, "text": t} for n, t in enumerate(LINES)]}
NARRATION_A = ("Marta regresa a la casa de su infancia y su madre la recibe en silencio, "
               "como si no hubiera pasado el tiempo.")
NARRATION_B = "Cuando encuentra las cartas de su padre, Marta decide que nadie más las leerá."
GOOD = beats({"type": "narration", "segments": [0, 1], "text": NARRATION_A},
             {"type": "original", "segments": [2]},
             {"type": "narration", "segments": [4, 5], "text": NARRATION_B})
#: Each invalid kind of answer and the words its error names.
BAD = {
    "malformed": ("Claro: la historia de Marta trata de una familia y sus secretos.",
                  "not JSON"),
    "out-of-range": (beats({"type": "narration", "segments": [6, 7], "text": NARRATION_A}),
                     "do not exist"),
    "over-long": (beats({"type": "narration", "segments": [0], "text": NARRATION_A * 3},
                        {"type": "narration", "segments": [4, 5], "text": NARRATION_B}),
                  "takes about"),
    "wrong-language": (beats({"type": "narration", "segments": [0, 1],
                              "text": "Marta comes back home and her mother meets her with "
                                      "silence, as if the years had not passed at all."},
                             {"type": "original", "segments": [2]},
                             {"type": "narration", "segments": [4, 5],
                              "text": "When she finds the letters of her father, she burns "
                                      "them in the fire."}),
                       "is in 'en', not in 'es'"),
    "out-of-order": (beats({"type": "narration", "segments": [4, 5], "text": NARRATION_B},
                           {"type": "narration", "segments": [0, 1], "text": NARRATION_A}),
                     "beats must follow the story"),
}
OPTIONS = {"enabled": True, "mode": "recap", "model": "recap-model", "api_key_env": "RECAP_KEY",
           "target_share": 0.5, "timeout_s": 5}


@pytest.fixture
def endpoint(monkeypatch):
    monkeypatch.setenv("RECAP_KEY", KEY)
    servers = []

    def start(script, **kw) -> RecapServer:
        servers.append(RecapServer(script, **kw).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def test_a_good_recap_cites_its_segments_and_keeps_their_times(endpoint, caplog):
    caplog.set_level(logging.DEBUG)
    server = endpoint(lambda body, n: GOOD)
    record = rewrite_transcript(TRANSCRIPT, {**OPTIONS, "base_url": server.url})
    (req,) = server.seen
    body = req["body"]
    assert body["response_format"] == {"type": "json_object"}
    assert "Spanish" in body["messages"][0]["content"]
    assert "about 30 seconds" in body["messages"][0]["content"]  # half of 60 s
    assert "[2] 18.0-26.0 ¿Por qué no me dijiste la verdad?" in body["messages"][1]["content"]
    assert record["mode"] == "recap" and not record["repaired"] and "fallback" not in record
    assert [b["kind"] for b in record["beats"]] == ["narration", "original", "narration"]
    assert KEY not in json.dumps(record) and KEY not in caplog.text
    script = make_script(TRANSCRIPT, None, {"sentence_pause_ms": 500}, rewritten=record)
    assert script["origin"] == "recap:recap-model" and script["language"] == "es"
    segs = script["segments"]
    for seg in segs:  # every clause inside the span of the segments its beat cites
        cited = TRANSCRIPT["segments"][seg["cites"][0]], TRANSCRIPT["segments"][seg["cites"][-1]]
        end = cited[1]["end"] + (0.3 if seg.get("kind") == "original" else 0.0)
        assert cited[0]["start"] <= seg["source_start"] < seg["source_end"] <= end
    original = [s for s in segs if s.get("kind") == "original"]
    assert len(original) == 1 and original[0]["text"] == LINES[2]
    # its own line, and the silence after it up to 0.3 s (Whisper ends a segment early)
    assert (original[0]["source_start"], original[0]["source_end"]) == (18.0, 26.3)
    # the clauses of a beat share its stretch in order, end to end
    first = [s for s in segs if s["beat"] == 0]
    assert first[0]["source_start"] == 0.0 and first[-1]["source_end"] == 17.0
    assert all(a["source_end"] == b["source_start"] for a, b in zip(first, first[1:], strict=False))
    assert segs[-1]["pause_ms"] == 0 and len({s["sentence"] for s in segs}) >= 3


@pytest.mark.parametrize("kind", sorted(BAD))
def test_an_invalid_answer_gets_one_repair_round(endpoint, kind):
    bad, error = BAD[kind]
    server = endpoint(lambda body, n: bad if n == 0 else GOOD)
    record = rewrite_transcript(TRANSCRIPT, {**OPTIONS, "base_url": server.url})
    assert record["repaired"] and "fallback" not in record and len(server.seen) == 2
    assert any(error in e for e in record["attempts"][0]["errors"]), record["attempts"]
    repair = server.seen[1]["body"]["messages"]
    assert repair[2] == {"role": "assistant", "content": bad}
    assert error in repair[3]["content"] and "corrected JSON" in repair[3]["content"]


@pytest.mark.parametrize("kind", sorted(BAD))
def test_an_answer_still_invalid_falls_back_to_the_transcript_with_its_reason(endpoint, kind):
    bad, error = BAD[kind]
    server = endpoint(lambda body, n: bad)
    record = rewrite_transcript(TRANSCRIPT, {**OPTIONS, "base_url": server.url})
    assert len(server.seen) == 2 and error in record["fallback"] and "beats" not in record
    script = make_script(TRANSCRIPT, None, {}, rewritten=record)
    assert script["origin"] == "transcript" and error in script["recap_fallback"]
    assert all("source_start" in s for s in script["segments"])  # the transcript's own times


@pytest.mark.slow  # over a second (make test-fast stays under 90 s)
def test_an_endpoint_that_times_out_fails_the_job_and_keeps_no_fallback(endpoint):
    """A timeout is no answer: the job fails (a rerun asks again) rather than record a
    fallback that would stay after the outage."""
    server = endpoint(lambda body, n: 3.0)
    with pytest.raises(DramaError, match=r"did not answer within rewrite.timeout_s \(1 s\)"):
        rewrite_transcript(TRANSCRIPT, {**OPTIONS, "base_url": server.url, "timeout_s": 1})


def test_a_server_without_response_format_is_asked_again_without_it(endpoint):
    """llama.cpp builds and other servers may refuse the field: asked once more, parsed anyway
    (here the answer comes in a code fence with prose around it)."""
    server = endpoint(lambda body, n: "Aquí está:\n```json\n" + GOOD + "\n```",
                      refuse_response_format=True)
    record = rewrite_transcript(TRANSCRIPT, {**OPTIONS, "base_url": server.url})
    assert len(record["beats"]) == 3 and len(server.seen) == 2
    assert "response_format" in server.seen[0]["body"]
    assert "response_format" not in server.seen[1]["body"]


def test_a_recap_in_another_language_than_the_drama(endpoint):
    """rewrite.language: a Spanish recap of an English drama is asked and checked in Spanish."""
    english = {**TRANSCRIPT, "language": "en"}
    server = endpoint(lambda body, n: GOOD)
    record = rewrite_transcript(english, {**OPTIONS, "base_url": server.url, "language": "es"})
    assert record["language"] == "es" and "fallback" not in record
    assert "Spanish" in server.seen[0]["body"]["messages"][0]["content"]
    assert make_script(english, None, {}, rewritten=record)["language"] == "es"


def test_parse_answer_and_language_guess():
    assert parse_answer('{"beats": [{"type": "original", "segments": [1]}]}')[0]
    assert parse_answer('[{"type": "original", "segments": [1]}]')[0]
    assert parse_answer('{"beats": []}') == (None, "the answer has no non-empty 'beats' list")
    assert parse_answer("no") == (None, "the answer is not JSON")
    assert guess_language(NARRATION_A) == "es" and guess_language(BAD["wrong-language"][0]) == "en"
    assert guess_language("玛尔塔回到了她童年的家，母亲沉默地迎接她。") == "zh"
    assert guess_language("Marta") == ""  # too little to tell: not judged


def test_target_bounds_are_checked():
    one = [{"type": "narration", "segments": [0], "text": "Marta vuelve a la casa de su madre."}]
    _, errors = check_beats(one, TRANSCRIPT["segments"], "es", 30.0, 12.5, 0.6)
    assert errors and "target is 30 s" in errors[0] and "lengthen" in errors[0]
    _, errors = check_beats(one, TRANSCRIPT["segments"], "es", 3.0, 12.5, 0.6)
    assert not errors


def test_recap_settings_are_tracked_by_the_rewrite_and_its_language_picks_the_voice():
    """The recap keys rerun the rewrite only when the recap is on; rewrite.language decides
    which tts.voices entry the narration depends on (an English drama recapped in Spanish)."""
    import yaml

    from dramabatch.workflow.rerun.tracks import Subject, tracked
    from dramabatch_testkit.runner import REPO

    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    drama = Subject(language="en")
    cfg["rewrite"]["enabled"] = True
    assert not {"mode", "target_share"} & set(tracked("rewrite", cfg, drama)["rewrite"])
    assert tracked("narrate", cfg, drama)["tts"]["voices"] == {}
    cfg["rewrite"].update(mode="recap", language="es")
    assert {"mode", "target_share", "language", "chars_per_second"} <= set(
        tracked("rewrite", cfg, drama)["rewrite"])
    assert tracked("narrate", cfg, drama)["tts"]["voices"] == {"es": cfg["tts"]["voices"]["es"]}
    assert "rewrite" not in tracked("rewrite", cfg, Subject(language="en", has_override=True))


SENTENCE_C = "A storm broke over the harbour. The fishermen pulled their boats onto the sand."


def batch_answer(body: dict, n: int) -> str | float:
    """Per drama (told apart by its transcript): alpha's first answer is malformed and its repair
    good; beta always cites segments that do not exist; gamma's endpoint never answers in time."""
    user = body["messages"][1]["content"].lower()
    if any(word in user for word in ("storm", "harbo", "fishermen")):
        return 5.0
    if any(word in user for word in ("soldier", "letter", "book")):
        return beats({"type": "narration", "segments": [0, 9], "text": "Clara reads a letter."})
    if n == 0:
        return "Sure! Here is the recap you asked for."
    count = len(re.findall(r"^\[\d+\]", user, re.M))
    if count == 1:  # Whisper heard one segment: narrate it
        return beats({"type": "narration", "segments": [0],
                      "text": "A keeper climbs the stairs of the old lighthouse every night."})
    items = [{"type": "narration", "segments": [0], "text": "A keeper climbs the stairs."},
             {"type": "original", "segments": [count - 1]}]
    return beats(*items)


@pytest.mark.slow
def test_a_batch_with_a_repaired_a_fallen_back_and_a_timed_out_recap(tmp_path, endpoint,
                                                                     speech_video,
                                                                     speech_video_b, piper):
    """Each drama's recap goes its own way, named in the run summary; none affects another."""
    from dramabatch.base.audio import write_wav_mono
    from dramabatch_testkit.media import make_video
    from dramabatch_testkit.runner import prepare_batch, snakemake

    samples, rate = piper.synthesize(SENTENCE_C)
    write_wav_mono(tmp_path / "c.wav", samples, rate)
    gamma = make_video(tmp_path / "c.mp4", wav=tmp_path / "c.wav", seconds=len(samples) / rate)
    server = endpoint(batch_answer)
    wd = prepare_batch(tmp_path, [("alpha", str(speech_video)), ("beta", str(speech_video_b)),
                                  ("gamma", str(gamma))])
    with open(wd / "config.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"rewrite:\n  enabled: true\n  mode: recap\n  base_url: {server.url}\n"
                 "  model: fake\n  api_key_env: RECAP_KEY\n  timeout_s: 2\n  target_share: 1.0\n")
    proc = snakemake(wd, "--cores", "2", env={"RECAP_KEY": KEY})
    assert proc.returncode != 0  # gamma failed
    summary = json.loads((wd / "results/run_summary.json").read_text(encoding="utf-8"))
    by_id = {d["id"]: d for d in summary["dramas"]}
    assert by_id["alpha"]["status"] == "finished", by_id["alpha"]
    assert by_id["alpha"]["recap"]["repaired"] and by_id["alpha"]["recap"]["beats"] >= 1
    assert by_id["beta"]["status"] == "finished", by_id["beta"]
    assert "do not exist" in by_id["beta"]["recap"]["fallback"]
    assert by_id["gamma"]["status"] == "failed" and by_id["gamma"]["stage"] == "rewrite"
    assert "did not answer within rewrite.timeout_s" in by_id["gamma"]["cause"]
    text = proc.stdout + proc.stderr
    assert "RECAP FELL BACK  beta" in text and "RECAP REPAIRED  alpha" in text, text[-3000:]
    alpha = json.loads((wd / "results/alpha/script.json").read_text(encoding="utf-8"))
    assert alpha["origin"] == "recap:fake"
    beta = json.loads((wd / "results/beta/script.json").read_text(encoding="utf-8"))
    assert beta["origin"] == "transcript" and "do not exist" in beta["recap_fallback"]
    for path in (wd / "results").rglob("*"):  # the key never reaches a file
        if path.is_file() and path.suffix in (".json", ".log", ".srt", ".txt"):
            assert KEY not in path.read_text(encoding="utf-8", errors="replace"), path
