"""Which audio track of a source to transcribe, when it has several.

Downloaded episodes often carry an original and a dubbed track, or music-and-effects beside the
dialogue. The choice, in order: the manifest's ``audio_track`` column (a track number counted
from 0 among the audio tracks, as ffmpeg's ``a:N``, or a language tag such as ``spa`` / ``es``,
any ISO 639 spelling: langcodes reads them, base.language);
else the track whose language tag matches the drama's language; else the track with the most
speech (Silero VAD). A chosen track without speech, while another has some, fails the drama
naming both, and every error lists the tracks found with their tags.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import av

from ..base.errors import DramaError
from ..base.language import same_language


@dataclass(frozen=True)
class AudioTrack:
    number: int  # among the audio tracks, from 0 (ffmpeg's a:N)
    language: str  # the container's tag, '' when missing or 'und'
    title: str = ""

    def describe(self) -> str:
        tag = self.language or "no language tag"
        return f"#{self.number} ({tag}{', ' + repr(self.title) if self.title else ''})"


def audio_tracks(path: str | os.PathLike[str]) -> list[AudioTrack]:
    with av.open(str(path)) as container:
        out = []
        for n, stream in enumerate(container.streams.audio):
            meta = dict(stream.metadata or {})
            lang = (meta.get("language") or "").lower()
            out.append(AudioTrack(n, "" if lang in ("und", "") else lang, meta.get("title", "")))
        return out


def matches(tag: str, language: str) -> bool:
    """Does a container tag ('spa', 'fre', 'es-MX') name ``language`` ('es', 'es-MX')? Any
    ISO 639-1/-2 spelling of any language, compared by langcodes (base.language)."""
    return same_language(tag, language)


def _listing(tracks: list[AudioTrack]) -> str:
    return ", ".join(t.describe() for t in tracks) or "none"


def choose(tracks: list[AudioTrack], wanted: str, language: str,
           speech: Callable[[int], float], min_speech_s: float) -> dict:
    """The track to transcribe and why, as recorded in the transcript."""
    if not tracks:
        raise DramaError("no audio stream in source")
    wanted = (wanted or "").strip()
    measured: dict[int, float] = {}
    if wanted:
        if wanted.isdigit():
            picked = [t for t in tracks if t.number == int(wanted)]
        else:
            picked = [t for t in tracks if matches(t.language, wanted)]
        if not picked:
            raise DramaError(f"audio_track '{wanted}' is not in the source, which has "
                             f"{len(tracks)} audio track(s): {_listing(tracks)}")
        track, why = picked[0], f"the manifest's audio_track '{wanted}'"
    elif len(tracks) == 1:
        track, why = tracks[0], "the only audio track"
    elif [t for t in tracks if matches(t.language, language)]:
        track = next(t for t in tracks if matches(t.language, language))
        why = f"its language tag matches the drama's language '{language}'"
    else:
        measured = {t.number: speech(t.number) for t in tracks}
        track = tracks[max(measured, key=lambda n: (measured[n], -n))]
        why = f"the most speech ({measured[track.number]:.1f} s)"
    if len(tracks) > 1:
        if track.number not in measured:
            measured[track.number] = speech(track.number)
        if measured[track.number] < min_speech_s:
            for other in tracks:
                if other.number not in measured:
                    measured[other.number] = speech(other.number)
            best = max(measured, key=lambda n: measured[n])
            if measured[best] >= min_speech_s:
                raise DramaError(
                    f"audio track {track.describe()} has no speech ({measured[track.number]:.1f}"
                    f" s) but track {tracks[best].describe()} has {measured[best]:.1f} s: set the "
                    f"manifest's audio_track to {best}; tracks: {_listing(tracks)}")
    return {**asdict(track), "why": why, "tracks": [asdict(t) for t in tracks],
            "speech_s": {str(n): round(s, 2) for n, s in sorted(measured.items())}}


def speech_of(source: str | os.PathLike[str]) -> Callable[[int], float]:
    """Seconds of voice activity on one audio track of ``source`` (decoded to 16 kHz mono)."""
    from ..base.media import run_ffmpeg
    from .transcribe import voice_activity_seconds

    def measure(number: int) -> float:
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "track.wav"
            run_ffmpeg(["-i", str(source), "-map", f"0:a:{number}", "-ac", "1", "-ar", "16000",
                        "-c:a", "pcm_s16le", "-f", "wav", str(wav)],
                       what=f"audio track {number}")
            return voice_activity_seconds(str(wav))

    return measure
