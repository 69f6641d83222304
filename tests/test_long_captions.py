"""The long video's captions clear of faces (render.style_long.position: faces): a real face low
in the landscape picture sends the cues of its shot to the top and the record says why, cues
over a shot without a face stay at the bottom, a generated background is not even looked at,
and the qc caption check finds each cue where it was placed (and still fails when the captions
are missing)."""

from __future__ import annotations

import numpy as np
import pysubs2
import pytest

from dramabatch_testkit.faceclip import caption_box, encode_bgr, meets, real_face

cv2 = pytest.importorskip("cv2")  # the 'reframe' extra

from dramabatch.base.media import run_ffmpeg  # noqa: E402
from dramabatch.footage.background import Clip, FootagePlan, generated  # noqa: E402
from dramabatch.footage.face_track import fit_transform  # noqa: E402
from dramabatch.footage.faces import detector  # noqa: E402
from dramabatch.footage.frames import grey_frames  # noqa: E402
from dramabatch.qc.drama import Video, check_drama, timeline_places  # noqa: E402
from dramabatch.render.long_captions import PLAYER_BAR, choose, long_placement  # noqa: E402
from dramabatch.render.options import SubtitleStyle, VideoOptions  # noqa: E402
from dramabatch.render.subtitles import read_srt  # noqa: E402
from dramabatch.render.videos import long_subs, render, render_long  # noqa: E402

W, H, FPS, SECONDS = 320, 180, 15, 6.5
VIDEO = VideoOptions(W, H, fps=FPS, preset="ultrafast")
FACES = SubtitleStyle(position="faces", size=0.08)
#: two cues over the first shot (no face), two over the second (a face low in the frame)
CUES = [(0.2, 1.0, "She kept the letter"), (1.2, 2.2, "for fifty years."),
        (3.4, 4.5, "Nobody knew"), (4.8, 5.9, "what it said.")]
FACE = (115, 86, 90)  # x, y, side: low and in the middle, where bottom captions go
CONFIG = {
    "qc": {"caption_offset_median_s": {"warn": 0.1, "fail": 0.15},
           "caption_offset_worst_s": {"warn": 0.5, "fail": None}},
    "tts": {"loudness_lufs": -14, "true_peak_db": -1},
    "subtitles": {"max_cps": {"default": 25}},
}


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """The footage (3 s of light grey, then 3.5 s of dark grey with a real face low in the
    frame: a cut), the SRT and a voice."""
    d = tmp_path_factory.mktemp("long_captions")
    x, y, side = FACE
    face = real_face(side)
    frames = []
    for n in range(round(SECONDS * FPS)):
        img = np.full((H, W, 3), 200 if n < 3 * FPS else 40, np.uint8)
        if n >= 3 * FPS:
            img[y:y + side, x:x + side] = face
        frames.append(img)
    clip = encode_bgr(frames, d / "footage.mp4", FPS)

    def stamp(t: float) -> str:
        return f"00:00:{t:06.3f}".replace(".", ",")

    (d / "long.srt").write_text("\n".join(f"{n}\n{stamp(a)} --> {stamp(b)}\n{text}\n"
                                          for n, (a, b, text) in enumerate(CUES, 1)))
    run_ffmpeg(["-f", "lavfi", "-i", f"sine=f=220:d={SECONDS + 1}", str(d / "voice.wav")],
               what="test voice")
    return d, FootagePlan("local", clips=[Clip(str(clip), SECONDS)])


def long_of(d, plan, name: str, style: SubtitleStyle) -> str:
    out = d / f"{name}.mp4"
    render_long(background=plan, narration=str(d / "voice.wav"), srt=str(d / "long.srt"),
                out=str(out), duration=SECONDS, video=VIDEO, style=style,
                timeline=str(d / f"{name}.otio"))
    return str(out)


def bare_of(d, plan) -> str:
    """The same video with no captions at all (a render whose captions did not come out)."""
    out = d / "bare.mp4"
    if not out.exists():
        render(footage=plan, audio=str(d / "voice.wav"), subs=pysubs2.SSAFile(), out=str(out),
               duration=SECONDS, video=VIDEO)
    return str(out)


def overlaps(shown: str, bare: str, times: list[float]) -> tuple[int, int]:
    """(frames where the caption's pixels meet a face box, frames showing both)."""
    a, b = grey_frames(shown, times, W)[0], grey_frames(bare, times, W)[0]
    find = detector()
    over = seen = 0
    for k in range(len(times)):
        box = caption_box(a[k], b[k], 10)
        faces = find(b[k])
        if box is None or not faces:
            continue
        seen += 1
        over += any(meets(box, f.x, f.y, f.w, f.h) for f in faces)
    return over, seen


@pytest.mark.slow
def test_a_face_low_in_the_frame_sends_its_shots_cues_to_the_top(media):
    d, plan = media
    placed = long_of(d, plan, "faces", FACES)
    record = timeline_places(str(d / "faces.otio"))
    assert record is not None and len(record) == len(CUES), record
    first, second = record[:2], record[2:]
    # no face in the first shot: at the bottom, above the player bar
    assert {r["place"] for r in first} == {"bottom"}, first
    assert all(r["bottom"] == pytest.approx(1 - PLAYER_BAR) for r in first)
    assert all(r["why"] == "no face shown" for r in first), first
    # the face reaches into the bottom place: the cues go to the top, clear of it, and say why
    assert {r["place"] for r in second} == {"top"}, second
    assert all("face" in r["why"] and not r["why"].startswith("overlaps") for r in second)
    assert len({r["bottom"] for r in second}) == 1  # one place for the whole shot
    assert second[0]["bottom"] < FACE[1] / H, second
    # the rendered frames agree: no caption meets the face; at the bottom they would
    times = [3.6, 4.0, 4.3, 5.0, 5.4, 5.8]
    over, seen = overlaps(placed, bare_of(d, plan), times)
    assert seen >= 4 and over == 0, (over, seen)
    low = long_of(d, plan, "bottom", SubtitleStyle(position="bottom", size=0.08))
    over, seen = overlaps(low, bare_of(d, plan), times)
    assert seen >= 4 and over >= seen - 1, (over, seen)  # the control: the test can fail
    assert timeline_places(str(d / "bottom.otio")) is None  # bottom places nothing


