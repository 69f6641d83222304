"""Where a source's burned-in subtitles sit, so the render can blur or cover that band.

Dramas often come with their own subtitles burned into the picture; under our captions they
would show twice. Burned-in text is bright letters with dark outlines on one horizontal band near
the bottom, in many frames: per picture row, the share of sharp bright/dark steps between
neighbouring pixels is high there and low in ordinary picture (which has edges, but spread over
the frame). A band is reported when, in the lower half, rows with at least ``ROW_FACTOR`` times
the frame's typical step density form one strip, in at least ``MIN_FRAME_SHARE`` of the sampled
frames.
"""

from __future__ import annotations

import numpy as np

#: A step between neighbours: this much brighter or darker (0..255), with the bright side above
#: BRIGHT (subtitle letters are near white).
STEP, BRIGHT = 70, 170
#: A text row has this many times the median row density, and at least MIN_DENSITY.
ROW_FACTOR, MIN_DENSITY = 4.0, 0.03
#: Share of sampled frames that must show text in the band.
MIN_FRAME_SHARE = 0.2
#: Margin added above and below the detected rows (fraction of the band's height, at least 2%
#: of the frame), so descenders and outlines are inside.
MARGIN = 0.35


def row_density(frame: np.ndarray) -> np.ndarray:
    """Per row, the share of horizontal neighbour pairs that are a sharp step to bright."""
    f = frame.astype(np.int16)
    left, right = f[:, :-1], f[:, 1:]
    steps = (np.abs(left - right) >= STEP) & (np.maximum(left, right) >= BRIGHT)
    return steps.mean(axis=1)


def _strips(rows: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Runs of True rows (closing gaps of up to ``gap`` rows), as (first, last)."""
    out: list[tuple[int, int]] = []
    for y in np.flatnonzero(rows):
        if out and y - out[-1][1] <= gap + 1:
            out[-1] = (out[-1][0], int(y))
        else:
            out.append((int(y), int(y)))
    return out


def detect_band(frames: np.ndarray) -> tuple[tuple[float, float] | None, str]:
    """(top, bottom) of the burned-in subtitle band as fractions of the height, or None; and
    what was seen, in words, for the plan."""
    if frames.size == 0:
        return None, "no frames to look at"
    n, h, _ = frames.shape
    density = np.stack([row_density(f) for f in frames])  # (n, h)
    typical = float(np.median(density)) + 1e-4
    texty = density >= np.maximum(ROW_FACTOR * typical, MIN_DENSITY)
    texty[:, : h // 2] = False  # subtitles sit in the lower half
    share = texty.mean(axis=0)  # per row, share of frames with text there
    rows = share >= MIN_FRAME_SHARE / 2
    strips = _strips(rows, gap=max(1, h // 60))
    if not strips:
        return None, f"no subtitle-like text in the lower half of {n} sampled frames"
    first, last = max(strips, key=lambda s: share[s[0]:s[1] + 1].sum())
    frames_with = float(texty[:, first:last + 1].any(axis=1).mean())
    if frames_with < MIN_FRAME_SHARE:
        return None, (f"text-like rows in only {frames_with:.0%} of {n} sampled frames "
                      f"(< {MIN_FRAME_SHARE:.0%}): taken as picture, not subtitles")
    margin = max(MARGIN * (last - first + 1), 0.02 * h)
    top, bottom = max(0.0, (first - margin) / h), min(1.0, (last + 1 + margin) / h)
    if bottom - top > 0.35:
        return None, (f"the text-like rows span {bottom - top:.0%} of the height: too tall for "
                      "a subtitle band, left alone")
    return (round(top, 4), round(bottom, 4)), (
        f"burned-in subtitles detected in rows {top:.0%}-{bottom:.0%} of the height, in "
        f"{frames_with:.0%} of {n} sampled frames")


def band_pixels(band: tuple[float, float], size: tuple[int, int], cover: str) -> dict:
    """The plan's record of a band: fractions, and the even pixel rows of the source it is."""
    w, h = size
    y = int(band[0] * h) // 2 * 2
    height = min(h - y, max(2, (round(band[1] * h) - y + 1) // 2 * 2))
    return {"top": band[0], "bottom": band[1], "cover": cover, "y": y, "height": height,
            "width": w}
