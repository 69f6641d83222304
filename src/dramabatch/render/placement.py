"""Where a short's captions go: inside the platforms' safe zone and clear of the faces.

TikTok, YouTube Shorts and Instagram Reels draw their buttons, captions and progress bar over the
bottom fifth and the right edge of a 9:16 frame, and their top bar over the top tenth. Creators
keep captions out of those and off the eyes and mouth. So each cue goes:

- below the faces, its bottom edge at ``BOTTOM`` (just above the bottom fifth), when that leaves
  ``GAP`` between the faces and the caption (and always when no face is shown);
- else above the faces, its bottom edge ``GAP`` above the highest face, when it stays below the
  top bar (a close-up may push it up to ``TOP_MIN``);
- else (a face filling the frame) in the larger of the two free places (above: every cue's top
  edge at ``TOP_MIN``, so a one-line cue stays above the forehead of a close-up), and the record
  says it may overlap.

The faces come from the portrait footage plan (``crop.faces_y``: per shot, the vertical extent
of the faces the crop shows; footage/reframe.py). The place is chosen per shot, not per word, so
the captions stay put while one shot lasts. Each cue's place and reason is returned, and the
render writes them into the short's timeline (metadata ``dramabatch.captions``).
"""

from __future__ import annotations

import logging

import pysubs2

log = logging.getLogger(__name__)

#: Lowest caption edge (fraction of the height): the bottom fifth is the platforms' own.
BOTTOM = 0.78
#: Highest caption edge: the platforms' top bar; a close-up filling the frame may take the
#: caption up to ``TOP_MIN`` (the top bar holds small text, the buttons are at the bottom).
TOP, TOP_MIN = 0.10, 0.03
#: Space kept between a face and a caption (fraction of the height).
GAP = 0.02
#: Side margins (fractions of the width): the right edge holds the like/comment/share buttons.
MARGIN_L, MARGIN_R = 0.06, 0.15
#: Line height of a caption, as a multiple of its font size.
LINE = 1.25


def caption_height(text: str, style: pysubs2.SSAStyle, box_w: int) -> int:
    """Height in pixels of ``text`` drawn in ``style`` wrapped to ``box_w`` (Pillow measures
    the packaged font, as libass will draw it)."""
    from .caption_images import caption_font

    font = caption_font(max(8, int(style.fontsize)), bool(style.bold))
    lines = 0
    for paragraph in text.split("\\N"):
        line = ""
        count = 1
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and font.getlength(candidate) + 2 * style.outline > box_w:
                count, line = count + 1, word
            else:
                line = candidate
        lines += count
    return round(lines * style.fontsize * LINE + 2 * style.outline)


def faces_during(rows: list[list[float]], t0: float, t1: float) -> tuple[float, float] | None:
    """The vertical extent (top, bottom) of the faces shown between ``t0`` and ``t1``."""
    hit = [(top, bottom) for s0, s1, top, bottom in rows if s0 < t1 and t0 < s1]
    if not hit:
        return None
    return min(t for t, _ in hit), max(b for _, b in hit)


def choose(face: tuple[float, float] | None, cap_h: float) -> tuple[float, str, str]:
    """(bottom edge, place, why) of a caption ``cap_h`` high (fractions of the height)."""
    if face is None:
        return BOTTOM, "low", "no face shown"
    top, bottom = face
    if bottom + GAP + cap_h <= BOTTOM:
        return BOTTOM, "below", f"faces end at {bottom:.2f}"
    if top - GAP - cap_h >= TOP:
        return top - GAP, "above", f"faces fill {top:.2f}-{bottom:.2f}; room above"
    if top - GAP - cap_h >= TOP_MIN:
        return top - GAP, "above", f"faces fill {top:.2f}-{bottom:.2f}; room above only " \
            "under the top bar"
    below, above = BOTTOM - bottom, top - TOP
    if above > below:
        return max(TOP_MIN + cap_h, top - GAP), "above", \
            f"overlaps: faces fill {top:.2f}-{bottom:.2f}, no room for {cap_h:.2f}"
    return BOTTOM, "below", f"overlaps: faces fill {top:.2f}-{bottom:.2f}, no room for " \
        f"{cap_h:.2f}"


def place_captions(subs: pysubs2.SSAFile, rows: list[list[float]], offset: float, width: int,
                   height: int, style: str = "Default") -> list[dict]:
    """Move each event of ``style`` (times relative to ``offset`` in narration time) to its place;
    return the record of where each went and why."""
    st = subs.styles[style]
    st.alignment = pysubs2.Alignment.BOTTOM_CENTER
    st.marginl, st.marginr = round(MARGIN_L * width), round(MARGIN_R * width)
    box_w = width - st.marginl - st.marginr
    tallest = max((caption_height(e.text, st, box_w) for e in subs if e.style == style),
                  default=0) / height
    record = []
    for event in subs:
        if event.style != style:
            continue
        t0, t1 = offset + event.start / 1000, offset + event.end / 1000
        # the tallest caption of the short decides, so that every cue of a shot sits alike
        bottom, where, why = choose(faces_during(rows, t0, t1), tallest)
        if where == "above" and why.startswith("overlaps"):
            # a close-up filling the frame: each cue hangs from the top edge TOP_MIN (its own
            # height, not the tallest one's), the line steady and as far off the face as it goes
            bottom = TOP_MIN + caption_height(event.text, st, box_w) / height
        event.marginv = round((1 - bottom) * height)
        record.append({"start": round(t0 - offset, 3), "end": round(t1 - offset, 3),
                       "text": event.plaintext, "bottom": round(bottom, 3), "place": where,
                       "why": why})
    log.info("captions: %d placed, %d below the faces, %d above them, %d over one (no room)",
             len(record), sum(r["place"] == "below" for r in record),
             sum(r["place"] == "above" for r in record),
             sum(r["why"].startswith("overlaps") for r in record))
    return record
