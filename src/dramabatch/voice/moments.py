"""The sound of a recap's original moments (script/beats.py): the drama's own line, in the
narration track itself.

Putting the moment's source audio into ``narration.mp3`` (rather than a silence there and the
source mixed in by each render) keeps one track that everything downstream already follows: the
long video and every short play it at 1x, the music is ducked under it as under the voice, its
words are aligned for the shorts' captions, and its loudness is brought to the narration's:
each moment is measured (EBU R128) against the voice just around it and given the difference
(``level_moments``), so a quiet speaker is heard as clearly as the narrator.
The piece is exactly ``round(length * rate)`` samples, so every later time stays sample-exact.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess

import numpy as np

from ..base.errors import DramaError
from ..base.media import ffmpeg_exe

log = logging.getLogger(__name__)


def moment_audio(source: str | os.PathLike[str], start: float, end: float,
                 rate: int) -> np.ndarray:
    """The source's sound from ``start`` to ``end`` (seconds), mono float32 at ``rate``, padded
    with silence or cut to exactly ``round((end - start) * rate)`` samples."""
    want = round((end - start) * rate)
    if want <= 0:
        raise DramaError(f"original moment {start:.2f}-{end:.2f} s has no length")
    proc = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-nostdin", "-ss", f"{start:.4f}", "-t",
         f"{end - start:.4f}", "-i", str(source), "-map", "0:a:0", "-ac", "1", "-ar", str(rate),
         "-f", "f32le", "-"], capture_output=True, timeout=300)
    if proc.returncode != 0:
        raise DramaError(f"could not read the source's sound at {start:.2f}-{end:.2f} s for an "
                         f"original moment: {proc.stderr.decode(errors='replace')[-200:].strip()}")
    samples = np.frombuffer(proc.stdout, np.float32)[:want]
    return np.pad(samples, (0, want - len(samples))).astype(np.float32)


#: Below this, ebur128's integrated loudness is its gate (-70 LUFS), not a measurement.
GATE_LUFS = -69.0
#: Peak ceiling of a levelled moment (linear), under which the limiter leaves it alone: the
#: narration's own limiter then holds the whole track's true peak.
MOMENT_CEILING = 0.9


def loudness(samples: np.ndarray, rate: int) -> float | None:
    """Integrated loudness (EBU R128, ffmpeg's ebur128) of mono float samples, in LUFS; None
    for a piece too short or too quiet to gate (under 0.4 s, or silence)."""
    if len(samples) < 0.4 * rate:
        return None
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostats", "-nostdin", "-f", "f32le", "-ar", str(rate),
         "-ac", "1", "-i", "-", "-af", "ebur128", "-f", "null", "-"],
        input=np.ascontiguousarray(samples, np.float32).tobytes(), capture_output=True,
        timeout=300)
    text = proc.stderr.decode(errors="replace")
    found = re.search(r"I:\s*(-?[\d.]+|-inf) LUFS", text[text.rfind("Summary:"):])
    if proc.returncode != 0 or not found:
        raise DramaError(f"could not measure an original moment's loudness: {text[-200:]}")
    value = float(found.group(1))
    return value if value > GATE_LUFS else None


def level_moment(moment: np.ndarray, voice: np.ndarray, rate: int) -> tuple[np.ndarray, dict]:
    """``moment`` at the loudness of ``voice`` (the narration around it): one gain from the two
    measurements, and a look-ahead limiter (delay-compensated: every sample stays in place)
    where the gain would lift a peak over the ceiling. Returns the samples, the same count, and
    what was measured (LUFS before and after, the voice's, the gain)."""
    have, want = loudness(moment, rate), loudness(voice, rate)
    if have is None or want is None:
        return moment, {"moment_lufs": have, "voice_lufs": want, "gain_db": 0.0}
    gain = want - have
    graph = f"volume={gain:.2f}dB"
    if float(np.abs(moment).max()) * 10 ** (gain / 20) > MOMENT_CEILING:
        graph += f",alimiter=limit={MOMENT_CEILING}:level=0:attack=5:release=80:latency=1"
    proc = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-nostdin", "-f", "f32le", "-ar", str(rate), "-ac", "1",
         "-i", "-", "-af", graph, "-f", "f32le", "-"],
        input=np.ascontiguousarray(moment, np.float32).tobytes(), capture_output=True,
        timeout=300)
    if proc.returncode != 0:
        raise DramaError(f"could not level an original moment: "
                         f"{proc.stderr.decode(errors='replace')[-200:].strip()}")
    levelled = np.frombuffer(proc.stdout, np.float32)[:len(moment)]
    levelled = np.pad(levelled, (0, len(moment) - len(levelled))).astype(np.float32)
    return levelled, {"moment_lufs": have, "voice_lufs": want, "gain_db": round(gain, 2),
                      "levelled_lufs": loudness(levelled, rate),
                      "limited": "alimiter" in graph}


def level_moments(segments: list[dict], pieces: list[np.ndarray],
                  rate: int) -> list[dict]:
    """Bring each original moment of ``pieces`` (in place) to the loudness of the narration
    around it: the spoken pieces just before and just after it (either, at the script's ends).

    A quiet speaker's line kept at the source's level sat 13 dB under the voice in the video,
    with the music ducked under it: too quiet to hear. Measured per moment, since a drama's
    speakers differ. Returns one record per moment (its segment index and the measurements).
    """
    spoken = [i for i, seg in enumerate(segments) if seg.get("kind") != "original"]
    records = []
    for idx, seg in enumerate(segments):
        if seg.get("kind") != "original":
            continue
        before = [i for i in spoken if i < idx][-1:]
        after = [i for i in spoken if i > idx][:1]
        around = [pieces[i] for i in before + after]
        if not around:
            records.append({"index": idx, "moment_lufs": None, "voice_lufs": None,
                            "gain_db": 0.0})
            continue
        pieces[idx], record = level_moment(pieces[idx], np.concatenate(around), rate)
        records.append({"index": idx, **record})
        log.info("narrate: original moment %d at %s LUFS, the voice around it %s LUFS: %+.1f dB",
                 idx, record["moment_lufs"], record["voice_lufs"], record["gain_db"])
    return records


#: Rate of a narration that starts with an original moment (before any engine has spoken).
MOMENT_RATE = 24000


def source_moment(seg: dict, source: str | os.PathLike[str] | None, rate: int) -> np.ndarray:
    """An original moment's sound: its cited stretch of the source, at the narration's rate."""
    if source is None:
        raise DramaError("the script has an original moment but no source to take its sound "
                         "from")
    return moment_audio(source, seg["source_start"], seg["source_end"], rate)
