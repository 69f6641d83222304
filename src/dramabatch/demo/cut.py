"""The demo dramas' picture: shots of the fetched clips (``demo.assets``) cut to the voice's length.

Each demo story gets its own edit, a sequence of single camera shots from several clips, so the
drama has real shot changes (the ``scenes`` background step cuts on them) and a face for the
shorts' reframing. The edit goes round again when the voice is longer than it, and every shot is
shortened in proportion to end exactly with the voice. The ffmpeg side turns a list of ``Shot``
into inputs and one filter graph: each shot scaled to fill the frame, cropped, at one frame
rate, then concatenated.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Shot:
    """``length`` seconds of the asset ``asset`` from ``start`` (one camera shot)."""

    asset: str
    start: float
    length: float


#: The usable single shots of the clips, found by looking at them (city cuts at 4.64 s).
SHOTS: dict[str, Shot] = {
    "city_towers": Shot("city", 0.2, 4.2),
    "city_tower": Shot("city", 4.9, 2.6),
    "earth_asia": Shot("earth", 0.0, 5.0),
    "earth_europe": Shot("earth", 11.0, 5.0),
    "earth_africa": Shot("earth", 22.0, 5.0),
    "face_sad": Shot("face", 0.0, 4.5),
    "face_cry": Shot("face", 4.5, 4.0),
    "face_hope": Shot("face", 8.5, 3.5),
    "face_smile": Shot("face", 12.5, 5.0),
    "bunny": Shot("bunny", 0.0, 5.2),
}

#: The edit of each demo story (by the source's name), in order; others get a rotation of all.
EDITS: dict[str, tuple[str, ...]] = {
    "lighthouse": ("earth_asia", "face_sad", "city_tower", "earth_europe", "face_cry",
                   "city_towers", "earth_africa", "face_smile"),
    "letter": ("city_towers", "face_sad", "earth_asia", "face_hope", "face_cry",
               "earth_europe", "face_smile"),
    "botella": ("bunny", "face_sad", "earth_asia", "city_towers", "face_cry", "earth_europe",
                "city_tower", "face_hope", "earth_africa", "bunny", "city_towers", "face_smile"),
}


def edit_for(name: str) -> tuple[str, ...]:
    """The shot names of ``name``'s edit: its own, else every shot from a stable offset."""
    if name in EDITS:
        return EDITS[name]
    names = sorted(SHOTS)
    k = int(hashlib.sha256(name.encode("utf-8")).hexdigest()[:8], 16) % len(names)
    return tuple(names[k:] + names[:k])


def fit_shots(edit: tuple[str, ...], duration: float,
              shots: dict[str, Shot] | None = None) -> list[Shot]:
    """The shots of ``edit`` covering exactly ``duration`` seconds.

    The whole edit, then (if the voice is longer) its shots again in order until they reach
    ``duration``; then all are shortened by one factor to end with the voice, so no shot is ever
    longer than the shot itself and the story's last shot is seen when the edit fits once.
    """
    table = shots or SHOTS
    seq: list[Shot] = []
    total = 0.0
    while total < duration or len(seq) < len(edit):
        shot = table[edit[len(seq) % len(edit)]]
        seq.append(shot)
        total += shot.length
    factor = duration / total
    return [Shot(s.asset, s.start, s.length * factor) for s in seq]


def cut_graph(shots: list[Shot], files: dict[str, Path], width: int, height: int,
              fps: int) -> tuple[list[str], str, str]:
    """ffmpeg input arguments, the filter graph and its output label for ``shots``.

    Each shot is its own input, seeked before decoding (fast), scaled to fill ``width`` x
    ``height`` and centre-cropped, so clips of any size and rate make one even picture.
    """
    args: list[str] = []
    parts: list[str] = []
    for i, shot in enumerate(shots):
        args += ["-ss", f"{shot.start:.3f}", "-t", f"{shot.length + 0.5:.3f}",
                 "-i", str(files[shot.asset])]
        parts.append(f"[{i}:v]scale={width}:{height}:force_original_aspect_ratio=increase,"
                     f"crop={width}:{height},setsar=1,fps={fps},format=yuv420p,"
                     f"trim=duration={shot.length:.3f},setpts=PTS-STARTPTS[s{i}]")
    labels = "".join(f"[s{i}]" for i in range(len(shots)))
    parts.append(f"{labels}concat=n={len(shots)}:v=1:a=0[cut]")
    return args, ";".join(parts), "[cut]"