def test_qc_finds_each_cue_where_it_was_placed_and_misses_absent_captions(media):
    d, plan = media
    path = str(d / "faces.mp4")
    if not (d / "faces.otio").exists():
        long_of(d, plan, "faces", FACES)
    places = timeline_places(str(d / "faces.otio"))
    cues = read_srt(d / "long.srt")
    words = {"segments": [{"words": [{"word": w, "start": a, "end": b}
                                     for w in text.split()]} for a, b, text in CUES]}

    def captions(video: str, places, style: SubtitleStyle = FACES) -> dict:
        qc = check_drama([Video(video, 0.0, SECONDS, cues, style, 2, False, words,
                                places=places)], {"segments": [], "language": "en"}, CONFIG)
        (record,) = qc["videos"].values()
        return record

    good = captions(path, places)
    assert len(good["caption_bands"]) == 2, good  # the bottom and the top, each measured
    assert good["captions"]["expected"] >= 6 and good["captions"]["missed"] == 0, good
    assert good["checks"]["caption_offset_median_s"]["level"] == "ok", good
    # the check as it was (one band at the bottom): the cues moved to the top are not found
    blind = captions(path, None, SubtitleStyle(position="bottom", size=0.08))
    assert blind["captions"]["missed"] >= 3, blind["captions"]
    # a render whose captions did not come out fails, wherever they were placed
    bare = captions(bare_of(d, plan), places)
    assert bare["captions"]["missed"] >= bare["captions"]["expected"] - 1, bare
    assert bare["checks"]["caption_offset_median_s"]["level"] == "fail", bare


def test_a_generated_background_is_not_looked_at_and_keeps_the_bottom(tmp_path):
    srt = tmp_path / "x.srt"
    srt.write_text("1\n00:00:00,500 --> 00:00:02,000\nOne line of text\n")
    subs = long_subs(str(srt), VIDEO, FACES)
    meta = long_placement(subs, generated("x", W, H, FPS), 3.0, VIDEO, FACES)
    assert meta["caption_faces"]["samples"] == 0, meta
    assert "generated" in meta["caption_faces"]["note"]
    assert [c["place"] for c in meta["captions"]] == ["bottom"]
    assert subs[0].marginv == round(PLAYER_BAR * H)
    assert long_placement(subs, generated("x", W, H, FPS), 3.0, VIDEO, SubtitleStyle()) == {}


def test_the_place_falls_back_beside_the_face_then_to_the_least_overlap():
    def height_at(width: float) -> float:  # a caption 0.1 high on the full width, taller narrow
        return 0.1 * 0.9 / width

    margins = (0.05, 0.05)
    close_up = [[0.55, 0.1, 0.95, 1.0]]  # a face filling the height, on the right
    bottom, where, why, (x0, x1) = choose(close_up, 0.6, height_at, 0.9, margins)
    assert where == "side" and bottom == 0.9 and x1 <= 0.55 - 0.02 and x0 == 0.05, why
    middle = [[0.3, 0.05, 0.7, 1.0]]  # in the middle, from top to bottom: nowhere free
    bottom, where, why, _ = choose(middle, 0.6, height_at, 0.9, margins)
    assert why.startswith("overlaps"), why
    assert choose([[0.02, 0.7, 0.1, 0.95]], 0.5, height_at, 0.9, margins)[1] == "bottom"


def test_a_face_is_mapped_through_the_fit_the_render_draws():
    # cover: a 640x360 source scaled by 0.5 into 320x180 fills it exactly
    assert fit_transform("cover", (640, 360), (320, 180), 2.0) == (0.5, 0.0, 0.0)
    # blur: a vertical 90x160 clip shown whole, centred, scaled to the height
    k, dx, dy = fit_transform("blur", (90, 160), (320, 180), 2.0)
    assert k == pytest.approx(180 / 160) and dx == pytest.approx((320 - 90 * k) / 2) and dy == 0
    # cover of the same clip: scaled to the width, its middle shown
    k, dx, dy = fit_transform("cover", (90, 160), (320, 180), 9.0)
    assert k == pytest.approx(320 / 90) and dy == pytest.approx((180 - 160 * k) / 2)


def test_a_close_up_filling_a_short_hangs_its_cues_from_the_top_edge():
    """A short's face filling the frame (no room anywhere): each cue's top edge at TOP_MIN, so
    a one-line cue ends higher than a two-line one (they no longer share the lower edge)."""
    from dramabatch.render.placement import TOP_MIN, place_captions
    from dramabatch.render.videos import styled

    subs = pysubs2.SSAFile()
    subs.append(pysubs2.SSAEvent(start=0, end=900, text="word"))
    subs.append(pysubs2.SSAEvent(start=1000, end=1900, text="two long lines\\Nof caption here"))
    subs = styled(subs, SubtitleStyle(position="faces", size=0.045), 1080, 1920)
    one, two = place_captions(subs, [[0.0, 9.0, 0.08, 0.98]], 0.0, 1080, 1920)
    assert one["why"].startswith("overlaps") and one["place"] == "above", one
    assert TOP_MIN < one["bottom"] < two["bottom"], (one, two)
    assert one["bottom"] - TOP_MIN < 0.08  # the one-line cue ends above the face's top
