"""Narration: synthesise each script segment, join with exact silences, normalise loudness.

Timings in ``narration.json`` are computed from sample counts while joining, so subtitles are
placed where the words are, not estimated afterwards. Identical segments are synthesised once.
The neural voices speak in child processes (``voicer``: flat memory at any length), every
piece kept in the resume store (``pieces``); loudness and encoding are in ``loudness``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from ..base.audio import resample, trim_silence
from ..base.errors import DramaError
from ..base.fsutil import write_text_atomic
from . import voicer
from .align import words_from_heard
from .hearing import check_by_ear, check_summary, whisper_recogniser
from .joined import write_joined
from .loudness import encode_narration
from .moments import MOMENT_RATE, level_moments, source_moment
from .pieces import PieceStore
from .tts import Engine, engine_plan, make_engine, slower_take
from .voicer import StoredSpeech, voice_texts

log = logging.getLogger(__name__)

def speakable(text: str) -> str:
    """What an engine is given: the text without emoji/pictographs (kept in subtitles)."""
    kept = "".join(" " if unicodedata.category(ch) in ("So", "Cs", "Co") else ch
                   for ch in text if ch not in "\u200d\ufe0f")
    return re.sub(r"\s+", " ", kept).strip()


def synthesize_segments(
    segments: list[dict], engines: list[tuple[str, Engine | dict]],
    source: str | os.PathLike[str] | None = None, store: PieceStore | None = None,
) -> tuple[int, dict]:
    """Synthesize each segment; return (rate, who spoke). The caller joins them (joined.py).

    ``engines`` is the ordered fallback list as (name, engine or its options to build it lazily);
    the first engine that voices every segment is used for the whole narration, so one voice is
    heard. "Who spoke" names that engine and voice, its place in ``engines`` and, for each
    engine tried before it, why it was skipped (offline, rejected, wrong language...); its
    ``pieces`` are the segments' speech, for re-voicing one of them. ``source``: where a
    recap's original moments (segments of kind ``original``) take their sound from;
    ``store`` keeps each voiced segment as it finishes (``pieces``: a rerun resumes).
    """
    skipped: list[dict] = []
    for position, (name, engine) in enumerate(engines):
        try:
            children = isinstance(engine, dict) and voicer.in_child(
                name, len(segments), store.folder if store is not None else None)
            if children:
                speak, voice_id = _voice_in_children(segments, name, engine, store)
            else:
                if isinstance(engine, dict):
                    engine = make_engine(name, engine)
                kept = store if store is not None else PieceStore(None)
                speak = partial(kept.voice, engine)
                voice_id = getattr(engine, "voice_id", "")
            pieces, rate = _voice(segments, speak, name, source, store, voicing=not children)
            moments = level_moments(segments, pieces, rate)
            return rate, {"engine": name, "voice": voice_id, "skipped": skipped,
                          "position": position, "pieces": pieces, "moments": moments}
        except DramaError as exc:
            log.warning("TTS engine '%s' failed: %s", name, exc.cause)
            skipped.append({"engine": name, "reason": exc.cause})
    raise DramaError("every TTS engine failed: "
                     + "; ".join(f"{s['engine']}: {s['reason']}" for s in skipped))


def _voice_in_children(segments: list[dict], name: str, options: dict, store: PieceStore,
                       ) -> tuple[Callable[[str], tuple[np.ndarray, int]], str]:
    """Voice every spoken text in child processes (``voicer``), logging "narrate: NN%";
    return (how to read a text's speech back from the store, the voice's name)."""
    spoken = (speakable(seg["text"]) for seg in segments if seg.get("kind") != "original")
    # a text with nothing to speak is left to _voice, which names its segment
    texts = list(dict.fromkeys(t for t in spoken if any(ch.isalnum() for ch in t)))
    counts = {"voiced": 0, "kept": 0}
    show = _percent(len(texts))

    def progress(done: int, voiced: bool) -> None:
        counts["voiced" if voiced else "kept"] += 1
        show(done)

    who = voice_texts(name, options, texts, store.folder, progress)
    log.info("narrate: %d texts voiced in child processes, %d kept from an earlier run",
             counts["voiced"], counts["kept"])
    return StoredSpeech(store, who, name).synthesize, (who.get("settings") or {}).get(
        "voice_id", "")


def _percent(total: int) -> Callable[[int], None]:
    """``show(done)`` logs "narrate: NN%" of ``total`` every 5 % (a few dozen lines for any
    length; the live display reads them)."""
    shown = -1

    def show(done: int) -> None:
        nonlocal shown
        percent = 100 * done // max(1, total)
        if percent // 5 > shown:
            shown = percent // 5
            log.info("narrate: %d%%", percent)

    return show


def _voice(segments: list[dict], speak: Callable[[str], tuple[np.ndarray, int]], name: str,
           source: str | os.PathLike[str] | None = None,
           store: PieceStore | None = None, voicing: bool = True,
           ) -> tuple[list[np.ndarray], int]:
    """Each segment's speech (silence trimmed) at the first segment's rate; a recap's original
    moment is the source's own sound, exactly its length (never trimmed).

    ``speak(text)`` gives a text's speech (an engine through the store, or the store alone
    when children voiced it). ``voicing``: this pass voices (not the children before it), so it
    logs "narrate: NN%" (segments done) for the live display, an hour being tens of minutes,
    and what it synthesised and kept (the children log their own counts)."""
    reused_before = store.reused if store is not None else 0
    cache: dict[str, tuple[np.ndarray, int]] = {}
    show = _percent(len(segments))
    rate = 0
    pieces: list[np.ndarray] = []
    for idx, seg in enumerate(segments):
        if seg.get("kind") == "original":
            rate = rate or MOMENT_RATE
            pieces.append(source_moment(seg, source, rate))
            continue
        text = speakable(seg["text"])
        if not any(ch.isalnum() for ch in text):
            raise DramaError(f"script segment {idx} has nothing to speak: {seg['text']!r}")
        if text not in cache:
            cache[text] = speak(text)
        else:
            log.info("narrate: segment %d repeats an earlier one; reusing its audio", idx)
        samples, seg_rate = cache[text]
        rate = rate or seg_rate
        speech = trim_silence(resample(samples, seg_rate, rate), rate)
        if len(speech) == 0:
            raise DramaError(f"TTS engine '{name}' produced silence for: {text!r}")
        pieces.append(speech)
        if voicing:
            show(idx + 1)
    if not voicing:  # every piece was read back from the store: counting "kept" would mislead
        return pieces, rate
    reused = (store.reused if store is not None else 0) - reused_before
    log.info("narrate: %d segments, %d synthesised, %d kept from an earlier run",
             len(segments), len(cache) - reused, reused)
    return pieces, rate


def _assemble(segments: list[dict], pieces: list[np.ndarray],
              rate: int) -> tuple[np.ndarray, list[dict]]:
    """Join the speech with each segment's pause; times from sample counts."""
    out: list[np.ndarray] = []
    timed: list[dict] = []
    cursor = 0
    for idx, (seg, speech) in enumerate(zip(segments, pieces, strict=True)):
        start = cursor
        out.append(speech)
        cursor += len(speech)
        end = cursor
        pause = int(round(seg.get("pause_ms", 0) / 1000 * rate))
        if pause:
            out.append(np.zeros(pause, np.float32))
            cursor += pause
        timed.append({**seg, "index": idx, "start": start / rate, "end": end / rate})
    return np.concatenate(out), timed


