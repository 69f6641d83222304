"""Narration: synthesise each script segment, join with exact silences, normalise loudness.

Timings in ``narration.json`` are computed from sample counts while joining, so subtitles are
placed where the words are, not estimated afterwards. Identical segments are synthesised once.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from ..base.audio import resample, trim_silence, write_wav_mono
from ..base.errors import DramaError
from ..base.fsutil import atomic_output, write_text_atomic
from ..base.media import ffmpeg_exe, run_ffmpeg
from .align import words_from_heard
from .hearing import check_by_ear, check_summary, whisper_recogniser
from .joined import JoinedWav, write_joined
from .moments import MOMENT_RATE, level_moments, source_moment
from .pieces import PieceStore
from .tts import Engine, engine_plan, make_engine, slower_take

log = logging.getLogger(__name__)

#: Largest miss of the loudness target accepted after the correction passes.
LOUDNESS_TOLERANCE_LU = 2.0


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
            if isinstance(engine, dict):
                engine = make_engine(name, engine)
            pieces, rate = _voice(segments, engine, source, store)
            moments = level_moments(segments, pieces, rate)
            return rate, {"engine": name,
                                          "voice": getattr(engine, "voice_id", ""),
                                          "skipped": skipped, "position": position,
                                          "pieces": pieces, "moments": moments}
        except DramaError as exc:
            log.warning("TTS engine '%s' failed: %s", name, exc.cause)
            skipped.append({"engine": name, "reason": exc.cause})
    raise DramaError("every TTS engine failed: "
                     + "; ".join(f"{s['engine']}: {s['reason']}" for s in skipped))


def _voice(segments: list[dict], engine: Engine,
           source: str | os.PathLike[str] | None = None,
           store: PieceStore | None = None) -> tuple[list[np.ndarray], int]:
    """Each segment's speech (silence trimmed) at the first segment's rate; a recap's original
    moment is the source's own sound, exactly its length (never trimmed).

    Logs "narrate: NN%" (segments done) for the live display: an hour is tens of minutes."""
    store = store if store is not None else PieceStore(None)
    reused_before = store.reused
    cache: dict[str, tuple[np.ndarray, int]] = {}
    shown = -1
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
            cache[text] = store.voice(engine, text)
        else:
            log.info("narrate: segment %d repeats an earlier one; reusing its audio", idx)
        samples, seg_rate = cache[text]
        rate = rate or seg_rate
        speech = trim_silence(resample(samples, seg_rate, rate), rate)
        if len(speech) == 0:
            raise DramaError(f"TTS engine '{engine.name}' produced silence for: {text!r}")
        pieces.append(speech)
        percent = 100 * (idx + 1) // len(segments)
        if percent // 5 > shown:  # every 5 %: a few dozen lines for any length
            shown = percent // 5
            log.info("narrate: %d%%", percent)
    log.info("narrate: %d segments, %d synthesised, %d kept from an earlier run",
             len(segments), len(cache) - (store.reused - reused_before),
             store.reused - reused_before)
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
    pieces, rate = _voice(segments, engine, source)
    level_moments(segments, pieces, rate)
    samples, timed = _assemble(segments, pieces, rate)
    return samples, rate, timed


def measure_loudness(wav: Path, target_lufs: float, true_peak: float) -> dict[str, Any]:
    """First loudnorm pass: measure integrated loudness, true peak, LRA and threshold."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(wav), "-af",
         f"loudnorm=I={target_lufs}:TP={true_peak}:LRA=11:print_format=json", "-f", "null", "-"],
        capture_output=True, text=True, timeout=600,
    )
    match = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", proc.stderr)
    if proc.returncode != 0 or not match:
        raise DramaError(f"loudness measurement failed: {proc.stderr[-500:]}")
    return json.loads(match.group(0))


