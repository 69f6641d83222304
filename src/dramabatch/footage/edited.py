"""An edited timeline back into a footage plan: the override of one video's footage.

A person opens the ``.otio`` written with a video (render/timeline.py) in an editor, swaps a
shot, trims a beat, reorders, saves it, and puts it in ``<timelines_dir>/<id>/long.otio`` (or
``short_NN.otio``). That video is then rendered over the timeline's footage track, cut by cut
(cut_graph.py), with the pipeline's own narration, captions and sound: only the footage comes
from the timeline, since the narration decides the video's length.

The footage track is the video track named ``Footage``, else the first video track. Checked,
each failing the drama alone with one line: every clip names an existing file (a relative path
is looked up beside the override, then in the folder the timeline was exported to, then the
working directory); nothing overlaps (no transitions, no second video track holding clips at
the same time, other than the title card the pipeline draws itself); the footage has no gap and
covers the narration (longer is cut at its end). Speeds come from LinearTimeWarp effects, a held
frame from FreezeFrame; fits from the clip's ``metadata.dramabatch.fit`` (else the config's).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from ..base.errors import DramaError
from .background import FITS, Clip, FootagePlan
from .cuts import Cut

#: Names of the tracks render/timeline.py writes that are not footage.
OWN_TRACKS = {"Title"}
#: Speeds a clip may play at: beyond them a cut is a still or a blur, and a non-finite one
#: (``Infinity``, ``NaN``: JSON lets an editor write both) would never end the atempo chain.
MIN_SPEED, MAX_SPEED = 0.25, 4.0


def _load(path: str | os.PathLike[str]):
    import opentimelineio as otio

    try:
        return otio.adapters.read_from_file(str(path))
    except Exception as exc:  # any parse error of a user's file is that drama's failure
        raise DramaError(f"timeline {Path(path).name} cannot be read: {exc}") from None


def media_path(url: str, folders: list[Path]) -> str:
    """The file a clip's ``target_url`` names (a relative path, a plain path or a file: URL),
    as a path the render can open; a DramaError if it does not exist."""
    parsed = urlparse(url)
    raw = unquote(parsed.path) if parsed.scheme == "file" else url
    candidate = Path(raw)
    tries = [candidate] if candidate.is_absolute() else [f / candidate for f in folders]
    for path in tries:
        if path.is_file():
            return os.path.relpath(path) if not candidate.is_absolute() else str(path)
    raise DramaError(f"names a missing file: {url}")


def _footage_track(timeline):
    import opentimelineio as otio

    videos = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video]
    if not videos:
        raise DramaError("has no video track")
    main = next((t for t in videos if t.name == "Footage"), videos[0])
    for other in videos:
        if other is main or other.name in OWN_TRACKS:
            continue
        for clip in other.find_clips():
            span = clip.range_in_parent()
            raise DramaError(f"overlaps: video track '{other.name}' holds clip '{clip.name}' "
                             f"at {span.start_time.to_seconds():.2f} s over the footage")
    return main


def _speed(clip) -> tuple[float, bool]:
    import opentimelineio as otio

    speed, freeze = 1.0, False
    for effect in clip.effects:
        if isinstance(effect, otio.schema.FreezeFrame):
            freeze = True
        elif isinstance(effect, otio.schema.LinearTimeWarp):
            speed *= effect.time_scalar
    if not freeze and not (math.isfinite(speed) and MIN_SPEED <= speed <= MAX_SPEED):
        raise DramaError(f"clip '{clip.name}' plays at speed {speed:g} (only finite speeds "
                         f"{MIN_SPEED:g}..{MAX_SPEED:g} forward)")
    # a held frame ignores its speed: one kept only when it is a number the plan can store
    return (speed if math.isfinite(speed) else 1.0), freeze


def plan_from_timeline(path: str | os.PathLike[str], exported_to: str | os.PathLike[str],
                       length: float, fps: int, default_fit: str = "cover") -> FootagePlan:
    """The ``timeline`` plan of the edited timeline ``path`` for a video of ``length`` s."""
    import opentimelineio as otio

    name = Path(path).name
    folders = [Path(path).parent, Path(exported_to), Path.cwd()]
    total = max(1, round(length * fps))
    cuts: list[Cut] = []
    at = 0
    try:
        track = _footage_track(_load(path))
        for item in track:
            if at >= total:
                break
            if isinstance(item, otio.schema.Transition):
                raise DramaError(f"overlaps: a transition at {at / fps:.2f} s (cuts only)")
            frames = round(item.duration().to_seconds() * fps)
            if isinstance(item, otio.schema.Gap) or not isinstance(item, otio.schema.Clip):
                if frames > 0:
                    raise DramaError(f"does not cover the narration: a gap at {at / fps:.2f}-"
                                     f"{(at + frames) / fps:.2f} s")
                continue
            if frames <= 0:
                continue
            ref = item.media_reference
            url = getattr(ref, "target_url", "") or ""
            if not url:
                raise DramaError(f"clip '{item.name}' at {at / fps:.2f} s has no media file")
            try:
                media = media_path(url, folders)
            except DramaError as exc:
                raise DramaError(f"clip '{item.name}' {exc.cause}") from None
            speed, freeze = _speed(item)
            meta = item.metadata.get("dramabatch", {}) or {}
            fit = meta.get("fit", default_fit)
            frames = min(frames, total - at)
            cuts.append(Cut(at, frames, media, item.source_range.start_time.to_seconds()
                            if item.source_range else 0.0, speed,
                            fit if fit in FITS else default_fit, freeze,
                            dict(meta.get("band", {}) or {}), str(meta.get("note", item.name))))
            at += frames
    except DramaError as exc:
        raise DramaError(f"timeline {name} {exc.cause}") from None
    if at < total:
        raise DramaError(f"timeline {name} does not cover the narration: its footage ends at "
                         f"{at / fps:.2f} s, the video is {total / fps:.2f} s")
    files = sorted({c.path for c in cuts})
    plan = FootagePlan("timeline", clips=[Clip(f, 0.0) for f in files],
                       cuts=[c.to_dict() for c in cuts])
    plan.reasons.append(f"timeline: {len(cuts)} cuts from the edited {name}")
    return plan
