"""Whom a 9:16 crop frames in each shot, and where the faces it shows sit (for the captions).

All the faces of a sample are framed when they fit in the crop together (a two-shot stays a
two-shot). When they do not, the crop follows one person: the one whose mouth moves most (the
mouth's change between two frames a tenth of a second apart, beyond the eyes' change: see
faces.mouth_motion), else the largest face. The crop changes person only when another one speaks
now and on most samples of the next ``HOLD_S / 2`` seconds where anyone speaks, and the
current one has been framed for ``HOLD_S`` seconds: it cuts to the new speaker as an editor
would, never faster than that.
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
#: Share of a face's height added above and below it for the captions to keep clear of.
PAD = 0.06
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
                 ) -> tuple[list[float | None], list[str], list[bool]]:
    """For the samples of one shot: crop centres (None: no face), how the shot was framed
    ('all', 'speaker', 'largest', 'none'), and where the crop cuts to another person. Samples
    without motion (sparse seeks, see frames.py) leave the largest face framed."""
    largest = max((f.w * f.h for fs in faces for f in fs), default=0.0)
    faces = [kept(fs, largest) for fs in faces]
    cuts = [False] * len(times)
    if not any(faces):
        return [None] * len(times), ["none"], cuts
    if all(fits(fs, crop_w) for fs in faces if fs):
        return [(min(f.x for f in fs) + max(f.x + f.w for f in fs)) / 2 if fs else None
                for fs in faces], ["all"], cuts
    people = tracks(faces)
    labels = [_speaking(fs, ms, people) for fs, ms in zip(faces, motion, strict=True)]
    area = [0.0] * len(people)
    for fs in faces:
        for f in fs:
            area[_person(f, people)] += f.w * f.h
    heard = [p for p in labels if p is not None]
    who = heard[0] if heard else max(range(len(people)), key=area.__getitem__)
    since = times[0]
    centres: list[float | None] = []
    for k, t in enumerate(times):
        ahead = [labels[j] for j in range(k, len(times)) if times[j] < t + HOLD_S / 2]
        heard = [p for p in ahead if p is not None]
        new = max(set(heard), key=heard.count) if heard else who
        if (new != who and labels[k] == new and heard.count(new) >= max(2, 0.6 * len(heard))
                and t - since >= HOLD_S):
            who, since, cuts[k] = new, t, True
        mine = [f for f in faces[k] if _person(f, people) == who]
        centres.append(mine[0].centre if mine else people[who])
    return centres, ["speaker" if any(p is not None for p in labels) else "largest"], cuts


def _speaking(faces: list[Face], moves: list[float | None], people: list[float]) -> int | None:
    """The person whose mouth moves clearly most in one sample, if anyone's does."""
    known = sorted(((m, _person(f, people)) for f, m in zip(faces, moves, strict=False)
                    if m is not None), reverse=True)
    if not known or known[0][0] < SPEAKING:
        return None
    if len(known) > 1 and known[0][0] < 1.3 * known[1][0]:
        return None
    return known[0][1]


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
                if inside >= f.w / 3:  # padded: faces move between two samples
                    ys.append((f.y - PAD * f.h, f.y + (1 + PAD) * f.h))
        stop = times[shots[n + 1][0]] if n + 1 < len(shots) else end
        if ys:
            top = max(0.0, min(y for y, _ in ys) / src_h)
            bottom = min(1.0, max(y for _, y in ys) / src_h)
            rows.append([round(times[idx[0]], 4), round(stop, 4), round(top, 4),
                         round(bottom, 4)])
    return rows
