"""Narration checked by ear: every segment re-transcribed and scored; garbled ones re-voiced.

A TTS engine can fail silently: a robotic voice that swallows words, a neural one that skips a
clause or reads a name in another language. The narration is already transcribed once by Whisper
for the shorts' word times (``align``); that same pass is aligned with the whole script, split by
segment and scored against each segment's text (``wer``: case, accents, punctuation folded,
numbers as words). A segment whose word error rate is above ``tts.revoice_wer`` (and by more
than one word, see ``garbled``) is first heard again alone (the long pass can lose words where
Whisper's 30 s windows meet); if it is still garbled, the same voice says it again, slower and
with its numbers spelt out (one voice from start to end: a robot voice among natural ones is
worse than a slow clause; the neural voices say all such retakes at once in a child process,
``voicer``), and only if that take fails too is it voiced by the next engines
of the drama's voice list (the check record names the switch). Each take is transcribed alone
(seconds of audio, not the whole narration again), until one passes; if none does, the
best-scoring take is kept. Other segments keep their
audio and their recognised words, shifted to their new place, so nothing is transcribed twice.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..base.audio import resample, trim_silence, write_wav_mono
from ..base.errors import DramaError
from . import voicer
from .joined import JoinedWav
from .pieces import PieceStore
from .tts import Engine, make_engine
from .voicer import StoredSpeech, voice_texts
from .wer import by_segment, spell_numbers, wer

log = logging.getLogger(__name__)

#: (samples or the joined narration's WAV, rate) -> recognised words with start/end in seconds
#: from the clip's start.
Recogniser = Callable[[np.ndarray | JoinedWav, int], list[dict]]


def whisper_recogniser(model: str, language: str, threads: int, run: dict) -> Recogniser:
    """The Whisper pass of ``align`` over in-memory audio; ``run`` receives its model info."""
    from .align import recognise_words

    def recognise(samples: np.ndarray | JoinedWav, rate: int) -> list[dict]:
        if isinstance(samples, JoinedWav):  # the whole narration, already on disk
            heard, info = recognise_words(samples.path, model, language, threads)
            run.update(info)
            return heard
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "take.wav"
            write_wav_mono(wav, samples, rate)
            heard, info = recognise_words(wav, model, language, threads)
        run.update(info)
        return heard

    return recognise


def _text(words: list[dict]) -> str:
    return " ".join(w["word"] for w in words)


def garbled(errors: int, count: int, max_wer: float) -> bool:
    """Past the threshold, and by more than one word: Whisper base itself mishears about one
    word in ten of real human speech, so a single slip in a three-word clause is no evidence
    against the voice."""
    return count > 0 and errors / count > max_wer and errors >= min(2, count)


def check_by_ear(segments: list[dict], samples: np.ndarray | JoinedWav,
                 pieces: list[np.ndarray], rate: int,
                 timed: list[dict], first: str, rest: list[tuple[str, dict]],
                 recognise: Recogniser, max_wer: float, language: str,
                 speakable: Callable[[str], str], same_voice: dict | None = None,
                 store: PieceStore | None = None,
                 ) -> tuple[list[np.ndarray], list[dict], list]:
    """Score each segment of the joined narration; re-voice the garbled ones (``garbled``).

    ``samples`` is the joined narration (an array, or the WAV narrate writes), ``pieces``
    its segments' speech and ``timed`` their spans. Returns (pieces, per-segment check
    records, per-segment heard words with times relative to the segment's start). ``rest`` is
    the voice list after the engine ``first`` that spoke all of it; ``same_voice`` the options
    of ``first``'s slower retake, tried before them. ``store`` keeps the takes (a resumed job
    does not voice them again).
    """
    takes: list[tuple[str, str, dict]] = [(f"{name} #{k}", name, options)
                                          for k, (name, options) in enumerate(rest)]
    if same_voice is not None:
        takes.insert(0, ("retake", first, same_voice))
    heard_all = recognise(samples, rate)
    texts = [seg["text"] for seg in timed]
    errors, counts, owner = by_segment(texts, [w["word"] for w in heard_all], language)
    per_seg: list[list[dict]] = [[] for _ in timed]
    for word, seg in zip(heard_all, owner, strict=True):
        per_seg[seg].append(word)
    records: list[dict] = []
    heard: list[list[dict]] = []
    engines: dict[str, Engine | StoredSpeech | None] = {}
    pending: dict[int, tuple] = {}  # garbled segments: (score, speech, words, record) so far
    for idx, seg in enumerate(timed):
        words = per_seg[idx]
        local = [{**w, "start": w["start"] - seg["start"], "end": w["end"] - seg["start"]}
                 for w in words]
        score = errors[idx] / counts[idx] if counts[idx] else 0.0
        record = {"engine": first, "wer": round(score, 3), "heard": _text(words)}
        if segments[idx].get("kind") == "original":
            # a recap's original moment: the drama's own sound, scored but never re-voiced
            record["engine"] = "original"
        elif garbled(errors[idx], counts[idx], max_wer):
            log.warning("narrate: segment %d heard with %.0f %% word errors (%s): %r heard as %r",
                        idx, 100 * score, first, seg["text"], record["heard"])
            # Heard again alone first: the long pass can drop words where Whisper's 30 s
            # windows meet, and the voice is then not to blame.
            alone = recognise(pieces[idx], rate)
            alone_score = wer(seg["text"], _text(alone), language)
            pending[idx] = (score, pieces[idx], local, record)
            if alone_score < score:
                pending[idx] = (alone_score, pieces[idx], alone,
                                {"engine": first, "wer": round(alone_score, 3),
                                 "heard": _text(alone), "heard_alone": True})
                log.info("narrate: segment %d heard alone: %.0f %% word errors", idx,
                         100 * alone_score)
        records.append(record)
        heard.append(local)
    still = [idx for idx, best in pending.items()
             if garbled(round(best[0] * counts[idx]), counts[idx], max_wer)]
    if still and same_voice is not None:
        _voice_retakes(first, same_voice, [_retake_text(segments[i], language, speakable)
                                           for i in still], engines, store, len(segments))
    for idx, best in pending.items():
        before = best[0]
        for label, name, options in takes:
            if not garbled(round(best[0] * counts[idx]), counts[idx], max_wer):
                break
            text = speakable(segments[idx]["text"])
            if label == "retake":
                text = _retake_text(segments[idx], language, speakable)
            take = _revoice(label, name, options, engines, text, rate, store)
            if take is None:
                continue
            clip_words = recognise(take, rate)
            take_score = wer(timed[idx]["text"], _text(clip_words), language)
            log.info("narrate: segment %d re-voiced by %s%s: %.0f %% word errors", idx, name,
                     " (same voice, slower)" if label == "retake" else "", 100 * take_score)
            if take_score < best[0]:
                best = (take_score, take, clip_words,
                        {"engine": name, "wer": round(take_score, 3),
                         "heard": _text(clip_words),
                         "revoiced_from": {"engine": first, "wer": round(before, 3)}})
                if label == "retake":
                    best[3]["retake"] = "same voice, slower, numbers spelt out"
        _, pieces[idx], heard[idx], records[idx] = best
    return pieces, records, heard


def _retake_text(segment: dict, language: str, speakable: Callable[[str], str]) -> str:
    """What the same voice says again: the segment's text with its numbers spelt out."""
    return speakable(spell_numbers(segment["text"], language))