def _join(segments: list[dict], engine: Engine,
          source: str | os.PathLike[str] | None = None) -> tuple[np.ndarray, int, list[dict]]:
    pieces, rate = _voice(segments, partial(PieceStore(None).voice, engine), engine.name,
                          source)
    level_moments(segments, pieces, rate)
    samples, timed = _assemble(segments, pieces, rate)
    return samples, rate, timed


def narrate(script: dict, mp3: str | os.PathLike[str], timeline: str | os.PathLike[str],
            options: dict, check: dict | None = None,
            words: str | os.PathLike[str] | None = None,
            source: str | os.PathLike[str] | None = None,
            pieces: str | os.PathLike[str] | None = None) -> dict:
    """Produce ``mp3`` and its ``timeline`` JSON from a script dict (``source``: for a recap's
    original moments).

    With ``check`` (``model``, ``threads``, ``max_wer``) the narration is checked by ear
    (``hearing``) before it is encoded, and the same recognition gives ``words`` (words.json).
    ``pieces``: a folder keeping each voiced segment as it finishes (``voice.pieces``), so a
    rerun after a kill voices only what is missing; pruned to this narration's once it is done.
    """
    segments = script["segments"]
    if not segments:
        raise DramaError("the script is empty: nothing to narrate")
    language = script.get("language", "")
    plan = engine_plan(options, language)
    log.info("narrate: engines to try: %s", ", ".join(name for name, _ in plan))
    store = PieceStore(pieces)
    rate, spoke = synthesize_segments(segments, plan, source, store)
    for skip in spoke["skipped"]:
        log.info("narrate: skipped %s: %s", skip["engine"], skip["reason"])
    log.info("narrate: spoken by %s (%s)", spoke["engine"], spoke["voice"])
    heard: list[list[dict]] = []
    with tempfile.TemporaryDirectory() as tmpdir:  # the joined narration, on disk (joined.py)
        wav = Path(tmpdir) / "narration.wav"
        joined, timed = write_joined(segments, spoke["pieces"], rate, wav)
        if check is not None:
            run: dict = {}
            recognise = whisper_recogniser(check["model"], language, check.get("threads", 1),
                                           run)
            voiced, records, heard = check_by_ear(
                segments, joined, spoke["pieces"], rate, timed, spoke["engine"],
                plan[spoke["position"] + 1:], recognise, float(check["max_wer"]), language,
                speakable, same_voice=slower_take(*plan[spoke["position"]]), store=store)
            joined, timed = write_joined(segments, voiced, rate, wav)
            timed = [{**seg, **rec} for seg, rec in zip(timed, records, strict=True)]
        loudness = encode_narration(joined, rate, Path(mp3),
                                    target_lufs=options.get("loudness_lufs", -14.0),
                                    true_peak=options.get("true_peak_db", -1.0),
                                    out_rate=options.get("sample_rate", 44100))
    result = {
        "engine": spoke["engine"],
        "voice": spoke["voice"],
        "skipped_engines": spoke["skipped"],
        "language": language,
        "duration": round(len(joined) / rate, 4),
        "loudness": loudness,
        "segments": [{**s, "start": round(s["start"], 4), "end": round(s["end"], 4)}
                     for s in timed],
    }
    if spoke["moments"]:
        result["moments"] = spoke["moments"]
    if check is not None:
        result["check"] = check_summary(timed, check, run)
        if words is not None:
            absolute = [{**w, "start": w["start"] + seg["start"], "end": w["end"] + seg["start"]}
                        for seg, seg_words in zip(timed, heard, strict=True) for w in seg_words]
            document = words_from_heard(result, absolute, run)
            write_text_atomic(words, json.dumps(document, ensure_ascii=False, indent=1))
    write_text_atomic(timeline, json.dumps(result, ensure_ascii=False, indent=1))
    store.prune()
    return result
