"""Audio extraction and small PCM helpers (numpy float32 mono)."""

from __future__ import annotations

import os
import wave
from pathlib import Path

import numpy as np

from .errors import DramaError
from .fsutil import atomic_output
from .media import probe, run_ffmpeg


def extract_audio(source: str | os.PathLike[str], wav: str | os.PathLike[str],
                  rate: int = 16000, track: int = 0) -> float:
    """Extract audio track ``track`` (from 0) of ``source`` as mono ``rate`` Hz 16-bit WAV;
    return its duration in seconds."""
    info = probe(source)
    if not info.has_audio:
        raise DramaError("no audio stream in source")
    if info.duration <= 0.1:
        raise DramaError(f"source is too short to transcribe ({info.duration:.2f} s)")
    with atomic_output(wav) as tmp:
        run_ffmpeg(["-i", str(source), "-map", f"0:a:{track}", "-vn", "-ac", "1", "-ar", str(rate),
                    "-c:a", "pcm_s16le", "-f", "wav", str(tmp)],
                   duration=info.duration, what="extract audio")
    return info.duration


def read_wav_mono(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Read a 16-bit PCM WAV into float32 mono in [-1, 1]."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2:
            raise DramaError(f"{Path(path).name}: expected 16-bit PCM WAV")
        rate, channels = w.getframerate(), w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data, rate


def write_wav_mono(path: str | os.PathLike[str], samples: np.ndarray, rate: int) -> None:
    """Write float32 mono samples as 16-bit PCM WAV (clipped to [-1, 1])."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Linear-interpolation resampling: enough for speech joined from engines of different rates."""
    if src_rate == dst_rate or len(samples) == 0:
        return samples
    n = int(round(len(samples) * dst_rate / src_rate))
    x_old = np.arange(len(samples)) / src_rate
    x_new = np.arange(n) / dst_rate
    return np.interp(x_new, x_old, samples).astype(np.float32)


def trim_silence(samples: np.ndarray, rate: int, threshold_db: float = -45.0,
                 margin_s: float = 0.02) -> np.ndarray:
    """Trim leading/trailing near-silence so cue times mark where speech really starts and ends."""
    if len(samples) == 0:
        return samples
    threshold = 10 ** (threshold_db / 20)
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if len(loud) == 0:
        return samples[:0]
    margin = int(margin_s * rate)
    start = max(0, loud[0] - margin)
    end = min(len(samples), loud[-1] + margin + 1)
    return samples[start:end]


def decode_to_mono(data_path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Decode any audio file PyAV reads (mp3 from gTTS, say) to float32 mono."""
    import av

    chunks = []
    with av.open(str(data_path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    return (np.concatenate(chunks) if chunks else np.zeros(0, np.float32)).astype(np.float32), rate
