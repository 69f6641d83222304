"""The ``scenes`` step of the background rule: one plan holding the time-mapped spans
(scenes.py), the burned-in subtitle band to hide (subtitle_band.py) and, for a short from a
wider source, the crop path on the faces (reframe.py). The render turns it into filters
(scene_graph.py); nothing here encodes video."""

from __future__ import annotations

import logging

from ..base.errors import DramaError
from ..base.media import display_size, probe
from .background import Clip, FootagePlan
from .frames import keyframes
from .scenes import MAX_SPEED, MIN_SPEED, map_spans
from .snap import snap_beats
from .subtitle_band import band_pixels, detect_band

log = logging.getLogger(__name__)

#: Frames looked at to find a burned-in subtitle band (keyframes spread over the source).
BAND_SAMPLES = 24


def find_band(source: str, size: tuple[int, int], options: dict) -> tuple[dict, str]:
    """The band record for the plan (empty: none) and what was decided, in words."""
    mode, cover = options.get("subtitle_band", "auto"), options.get("band_cover", "blur")
    if mode == "none":
        return {}, "subtitle band: left alone (scenes.subtitle_band: none)"
    if mode == "fixed":
        top, bottom = options.get("band", [0.78, 0.96])
        if not 0 <= top < bottom <= 1:
            raise DramaError(f"scenes.band must be [top, bottom] fractions, got {[top, bottom]}")
        return band_pixels((top, bottom), size, cover), (
            f"subtitle band {top:.0%}-{bottom:.0%} of the height from scenes.band: {cover}")
    frames = keyframes(source, BAND_SAMPLES, 320)
    band, seen = detect_band(frames)
    if band is None:
        return {}, f"subtitle band: {seen}; nothing covered"
    return band_pixels(band, size, cover), f"{seen}: {cover}"


def scenes_background(source: str, timeline: dict, orientation: str,
                      frame_wh: tuple[int, int], options: dict) -> FootagePlan:
    """The scenes plan for one orientation (see the module docstring)."""
    engine = options.get("engine", "ffmpeg")
    if engine != "ffmpeg":  # the moviepy engine has no time-mapped footage: fall back
        raise DramaError(f"render.engine {engine} cannot render it (ffmpeg only)")
    info = probe(source)
    if not info.has_video:
        raise DramaError("source has no video stream")
    duration = info.video_duration or info.duration
    timeline, snapped = snap_beats(timeline, str(source), options.get("snap_s", 0.3), duration)
    spans, notes = map_spans(timeline, duration, options.get("min_speed", MIN_SPEED),
                             options.get("max_speed", MAX_SPEED))
    size = display_size(source)
    plan = FootagePlan("scenes", clips=[Clip(str(source), duration)],
                       spans=[s.to_dict() for s in spans])
    known = sum(s.origin in ("transcript", "recap", "original") for s in spans)
    plan.reasons.append(f"scenes: {known} of {len(spans)} sentences over the source stretch "
                        f"they were said in (speed {options.get('min_speed', MIN_SPEED):g}-"
                        f"{options.get('max_speed', MAX_SPEED):g}x, then trimmed or held)")
    plan.reasons += notes + snapped
    plan.band, said = find_band(source, size, options)
    plan.reasons.append(said)
    w, h = frame_wh
    if orientation == "portrait" and size[0] / size[1] > w / h * 1.05:
        if options.get("reframe", True):
            from .reframe import reframe

            plan.crop, more = reframe(source, spans, size, frame_wh,
                                      options.get("max_pan", 0.15))
            plan.reasons += more
        else:
            plan.reasons.append("reframe: off (scenes.reframe); the fit rule applies")
    log.info("background: scenes, %d spans; %s", len(spans), "; ".join(plan.reasons[-2:]))
    return plan
