"""Whom a 9:16 crop frames in each shot, and where the faces it shows sit (for the captions).

All the faces of a sample are framed when they fit in the crop together (a two-shot stays a
two-shot). When they do not, the crop follows one person: the one whose mouth moves most (the
mouth's change between two frames a tenth of a second apart, beyond the eyes' change: see
faces.mouth_motion), else the largest face. The choice is made once per stretch of at least
``HOLD_S`` seconds of a shot, never per sample: the crop does not jump between two people faster
than an editor would cut, and between two stretches it pans (reframe.follow bounds the speed).
"""

from __future__ import annotations

import numpy as np

from .faces import Face

#: Faces smaller than this share of the shot's largest one are background people.
MIN_AREA = 0.3
#: Faces fit together when their span is at most this share of the crop's width.
FIT = 0.9
#: Shortest stretch of a shot framed on one person (seconds).
HOLD_S = 3.0
#: Mean mouth motion (0..255) under which nobody is taken to be speaking.
SPEAKING = 0.8


def kept(faces: list[Face], largest: float) -> list[Face]:
    """The faces that count (not background people)."""
    return [f for f in faces if f.w * f.h >= MIN_AREA * largest]


def fits(faces: list[Face], crop_w: float) -> bool:
    return bool(faces) and (max(f.x + f.w for f in faces) - min(f.x for f in faces)
                            <= FIT * crop_w)


def tracks(faces: list[list[Face]]) -> list[float]:
    """The people of a shot: centres of the clusters of face centres (gaps wider than a face)."""
    found = sorted((f.centre, f.w) for fs in faces for f in fs)
    groups: list[list[float]] = []
    for c, w in found:
        if groups and c - groups[-1][-1] <= w:
            groups[-1].append(c)
        else:
            groups.append([c])
    return [float(np.mean(g)) for g in groups]


def _person(face: Face, people: list[float]) -> int:
    return min(range(len(people)), key=lambda p: abs(people[p] - face.centre))


def shot_targets(times: list[float], faces: list[list[Face]],
                 motion: list[list[float | None]], crop_w: float,
                 ) -> tuple[list[float | None], list[str]]:
    """Crop centres for the samples of one shot (None: no face), and how each stretch was
    framed ('all', 'speaker', 'largest')."""
    largest = max((f.w * f.h for fs in faces for f in fs), default=0.0)
    faces = [kept(fs, largest) for fs in faces]
    people = tracks(faces)
    centres: list[float | None] = [None] * len(times)
    how: list[str] = []
    for window in _windows(times):
        members = [fs for k in window for fs in [faces[k]] if fs]
        if not members:
            continue
        if all(fits(fs, crop_w) for fs in members):
            for k in window:
                if faces[k]:
                    centres[k] = (min(f.x for f in faces[k]) +
                                  max(f.x + f.w for f in faces[k])) / 2
            how.append("all")
            continue
        who, why = _choose(window, faces, motion, people)
        how.append(why)
        for k in window:
            mine = [f for f in faces[k] if _person(f, people) == who]
            centres[k] = mine[0].centre if mine else people[who]
    return centres, how


def _windows(times: list[float]) -> list[list[int]]:
    """Sample indices in stretches of at least HOLD_S (the last one joins its predecessor)."""
    out: list[list[int]] = []
    for k, t in enumerate(times):
        if not out or (t - times[out[-1][0]] >= HOLD_S and times[-1] - t >= HOLD_S):
            out.append([])
        out[-1].append(k)
    return out


def _choose(window: list[int], faces: list[list[Face]], motion: list[list[float | None]],
            people: list[float]) -> tuple[int, str]:
    """The person a stretch follows: the most speaking one, else the largest."""
    moves: dict[int, list[float]] = {}
    area: dict[int, float] = {}
    for k in window:
        for f, m in zip(faces[k], motion[k], strict=False):
            p = _person(f, people)
            area[p] = area.get(p, 0.0) + f.w * f.h
            if m is not None:
                moves.setdefault(p, []).append(m)
    means = {p: float(np.mean(v)) for p, v in moves.items()}
    if means and max(means.values()) >= SPEAKING:
        ranked = sorted(means.values(), reverse=True)
        if len(ranked) == 1 or ranked[0] >= 1.3 * ranked[1]:
            return max(means, key=means.__getitem__), "speaker"
    return max(area, key=area.__getitem__), "largest"


def face_rows(times: list[float], shots: list[list[int]], faces: list[list[Face]],
              lefts: list[float], crop_w: float, src_h: int, end: float) -> list[list[float]]:
    """``[t0, t1, top, bottom]`` per shot: the vertical extent (fractions of the height) of the
    faces the crop shows during the shot (at least a third of a face inside it)."""
    rows = []
    for n, idx in enumerate(shots):
        ys = []
        for k in idx:
            for f in faces[k]:
                inside = min(f.x + f.w, lefts[k] + crop_w) - max(f.x, lefts[k])
                if inside >= f.w / 3:
                    ys.append((f.y, f.y + f.h))
        stop = times[shots[n + 1][0]] if n + 1 < len(shots) else end
        if ys:
            top = max(0.0, min(y for y, _ in ys) / src_h)
            bottom = min(1.0, max(y for _, y in ys) / src_h)
            rows.append([round(times[idx[0]], 4), round(stop, 4), round(top, 4),
                         round(bottom, 4)])
    return rows
