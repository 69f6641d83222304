"""An edited timeline's clip speeds: only finite speeds in the range the render supports.

A LinearTimeWarp of ``Infinity`` or ``NaN`` (a user's editor or a hand edit can write both) once
passed the check, and with the original audio on the atempo chain halved infinity forever.
"""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from dramabatch.base.errors import DramaError
from dramabatch.footage.cut_graph import tempo_chain
from dramabatch.footage.edited import MAX_SPEED, MIN_SPEED, plan_from_timeline

FPS = 15


def _timeline(path: Path, media: Path, scalar: float) -> Path:
    timeline = otio.schema.Timeline()
    track = otio.schema.Track(name="Footage")
    clip = otio.schema.Clip(name="shot 1", media_reference=otio.schema.ExternalReference(
        target_url=str(media)), source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, FPS), otio.opentime.RationalTime(30, FPS)))
    clip.effects.append(otio.schema.LinearTimeWarp(time_scalar=scalar))
    track.append(clip)
    timeline.tracks.append(track)
    otio.adapters.write_to_file(timeline, str(path))
    return path


@pytest.mark.parametrize("scalar, shown", [(float("inf"), "inf"), (float("nan"), "nan"),
                                           (-float("inf"), "-inf"), (100.0, "100"),
                                           (0.01, "0.01"), (0.0, "0")])
def test_a_speed_out_of_range_fails_naming_the_clip(tmp_path, scalar, shown):
    media = tmp_path / "a.mp4"
    media.write_bytes(b"\0")  # only its existence is checked before the speed
    path = _timeline(tmp_path / "long.otio", media, scalar)
    with pytest.raises(DramaError) as err:
        plan_from_timeline(path, tmp_path, 2.0, FPS)
    text = str(err.value)
    assert text.startswith("timeline long.otio clip 'shot 1' plays at speed ")
    assert f"speed {shown} " in text and "\n" not in text


@pytest.mark.parametrize("scalar", [MIN_SPEED, 0.5, 1.0, 2.5, MAX_SPEED])
def test_a_speed_in_range_is_planned(tmp_path, scalar):
    media = tmp_path / "a.mp4"
    media.write_bytes(b"\0")
    plan = plan_from_timeline(_timeline(tmp_path / "long.otio", media, scalar), tmp_path, 2.0, FPS)
    assert [c["speed"] for c in plan.cuts] == [scalar]


def test_the_tempo_chain_refuses_a_speed_it_cannot_reach():
    """The chain's own guard: a non-finite speed raises at once instead of looping."""
    for bad in (float("inf"), float("nan"), 0.0):
        with pytest.raises(ValueError):
            tempo_chain(bad)
    factors = [float(f.split("=")[1]) for f in tempo_chain(MAX_SPEED).split(",")]
    assert all(0.5 <= f <= 2.0 for f in factors)
    product = 1.0
    for f in factors:
        product *= f
    assert abs(product - MAX_SPEED) < 1e-3