def _voice_retakes(name: str, options: dict, texts: list[str], engines: dict,
                   store: PieceStore | None, size: int) -> None:
    """The same voice's retakes, all voiced at once in child processes (``voicer``) when the
    narration (``size`` segments) is voiced in children: the job itself never loads the model
    (Kokoro in the job, with Whisper and the narration's speech, took it past 1.8 GB at an
    hour)."""
    if not voicer.in_child(name, size, store.folder if store is not None else None):
        return
    try:
        who = voice_texts(name, options, list(dict.fromkeys(texts)), store.folder)
    except DramaError as exc:
        log.warning("narrate: re-voicing with %s failed: %s", name, exc.cause)
        engines["retake"] = None
        return
    engines["retake"] = StoredSpeech(store, who, name)


def _revoice(label: str, name: str, options: dict, engines: dict, text: str, rate: int,
             store: PieceStore | None) -> np.ndarray | None:
    """One segment voiced by engine ``name`` at the narration's rate; None if it cannot."""
    try:
        if label not in engines:
            engines[label] = None
            engines[label] = make_engine(name, options)
        engine = engines[label]
        if engine is None:
            return None
        if isinstance(engine, StoredSpeech):  # voiced by a child (_voice_retakes)
            samples, seg_rate = engine.synthesize(text)
        else:
            samples, seg_rate = (store or PieceStore(None)).voice(engine, text)
        take = trim_silence(resample(samples, seg_rate, rate), rate)
        return take if len(take) else None
    except DramaError as exc:
        log.warning("narrate: re-voicing with %s failed: %s", name, exc.cause)
        return None



def check_summary(timed: list[dict], check: dict, run: dict) -> dict:
    """narration.json's ``check``: the threshold, the recogniser, what was re-voiced and the
    worst segment as heard (what the summary and the report show)."""
    voiced = [s for s in timed if s.get("kind") != "original"] or timed
    worst = max(voiced, key=lambda s: s["wer"])
    return {"max_wer": float(check["max_wer"]), "model": run.get("model", check["model"]),
            "revoiced": [s["index"] for s in timed if "revoiced_from" in s],
            # re-voiced by the same voice (slower): the narration kept one voice
            "retaken": [s["index"] for s in timed if "retake" in s],
            # re-voiced by another engine, because the same voice's retake failed too
            "switched": [{"index": s["index"], "engine": s["engine"],
                          "from": s["revoiced_from"]["engine"]}
                         for s in timed if "revoiced_from" in s and "retake" not in s],
            "worst": {"index": worst["index"], "wer": worst["wer"], "engine": worst["engine"],
                      "text": worst["text"], "heard": worst["heard"]}}
