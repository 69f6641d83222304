"""Where the long (16:9) video's captions go: at the bottom, unless a face is there.

Subtitles of a landscape video belong at the bottom, where a viewer reads them; broadcasters
move them to the top when something that matters sits under them. YouTube's player lays its
progress bar and buttons over about the bottom tenth of the picture whenever it is paused or
hovered (``PLAYER_BAR``), and the title and channel over about the top twelfth (``TITLE_BAR``).
So with ``position: faces`` each cue goes:

- at the bottom, its lower edge at ``1 - max(margin, PLAYER_BAR)``, when no face the picture
  shows reaches into the caption's box there (always when no face is shown);
- else at the top, its upper edge at ``TITLE_BAR``, when no face reaches into that box;
- else beside the faces, still at the bottom, wrapped into the widest stretch of the width they
  leave free (at least ``SIDE_MIN``): a close-up on one side of the frame;
- else just above the faces that reach into the bottom box (``GAP`` between), when it fits
  below the title bar and clear of every face;
- else (faces everywhere: a close-up) wherever it covers the least face, and the record says
  it overlaps.

The box tried is the tallest and widest caption of the video, centred: every cue of a shot
sits alike, and a face off to the side of the text does not move it. The faces are those of
the footage as the render fits it, per shot (footage/face_track.py), so the place changes only
from one cue to the next, never during a shot's cues (a cue over a cut avoids both shots'
faces). Each cue's place and why are returned for the timeline's metadata
(``dramabatch.captions``), where the qc check of the long video reads them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache

import pysubs2

from ..footage.background import FootagePlan
from ..footage.face_track import FaceTrack, faces_over
from .options import SubtitleStyle, VideoOptions
from .placement import caption_height

log = logging.getLogger(__name__)

#: YouTube's player bar (paused or hovered) and title overlay, fractions of the height.
PLAYER_BAR, TITLE_BAR = 0.10, 0.08
#: Space kept between a face and a caption (fraction of the height, and of the width beside).
GAP = 0.02
#: Narrowest stretch beside the faces a caption is wrapped into (fraction of the width: about
#: 25 characters a line at the default size).
SIDE_MIN = 0.3


def bottom_edge(style: SubtitleStyle) -> float:
    """The lower edge of a caption at the bottom (fraction of the height from the top)."""
    return 1.0 - max(style.margin, PLAYER_BAR)


def caption_width(subs: pysubs2.SSAFile, st: pysubs2.SSAStyle, box_w: int) -> int:
    """Width in pixels of the widest caption line, as wrapped in ``box_w``."""
    from .caption_images import caption_font

    font = caption_font(max(8, int(st.fontsize)), bool(st.bold))
    widest = max((font.getlength(line) for e in subs for line in e.text.split("\\N")),
                 default=0.0)
    return round(min(box_w, widest + 2 * st.outline))


def faces_during(rows: list[list], t0: float, t1: float) -> list[list[float]]:
    """The face boxes of the shots shown between ``t0`` and ``t1``."""
    return [b for s0, s1, boxes in rows if s0 < t1 and t0 < s1 for b in boxes]


def _covered(boxes: list[list[float]], x0: float, x1: float, y0: float, y1: float) -> float:
    """Area of the faces inside the box (fractions of the frame), the gap around it included."""
    y0, y1 = y0 - GAP, y1 + GAP
    return sum(max(0.0, min(x1, b[2]) - max(x0, b[0])) * max(0.0, min(y1, b[3]) - max(y0, b[1]))
               for b in boxes)


def beside(faces: list[list[float]], margins: tuple[float, float]) -> tuple[float, float]:
    """The widest stretch of the width (inside ``margins``) that none of ``faces`` covers."""
    edges = sorted((max(0.0, b[0] - GAP), min(1.0, b[2] + GAP)) for b in faces)
    best, at = (0.0, 0.0), margins[0]
    for x0, x1 in [*edges, (1 - margins[1], 1.0)]:
        if x0 - at > best[1] - best[0]:
            best = (at, x0)
        at = max(at, x1)
    return best


Place = tuple[float, str, str, tuple[float, float]]


def choose(boxes: list[list[float]], cap_w: float, height_at: Callable[[float], float],
           low: float, margins: tuple[float, float]) -> Place:
    """(lower edge, place, why, (left, right) of its box) of a caption ``cap_w`` wide at most,
    ``height_at(width)`` high when wrapped to a box that wide (fractions of the frame)."""
    full = 1 - margins[0] - margins[1]
    cap_h = height_at(full)
    centred = (0.5 - cap_w / 2, 0.5 + cap_w / 2)
    if not boxes:
        return low, "bottom", "no face shown", centred
    if _covered(boxes, *centred, low - cap_h, low) == 0:
        return low, "bottom", "no face under the caption", centred
    there = [b for b in boxes if _covered([b], *centred, low - cap_h, low) > 0]
    reach = f"a face reaches into the bottom caption's place (from {min(b[1] for b in there):.2f})"
    top = TITLE_BAR + cap_h
    if _covered(boxes, *centred, TITLE_BAR, top) == 0:
        return top, "top", f"{reach}; the top is clear", centred
    x0, x1 = beside(there, margins)
    if x1 - x0 >= SIDE_MIN:
        h = height_at(x1 - x0)
        if _covered(boxes, x0, x1, low - h, low) == 0:
            return low, "side", f"{reach}; the top is not clear, beside the faces is", (x0, x1)
    above = min(b[1] for b in there) - GAP
    if above - cap_h >= TITLE_BAR and _covered(boxes, *centred, above - cap_h, above) == 0:
        return above, "above", f"{reach}; the top is not clear, above the faces is", centred
    at_bottom = _covered(boxes, *centred, low - cap_h, low)
    if _covered(boxes, *centred, TITLE_BAR, top) < at_bottom:
        return top, "top", "overlaps: faces at the top and the bottom; less of them at the top", \
            centred
    return low, "bottom", "overlaps: faces at the top and the bottom; less of them at the " \
        "bottom", centred


def place_long_captions(subs: pysubs2.SSAFile, track: FaceTrack, video: VideoOptions,
                        style: SubtitleStyle, name: str = "Default") -> list[dict]:
    """Move each cue of ``subs`` (style ``name``) to its place; return where each went and why
    (``x``: the left and right of the caption's box, fractions of the width)."""
    width, height = video.width, video.height
    st = subs.styles[name]
    st.alignment = pysubs2.Alignment.BOTTOM_CENTER
    margins = (st.marginl / width, st.marginr / width)
    events = [e for e in subs if e.style == name]

    @cache
    def height_at(box: float) -> float:
        """The tallest caption wrapped in a box ``box`` wide (fractions)."""
        return max((caption_height(e.text, st, round(box * width)) for e in events),
                   default=0) / height

    cap_w = caption_width(subs, st, width - st.marginl - st.marginr) / width
    low = bottom_edge(style)
    record = []
    for event in events:
        t0, t1 = event.start / 1000, event.end / 1000
        bottom, where, why, (x0, x1) = choose(faces_during(track.rows, t0, t1), cap_w,
                                              height_at, low, margins)
        event.marginv = round((1 - bottom) * height)
        if where == "side":  # wrapped inside the free stretch beside the faces
            event.marginl, event.marginr = round(x0 * width), round((1 - x1) * width)
        record.append({"start": round(t0, 3), "end": round(t1, 3), "text": event.plaintext,
                       "bottom": round(bottom, 3), "x": [round(x0, 3), round(x1, 3)],
                       "place": where, "why": why})
    counts = {p: sum(r["place"] == p for r in record) for p in ("bottom", "top", "side", "above")}
    log.info("long captions: %d placed (%s), %d over a face (no room); %s", len(record),
             ", ".join(f"{n} {p}" for p, n in counts.items()),
             sum(r["why"].startswith("overlaps") for r in record), track.note or "faces looked at")
    return record


def long_placement(subs: pysubs2.SSAFile, footage: FootagePlan, duration: float,
                   video: VideoOptions, style: SubtitleStyle) -> dict:
    """With ``position: faces``: the faces the picture shows, each cue moved clear of them, and
    the timeline metadata that records it (``captions``, ``caption_faces``); else nothing."""
    if style.position != "faces":
        return {}
    track = faces_over(footage, duration, (video.width, video.height), video.fps,
                       seconds_per_clip=video.seconds_per_clip, crossfade=video.crossfade,
                       max_upscale=video.max_upscale)
    placed = place_long_captions(subs, track, video, style)
    return {"captions": placed, "caption_faces": track.summary()}
