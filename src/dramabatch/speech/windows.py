"""Long audio decoded in windows of at most ``WINDOW_S`` seconds, each cut in a silence.

faster-whisper computes the log-mel features of all the audio it is given at once (its STFT's
intermediates are several times the samples): a 15-minute drama's transcribe peaked at 991 MB,
growing about 45 MB per source minute, so an hour would pass 2 GB. Both Whisper passes (the
source's transcription, and the check by ear's pass over the whole narration) therefore hand
Whisper one window at a time and shift the times by the window's offset. Whisper itself decodes
30 s windows with the previous text not carried over (``condition_on_previous_text=False``), so
a cut in a silence loses nothing a window boundary of its own would not.

A cut is made in the last ``SEARCH_S`` seconds before the window's limit: near the end of the
longest stretch as quiet as the quietest point (smoothed energy) that Silero VAD does not hear as
speech, or as the quietest point at all when the whole stretch is speech. The last two windows
share what is left evenly, so no tail of a fraction of a second is decoded alone. Audio of one
window or less is one window, the very array given: short dramas decode exactly as before. The
optional openai-whisper backend still reads the whole audio at once (its own decoder; it is not
the default and not sized for hours).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

import numpy as np

RATE = 16000
#: Longest window handed to Whisper: ten minutes of features stay near 500 MB whatever the length.
WINDOW_S = 600.0
#: Stretch before a window's limit searched for a silence to cut in (at most a quarter window).
SEARCH_S = 30.0
#: Energy frame and smoothing: a cut lands in a pause of about this length, not between syllables.
_FRAME = 160  # 10 ms at 16 kHz
_SMOOTH_FRAMES = 30  # 0.3 s


def cut_in_silence(samples: np.ndarray, lo: int, hi: int) -> int:
    """The sample index in [lo, hi] to cut ``samples`` at: quietest outside VAD speech."""
    lo, hi = max(0, lo), min(len(samples), hi)
    region = np.asarray(samples[lo:hi], dtype=np.float32)
    frames = len(region) // _FRAME
    if frames < 2:
        return hi
    energy = np.square(region[:frames * _FRAME]).reshape(frames, _FRAME).mean(axis=1)
    kernel = np.ones(min(_SMOOTH_FRAMES, frames))
    # a moving mean that is not pulled down at the region's edges (no zeros averaged in)
    smooth = (np.convolve(energy, kernel, mode="same")
              / np.convolve(np.ones(frames), kernel, mode="same"))
    speech = np.zeros(frames, dtype=bool)
    for start, end in _speech(region):
        speech[start // _FRAME:-(-end // _FRAME)] = True
    if not speech.all():
        smooth = np.where(speech, np.inf, smooth)
    # the longest stretch as quiet as the quietest point (within 3 dB, or below -90 dB), cut
    # near its end (at most 0.1 s, a quarter of it, before: the smoothing keeps 0.15 s more off
    # the next sound): Whisper times a window's first word from the window's start, so the
    # silence left before it is the error on that word's start
    quiet = np.concatenate([[False], smooth <= 2 * smooth.min() + 1e-9, [False]])
    edges = np.flatnonzero(np.diff(quiet.astype(np.int8)))
    starts, ends = edges[::2], edges[1::2]
    k = int(np.argmax(ends - starts))
    lead = min(10, (int(ends[k]) - int(starts[k])) // 4)
    return lo + (int(ends[k]) - lead) * _FRAME


def _speech(region: np.ndarray) -> list[tuple[int, int]]:
    """Silero VAD's speech in ``region`` (sample spans), padded little: a pause of a tenth of a
    second between sentences stays a candidate for the cut."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    found = get_speech_timestamps(region, VadOptions(min_silence_duration_ms=100,
                                                     speech_pad_ms=30))
    return [(s["start"], s["end"]) for s in found]


def windows(chunks: np.ndarray | Iterable[np.ndarray], window_s: float = WINDOW_S,
            search_s: float = SEARCH_S) -> Iterator[tuple[int, np.ndarray]]:
    """(offset in samples, samples) of consecutive windows of at most ``window_s`` seconds over
    the 16 kHz ``chunks`` (one array, or a stream of them); together they are the whole audio.

    Only about one window is held at a time besides what the caller holds."""
    limit = int(window_s * RATE)
    search = min(int(search_s * RATE), limit // 4)
    pending: list[np.ndarray] = []
    held = 0
    offset = 0
    stream = iter([chunks] if isinstance(chunks, np.ndarray) else chunks)
    ended = False
    while True:
        while not ended and held <= limit + search:
            chunk = next(stream, None)
            if chunk is None:
                ended = True
            elif len(chunk):
                pending.append(chunk)
                held += len(chunk)
        buf = pending[0] if len(pending) == 1 else np.concatenate(pending) if pending else None
        if buf is None:
            return
        if held <= limit:  # the last window (or the only one: the very array given)
            yield offset, buf
            return
        if ended and held <= limit + search:  # the last two share what is left evenly
            cut = cut_in_silence(buf, held // 2 - search // 2, held // 2 + search // 2)
        else:
            cut = cut_in_silence(buf, limit - search, limit)
        cut = min(max(cut, 1), limit)
        yield offset, buf[:cut]
        offset += cut
        pending, held = [buf[cut:]], held - cut


def stream_16k(path: str | os.PathLike[str], chunk_s: float = 30.0) -> Iterator[np.ndarray]:
    """An audio file as 16 kHz mono float32 chunks, decoded and resampled as it is read (as
    faster-whisper's ``decode_audio``, which holds the whole file)."""
    import av

    resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=RATE)
    parts: list[np.ndarray] = []
    held = 0
    with av.open(str(path), mode="r", metadata_errors="ignore") as container:
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                parts.append(out.to_ndarray().reshape(-1))
                held += parts[-1].size
            if held >= chunk_s * RATE:
                yield np.concatenate(parts).astype(np.float32) / 32768.0
                parts, held = [], 0
        for out in resampler.resample(None):
            parts.append(out.to_ndarray().reshape(-1))
    if parts:
        yield np.concatenate(parts).astype(np.float32) / 32768.0
