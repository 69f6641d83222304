"""A Spanish drama through the real workflow CLI with the default speech settings, offline.

The source is the demo's Spanish story (``demo/texts/botella.es.txt``, shortened to its opening,
its ¡...! and its ending) spoken as ``make demo`` speaks it (Kokoro's male voice, offline from
PyPI); the narration is the default Spanish voice list's first, Kokoro (female), offline, and is
checked by ear in the job.
What is checked is what a Spanish-speaking user would check: the transcript is Spanish and close
to what was said, the narration is Spanish that Whisper understands, the subtitles keep every
accent and ¿ ¡, and an English-only model refuses the drama instead of inventing English.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pysubs2
import pytest

from dramabatch.speech.transcribe import TranscribeOptions, transcribe
from dramabatch_testkit.runner import REPO, TINY_CONFIG, snakemake
from dramabatch_testkit.textmetrics import wer, words

pytestmark = pytest.mark.slow

DEMO_STORY = (REPO / "demo" / "texts" / "botella.es.txt").read_text(encoding="utf-8")


def _opening_and_marked(text: str) -> str:
    """The story up to its question, then its exclamation and its last sentence: every kind of
    accent and Spanish mark the tests read, in about half the speech (Kokoro voices it and Whisper
    base transcribes it twice per drama: that is where this file's time goes)."""
    sentences = [s.strip() for s in re.findall(r"[^.?!]+[.?!]", " ".join(text.split()))]
    question = next(i for i, s in enumerate(sentences) if "¿" in s)
    return " ".join(sentences[:question + 1] + [s for s in sentences[question + 1:-1] if "¡" in s]
                    + sentences[-1:])


STORY = _opening_and_marked(DEMO_STORY)
TITLE = "¿Quién escribió la carta?"
#: Kokoro's voices re-transcribed by Whisper base score 0-5 % (benchmarks/voices.py; espeak-ng
#: about 50 %). A wrong-language or English-only transcript scores near 1.0.
SOURCE_WER = 0.1
NARRATION_WER = 0.1


@pytest.fixture(scope="module")
def spanish_video(tmp_path_factory) -> Path:
    from dramabatch.demo.sources import make_source, source_voice

    out = tmp_path_factory.mktemp("es") / "drama.mp4"
    make_source(STORY, out, size="160x90", engine=source_voice("es"))
    return out


#: The language is what these tests are about: the multilingual base model, not tiny.en.
SPANISH_CONFIG = TINY_CONFIG.replace("bundled-tiny.en", "bundled-base")


def run(wd: Path, rows: list[str], config: str = SPANISH_CONFIG) -> dict:
    """Run a batch of manifest ``rows`` (TSV lines) in ``wd``; return run_summary.json by id."""
    manifest = wd / "manifest.tsv"
    manifest.write_text("id\tsource\tlanguage\ttitle\n" + "\n".join(rows) + "\n",
                        encoding="utf-8")
    (wd / "config.yaml").write_text(config.format(manifest=manifest))
    proc = snakemake(wd, "--cores", "2")
    summary = json.loads((wd / "results" / "run_summary.json").read_text(encoding="utf-8"))
    return {"proc": proc, **{d["id"]: d for d in summary["dramas"]}}


@pytest.fixture(scope="module")
def spanish_batch(tmp_path_factory, spanish_video) -> tuple[Path, dict]:
    wd = tmp_path_factory.mktemp("es-batch")
    summary = run(wd, [f"capítulo-1\t{spanish_video}\tes\t{TITLE}",
                       f"auto-es\t{spanish_video}\t\tAuto"])
    assert summary["proc"].returncode == 0, (summary["proc"].stdout
                                             + summary["proc"].stderr)[-3000:]
    return wd / "results", summary


@pytest.mark.parametrize(("drama", "asked"), [("capitulo-1", "es"), ("auto-es", "auto")])
def test_spanish_transcript_is_spanish_and_close_to_what_was_said(spanish_batch, drama, asked):
    results, summary = spanish_batch
    transcript = json.loads((results / drama / "transcript.json").read_text(encoding="utf-8"))
    heard = " ".join(s["text"] for s in transcript["segments"])
    assert (transcript["language"], transcript["requested_language"]) == ("es", asked)
    assert transcript["detected_language"] == "es" and transcript["multilingual"]
    assert transcript["model"] == "bundled-base"
    assert wer(STORY, heard) <= SOURCE_WER, heard
    assert summary[drama]["status"] == "finished" and summary[drama]["language"] == "es"


@pytest.mark.parametrize("drama", ["capitulo-1", "auto-es"])
def test_narration_is_spanish_that_whisper_understands(spanish_batch, drama):
    results, summary = spanish_batch
    script = json.loads((results / drama / "script.json").read_text(encoding="utf-8"))
    timeline = json.loads((results / drama / "narration.json").read_text(encoding="utf-8"))
    said = " ".join(s["text"] for s in script["segments"])
    heard = transcribe(results / drama / "narration.mp3",
                       TranscribeOptions(language="auto", threads=2))
    assert heard["detected_language"] == "es", heard["detected_language"]
    assert wer(said, " ".join(s["text"] for s in heard["segments"])) <= NARRATION_WER

    # Offline, the default Spanish voice is Kokoro: nothing skipped, the check by ear recorded.
    assert timeline["engine"] == "kokoro" and timeline["skipped_engines"] == []
    assert summary[drama]["voice"]["engine"] == "kokoro"
    worst = timeline["check"]["worst"]
    assert summary[drama]["voice"]["worst"] == worst and worst["wer"] <= 0.5
    report = (results / drama / "report.html").read_text(encoding="utf-8")
    assert "kokoro" in report and "checked by ear" in report


def test_subtitles_keep_every_accent_and_spanish_mark(spanish_batch):
    results, _ = spanish_batch
    script = json.loads((results / "capitulo-1" / "script.json").read_text(encoding="utf-8"))
    srt_path = results / "capitulo-1" / "capitulo-1.srt"
    srt = srt_path.read_text(encoding="utf-8")
    said = " ".join(s["text"] for s in script["segments"])
    accented = {w for w in re.findall(r"\w+", said) if not w.isascii()}
    assert accented, "the transcript kept no accented word at all"
    assert accented <= set(re.findall(r"\w+", srt)), accented - set(re.findall(r"\w+", srt))
    assert "Ã" not in srt and "\ufffd" not in srt  # no mojibake
    cues = pysubs2.load(str(srt_path), encoding="utf-8")
    assert words(" ".join(c.plaintext for c in cues)) == words(said)
    for mark in "¿¡":
        assert said.count(mark) == srt.count(mark)


def test_spanish_cues_are_readable(spanish_batch):
    from dramabatch_testkit.cuecheck import cue_problems, cue_stats

    results, _ = spanish_batch
    timeline = json.loads((results / "capitulo-1" / "narration.json").read_text("utf-8"))
    srt = results / "capitulo-1" / "capitulo-1.srt"
    assert cue_problems(srt, timeline) == []
    print(f"\nSpanish cues: {cue_stats(srt)}")


def test_accented_manifest_id_becomes_a_safe_folder_and_keeps_its_label(spanish_batch):
    results, summary = spanish_batch
    assert (results / "capitulo-1" / "long.mp4").exists()
    assert not (results / "capítulo-1").exists()
    plan = json.loads((results / "capitulo-1" / "shorts" / "plan.json").read_text("utf-8"))
    assert plan["shorts"], "a Spanish drama gets shorts like any other"


def test_english_only_model_fails_the_spanish_drama_alone(tmp_path, spanish_video,
                                                          brief_videos):
    summary = run(tmp_path, [f"es1\t{spanish_video}\tes\tES", f"en1\t{brief_videos[0]}\ten\tEN"],
                  TINY_CONFIG)  # the test kit's batches transcribe with tiny.en
    assert summary["proc"].returncode != 0
    assert summary["en1"]["status"] == "finished"
    failed = summary["es1"]
    assert (failed["status"], failed["stage"]) == ("failed", "transcribe")
    assert "'bundled-tiny.en' is English-only" in failed["cause"] and "'es'" in failed["cause"]
    printed = summary["proc"].stdout + summary["proc"].stderr
    assert "FAILED  es1  at transcribe: model 'bundled-tiny.en' is English-only" in printed
    assert not (tmp_path / "results" / "es1" / "transcript.json").exists()
