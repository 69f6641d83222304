"""The OpenTimelineIO timeline written with each video: what was rendered, for an editor.

People finish narrated dramas in an editor (DaVinci Resolve and Kdenlive read ``.otio``; the
Final Cut Pro XML adapter covers Premiere and Final Cut). A flat MP4 loses the pipeline's work,
so each render also writes its timeline, at the render's frame rate:

- ``Footage`` (video): one clip per cut of the footage plan (footage/cuts.py): its file, its
  source range, its speed (a LinearTimeWarp), a held last frame (a FreezeFrame), and how it was
  fitted to the frame (``metadata.dramabatch.fit``); the generated background is a generator;
- ``Title`` (video, shorts): the title card, a generator clip carrying its text;
- ``Narration``, ``Music``, ``Original audio`` (audio): the sound the render mixed;
- the captions: markers on the timeline's stack, each with its text and times.

Media references are paths relative to the timeline's own folder, so the results folder can be
moved or zipped and the timeline still finds its media. The timeline's metadata names the
drama, the video and the plan's step. An edited copy put back as an override replaces the
video's footage (footage/edited.py reads it).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import opentimelineio as otio
import pysubs2

from ..base.errors import DramaError
from ..base.fsutil import write_text_atomic
from ..base.media import probe
from ..footage.background import FootagePlan
from ..footage.cuts import Cut

#: Tracks the pipeline writes; footage/edited.py reads the footage from the first of them.
FOOTAGE, TITLE = "Footage", "Title"
#: Written beside each .otio when asked (render.timeline_xml): Final Cut Pro 7 XML, which
#: Premiere, Final Cut and Resolve import.
XML_SUFFIX = ".xml"


def _rel(path: str, folder: Path) -> str:
    """``path`` relative to ``folder`` without resolving symlinks (source.media stays itself)."""
    return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(folder))).as_posix()


def _range(start_frames: float, frames: float, fps: int) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start_frames, fps),
                                   otio.opentime.RationalTime(frames, fps))


@functools.lru_cache(maxsize=256)
def _probed(path: str, stamp: tuple[int, int]) -> tuple[float, bool]:
    """(duration, has audio) of a file, probed once per version (a timeline names the source
    once per sentence)."""
    info = probe(path)
    return info.duration, info.has_audio


def _info(path: str) -> tuple[float, bool]:
    st = os.stat(path)
    return _probed(os.path.abspath(path), (st.st_mtime_ns, st.st_size))


def _reference(path: str, folder: Path, fps: int) -> otio.schema.ExternalReference:
    ref = otio.schema.ExternalReference(target_url=_rel(path, folder))
    duration = _info(path)[0]
    if duration > 0:
        ref.available_range = _range(0, duration * fps, fps)
    return ref


def footage_clip(cut: Cut, folder: Path, fps: int) -> otio.schema.Clip:
    """One cut as a clip: its source range in record frames, its speed as an effect."""
    meta = {"fit": cut.fit, "note": cut.note}
    if cut.band:
        meta["band"] = cut.band
    name = Path(cut.path).name if cut.path else "generated"
    if cut.path:
        ref = _reference(cut.path, folder, fps)
    else:
        ref = otio.schema.GeneratorReference(generator_kind="dramabatch.gradient",
                                             parameters={"lavfi": cut.note},
                                             available_range=_range(0, cut.frames, fps))
    clip = otio.schema.Clip(name=name, media_reference=ref,
                            source_range=_range(cut.src_start * fps, cut.frames, fps),
                            metadata={"dramabatch": meta})
    if cut.freeze:
        clip.effects.append(otio.schema.FreezeFrame())
    elif abs(cut.speed - 1.0) > 1e-6:
        clip.effects.append(otio.schema.LinearTimeWarp(time_scalar=cut.speed))
    return clip


def _looped(name: str, path: str, folder: Path, start: float, frames: int,
            fps: int) -> list[otio.schema.Clip]:
    """Clips of ``path`` from ``start`` s covering ``frames``, wrapping at its end (as the
    render's looped input does)."""
    length = max(1, int(_info(path)[0] * fps))
    out, pos, left = [], round(start * fps) % length, frames
    while left > 0:
        n = min(left, length - pos)
        out.append(otio.schema.Clip(name=name, media_reference=_reference(path, folder, fps),
                                    source_range=_range(pos, n, fps)))
        pos, left = 0, left - n
    return out


def _audio_track(name: str, clips: list[otio.schema.Clip]) -> otio.schema.Track:
    track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
    track.extend(clips)
    return track


def build(*, cuts: list[Cut], fps: int, frames: int, folder: Path, name: str,
          narration: str, audio_start: float, subs: pysubs2.SSAFile,
          music: str = "", original: str = "", follow_picture: bool = False,
          metadata: dict | None = None) -> otio.schema.Timeline:
    """The timeline of one rendered video (see the module docstring)."""
    timeline = otio.schema.Timeline(name=name, global_start_time=otio.opentime.RationalTime(0, fps))
    timeline.metadata["dramabatch"] = {**(metadata or {}), "fps": fps, "frames": frames}
    footage = otio.schema.Track(name=FOOTAGE, kind=otio.schema.TrackKind.Video)
    for cut in cuts:
        footage.append(footage_clip(cut, folder, fps))
    timeline.tracks.append(footage)
    titles = [e for e in subs if e.style == "Title"]
    if titles:
        track = otio.schema.Track(name=TITLE, kind=otio.schema.TrackKind.Video)
        for event in titles:
            a, b = round(event.start / 1000 * fps), round(event.end / 1000 * fps)
            if a > track.duration().value:
                track.append(otio.schema.Gap(source_range=_range(0, a - track.duration().value,
                                                                 fps)))
            track.append(otio.schema.Clip(
                name=event.plaintext, source_range=_range(0, b - a, fps),
                media_reference=otio.schema.GeneratorReference(
                    generator_kind="dramabatch.title", parameters={"text": event.plaintext},
                    available_range=_range(0, b - a, fps)),
                metadata={"dramabatch": {"text": event.plaintext}}))
        timeline.tracks.append(track)
    timeline.tracks.append(_audio_track("Narration", [otio.schema.Clip(
        name=Path(narration).name, media_reference=_reference(narration, folder, fps),
        source_range=_range(audio_start * fps, frames, fps))]))
    if music:
        timeline.tracks.append(_audio_track("Music", _looped(Path(music).name, music, folder,
                                                             0.0, frames, fps)))
    if original and follow_picture:
        track = otio.schema.Track(name="Original audio", kind=otio.schema.TrackKind.Audio)
        for cut in cuts:
            if cut.freeze or not cut.path or not _info(cut.path)[1]:
                track.append(otio.schema.Gap(source_range=_range(0, cut.frames, fps)))
            else:
                track.append(footage_clip(cut, folder, fps))
        timeline.tracks.append(track)
    elif original:
        timeline.tracks.append(_audio_track("Original audio", _looped(
            Path(original).name, original, folder, audio_start, frames, fps)))
    for event in subs:
        if event.style == "Title" or not event.plaintext.strip():
            continue
        a, b = round(event.start / 1000 * fps), round(event.end / 1000 * fps)
        timeline.tracks.markers.append(otio.schema.Marker(
            name=event.plaintext, marked_range=_range(a, max(1, b - a), fps),
            color=otio.schema.MarkerColor.YELLOW,
            metadata={"dramabatch": {"caption": event.plaintext}}))
    return timeline


def for_xml(timeline: otio.schema.Timeline) -> otio.schema.Timeline:
    """A copy the Final Cut Pro XML adapter can write: it has no generators (it fails on them),
    so the generated background and the title card become gaps, the title also a marker."""
    copy = timeline.deepcopy()
    for track in copy.tracks:
        for k, item in enumerate(list(track)):
            if isinstance(item, otio.schema.Clip) and isinstance(
                    item.media_reference, otio.schema.GeneratorReference):
                if track.name == TITLE:
                    copy.tracks.markers.append(otio.schema.Marker(
                        name=f"Title: {item.name}", marked_range=item.range_in_parent(),
                        color=otio.schema.MarkerColor.RED))
                track[k] = otio.schema.Gap(source_range=_range(
                    0, item.duration().value, item.duration().rate))
    return copy


def write_timeline(out: str | os.PathLike[str], *, footage: FootagePlan, cuts: list[Cut],
                   fps: int, frames: int, xml: bool = False, **kwargs) -> None:
    """Write ``out`` (.otio) and, with ``xml``, the Final Cut Pro XML beside it."""
    out = Path(out)
    timeline = build(cuts=cuts, fps=fps, frames=frames, folder=out.parent,
                     follow_picture=bool(footage.spans or footage.cuts), **kwargs)
    timeline.metadata["dramabatch"]["step"] = footage.step
    total = sum(c.frames for c in cuts)
    if total != frames:
        raise DramaError(f"timeline of {out.name}: its cuts hold {total} frames, the video "
                         f"{frames}")
    write_text_atomic(out, otio.adapters.write_to_string(timeline, "otio_json"))
    if xml:
        try:
            text = otio.adapters.write_to_string(for_xml(timeline), "fcp_xml")
        except ValueError as exc:  # its timecodes need a SMPTE rate
            raise DramaError(f"Final Cut Pro XML of {out.name} at {fps} fps: {exc} (render.fps "
                             f"24, 25, 30, 50 or 60)") from None
        write_text_atomic(out.with_suffix(XML_SUFFIX), text)