def measure_file(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of an encoded file, by ffmpeg's ebur128 meter."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostats", "-nostdin", "-i", str(path), "-af",
         "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True, timeout=600)
    summary = proc.stderr[proc.stderr.rfind("Summary:"):]
    i_match = re.search(r"I:\s*(-?[\d.]+|-inf) LUFS", summary)
    p_match = re.search(r"Peak:\s*(-?[\d.]+|-inf) dBFS", summary)
    if proc.returncode != 0 or not i_match or not p_match:
        raise DramaError(f"loudness measurement failed: {proc.stderr[-500:]}")
    return float(i_match.group(1)), float(p_match.group(1))


def encode_narration(samples: np.ndarray | JoinedWav, rate: int, mp3: Path, *,
                     target_lufs: float,
                     true_peak: float, out_rate: int = 44100, bitrate: str = "160k") -> dict:
    """Normalise loudness to ``target_lufs`` under a ``true_peak`` ceiling; encode MP3 atomically.

    A linear gain is used when it reaches the target within the ceiling. Speech is peaky, so
    usually it does not: then a look-ahead peak limiter (delay-compensated, so every timing stays
    exact) holds the peaks while the gain brings the programme up to the target. The encoded
    file is measured again (ebur128, true peak) and the gain corrected, up to five passes.
    """
    with tempfile.TemporaryDirectory() as tmpdir:
        if isinstance(samples, JoinedWav):  # already on disk (narrate: never held whole)
            wav = samples.path
        else:
            wav = Path(tmpdir) / "narration.wav"
            write_wav_mono(wav, samples, rate)
        m = measure_loudness(wav, target_lufs, true_peak)
        gain = target_lufs - float(m["input_i"])
        # Sample-peak ceiling for the limiter, with margin for inter-sample and MP3 overshoot.
        ceiling = true_peak - 1.0
        limited = float(m["input_tp"]) + gain > true_peak
        trial = Path(tmpdir) / "trial.mp3"
        for _ in range(5):
            af = f"volume={gain:.2f}dB"
            if limited:
                af += (f",alimiter=limit={10 ** (ceiling / 20):.4f}:level=0:attack=5:"
                       f"release=80:latency=1")
            af += f",aresample={out_rate}"
            run_ffmpeg(["-i", str(wav), "-af", af, "-ac", "1", "-c:a", "libmp3lame",
                        "-b:a", bitrate, "-f", "mp3", str(trial)],
                       duration=len(samples) / rate, what="encode narration")
            got_i, got_tp = measure_file(trial)
            if got_tp > true_peak:
                ceiling -= got_tp - true_peak + 0.2
                limited = True
                continue
            if abs(got_i - target_lufs) <= 0.5:
                break
            gain += (target_lufs - got_i) * (1.6 if limited else 1.0)  # the limiter eats some
            limited = limited or float(m["input_tp"]) + gain > true_peak
        if got_tp > true_peak:
            raise DramaError(
                f"narration true peak {got_tp:.2f} dBTP is above the {true_peak:g} dBTP ceiling "
                f"after 5 correction passes (loudness {got_i:.1f} LUFS for a target of "
                f"{target_lufs:g}): lower tts.loudness_lufs or raise tts.true_peak_db")
        if abs(got_i - target_lufs) > LOUDNESS_TOLERANCE_LU:
            raise DramaError(
                f"narration reached {got_i:.1f} LUFS, {abs(got_i - target_lufs):.1f} LU from its "
                f"{target_lufs:g} LUFS target, under the {true_peak:g} dBTP ceiling after 5 "
                f"passes: the ceiling leaves no room for that loudness; lower "
                f"tts.loudness_lufs or raise tts.true_peak_db")
        with atomic_output(mp3) as tmp:
            tmp.write_bytes(trial.read_bytes())
    log.info("narrate: loudness %.1f LUFS, true peak %.1f dBTP (target %.1f / %.1f)",
             got_i, got_tp, target_lufs, true_peak)
    return {"target_lufs": target_lufs, "true_peak_db": true_peak,
            "measured_lufs": float(m["input_i"]), "measured_tp": float(m["input_tp"]),
            "gain_db": round(gain, 2), "limiter": limited,
            "output_lufs": got_i, "output_tp": got_tp}


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
