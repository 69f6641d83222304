"""The gate's rules for black and frozen pictures, on measured stretches (no media: the corpus
tests render real footage): a fade at either end and a short dip are not black, a long stretch
is, wherever it falls; what the drama's own source shows is excused, mapped through each cut's
start and speed into the render's time."""

import pytest

from dramabatch.footage.cuts import Cut
from dramabatch.qc.captions import caption_events
from dramabatch.qc.checks import counted_black, counted_frozen, numbers, subtract
from dramabatch.qc.measure import Measures
from dramabatch.qc.source import Excused, merge, to_render, used


def test_a_fade_at_either_end_is_not_black_but_a_long_black_opening_is():
    assert counted_black([(0.0, 0.6)], 5.5) == []  # the Big Buck Bunny opening
    assert counted_black([(4.9, 5.5)], 5.5) == []  # a fade out
    assert counted_black([(0.0, 1.9), (4.0, 5.5)], 5.5, fade_s=2.0) == []
    assert counted_black([(0.0, 2.5)], 20.0, fade_s=2.0) == [(0.0, 2.5)]  # counted whole
    assert counted_black([(0.0, 0.6)], 5.5, fade_s=0.5) == [(0.0, 0.6)]


def test_inside_a_short_dip_is_a_cut_and_a_long_stretch_is_black():
    assert counted_black([(2.0, 2.6)], 10.0, dip_s=1.0) == []
    assert counted_black([(3.0, 6.0)], 10.0, dip_s=1.0) == [(3.0, 6.0)]
    # a video black throughout is black, however short
    assert counted_black([(0.0, 1.5)], 1.5) == [(0.0, 1.5)]


def test_black_the_source_shows_is_excused_and_what_is_left_is_judged():
    # the source's 3 s of black explain the render's; a frame's slack either side
    assert counted_black([(3.0, 6.05)], 10.0, [(3.02, 6.0)]) == []
    # the render is black 2 s longer than its source there: those 2 s count
    left = counted_black([(3.0, 8.0)], 10.0, [(3.0, 6.0)])
    assert len(left) == 1 and left[0][0] == pytest.approx(6.15) and left[0][1] == 8.0


def test_subtract_cuts_holes():
    assert subtract([(0.0, 10.0)], [(2.0, 3.0), (5.0, 6.0)]) == [(0.0, 2.0), (3.0, 5.0),
                                                                   (6.0, 10.0)]
    assert subtract([(1.0, 2.0)], [(0.0, 5.0)]) == []
    assert merge([(3.0, 4.0), (0.0, 1.0), (0.5, 2.0)]) == [(0.0, 2.0), (3.0, 4.0)]


def test_a_still_source_excuses_a_still_render_and_a_moving_one_excuses_nothing():
    assert counted_frozen([(0.0, 12.0)], [(0.0, 12.0)]) == []
    assert counted_frozen([(1.0, 12.0)], []) == [(1.0, 12.0)]
    # a source still for its first 4 s only: the rest of a frozen render is a defect
    assert counted_frozen([(0.0, 12.0)], [(0.0, 4.0)]) == [(4.15, 12.0)]


def test_source_stretches_map_through_each_cut_into_the_render():
    fps = 10
    cuts = [Cut(0, 20, "s.mp4", src_start=10.0, speed=2.0),  # 2 s of render show 10-14 s
            Cut(20, 10, "s.mp4", src_start=30.0, freeze=True),  # its frame at 30 s held 1 s
            Cut(30, 10, "s.mp4", src_start=50.0)]
    assert used(cuts, fps) == [(10.0, 14.0), (30.0, 30.0), (50.0, 51.0)]
    black = [(12.0, 20.0), (29.0, 31.0), (50.5, 60.0)]
    assert to_render(cuts, fps, black) == [(1.0, 3.0), (3.5, 4.0)]
    assert to_render(cuts, fps, [(0.0, 1.0)]) == []


def test_numbers_judge_black_in_seconds_and_report_the_longest():
    m = Measures(duration=12.0, video_duration=12.0, audio_duration=12.0, fps=15,
                 black=[(0.0, 1.2), (5.0, 8.0)], frozen=[(0.0, 12.0)])
    common = dict(expected_s=12.0, spoken=[], loudness_lufs=-14, true_peak_db=-1,
                  still_footage=False, captions=None, words=None, reading=None)
    found = numbers(m, **common)
    assert found["black_share"] == pytest.approx(3 / 12) and found["black_longest_s"] == 3.0
    assert found["frozen_share"] == 1.0
    excused = numbers(m, **common, excused=Excused(black=[(5.0, 8.0)], frozen=[(0.0, 12.0)]))
    assert excused["black_share"] == 0 and excused["black_longest_s"] == 0
    assert excused["frozen_share"] == 0


def test_a_caption_change_is_found_under_a_frame_rate_cadence_and_a_letterbox_bar():
    """The demo's city clip, letterboxed, 25 -> 15 fps, as measured (qc.measure's strips): every
    third frame changes less, in both strips in proportion, each frame a little differently;
    the band (over the black bar) changes less than the strip. A caption appearing on such a
    frame (8.4 s there: band 5.84 where 3.2 was due, strip 7.26) is found; a cut doubling both
    strips is no event."""
    import random

    rng = random.Random(7)
    times = [k / 15 for k in range(60)]
    scale = [rng.uniform(0.9, 1.1) for _ in times]  # measured: 11.2-12.1 on 11.7
    ref = [(7.4 if k % 3 == 0 else 11.7) * scale[k] for k in range(60)]
    band = [(3.2 if k % 3 == 0 else 4.3) * scale[k] for k in range(60)]
    band[30] = 5.84
    ref[30] = 7.26
    band[45], ref[45] = band[45] * 2, ref[45] * 2
    found = caption_events(list(zip(times, band, strict=True)),
                           list(zip(times, ref, strict=True)))
    assert found == [times[30]]
