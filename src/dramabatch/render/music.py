"""Background music by mood: ``audio.music: "mood:calm"`` names a packaged track, not a file.

The tracks come from the ``immich-memories-music`` package (MIT, generated with ACE-Step, no
attribution needed): about 30 s each, one folder per mood. Each drama gets one track of the mood,
picked by a stable hash of its id, so a batch does not play the same tune under every video and a
rerun picks the same one. The resolved file is what the render rules declare as their input, so
changing the mood (or replacing a music file) reruns the renders and nothing before them; the
render loops the track to the video's length and ducks it under the narration like any music file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..base.errors import DramaError

#: The prefix that makes ``audio.music`` a mood rather than a path.
PREFIX = "mood:"
#: Extensions of the packaged tracks.
_AUDIO = (".opus", ".ogg", ".mp3", ".m4a", ".wav", ".flac")


def tracks_dir() -> Path:
    """The packaged tracks' folder (one sub-folder per mood)."""
    try:
        import immich_memories_music
    except ImportError as exc:
        raise DramaError("audio.music 'mood:...' needs the package immich-memories-music "
                         "(pip install dramabatch)") from exc
    return Path(immich_memories_music.tracks_dir())


def moods() -> list[str]:
    """The moods there are tracks for, sorted."""
    root = tracks_dir()
    return sorted(p.name for p in root.iterdir() if p.is_dir() and mood_tracks(p.name))


def mood_tracks(mood: str) -> list[Path]:
    """The tracks of ``mood``, sorted by name (empty for an unknown mood)."""
    folder = tracks_dir() / mood
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in _AUDIO and p.is_file())


def resolve_music(spec: str, key: str) -> str:
    """The music file for ``spec`` (the ``audio.music`` value) under the drama ``key``.

    A path is returned unchanged (empty: no music); ``mood:NAME`` gives one packaged track of
    that mood, the same for the same ``key`` on every run.
    """
    spec = (spec or "").strip()
    if not spec.lower().startswith(PREFIX):
        return spec
    mood = spec[len(PREFIX):].strip().lower()
    tracks = mood_tracks(mood)
    if not tracks:
        raise DramaError(f"audio.music '{spec}': no such mood (choose one of: "
                         f"{', '.join(moods())})")
    pick = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % len(tracks)
    return str(tracks[pick])
