"""The narration's loudness: measured by ffmpeg's loudnorm and ebur128, brought to the target
under a true-peak ceiling, and encoded to MP3 (narrate's last step).

Speech is peaky, so a linear gain seldom reaches the target within the ceiling: a look-ahead
limiter (delay-compensated, so every timing stays exact) holds the peaks, and the encoded file
is measured again and corrected, up to five passes.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ..base.audio import write_wav_mono
from ..base.errors import DramaError
from ..base.fsutil import atomic_output
from ..base.media import ffmpeg_exe, run_ffmpeg
from .joined import JoinedWav

log = logging.getLogger(__name__)

#: Largest miss of the loudness target accepted after the correction passes.
LOUDNESS_TOLERANCE_LU = 2.0


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
