"""Faces for the shorts: the shipped detector finds a real face and its landmarks, two people who
fit in the 9:16 crop are both kept (one who does not is left out), the crop follows the one whose
mouth moves, frames are streamed in bounded memory, and a rendered short's captions never cover
the face."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pysubs2
import pytest
from test_scenes import timeline_of

from dramabatch_testkit.faceclip import clip_frame, encode_bgr, real_face, real_faces

cv2 = pytest.importorskip("cv2")  # the 'reframe' extra

from dramabatch.base.media import run_ffmpeg  # noqa: E402
from dramabatch.footage.faces import detector  # noqa: E402
from dramabatch.footage.frames import grey_frames, stream_frames  # noqa: E402
from dramabatch.footage.reframe import x_at  # noqa: E402
from dramabatch.footage.scene_plan import scenes_background  # noqa: E402
from dramabatch.render.options import SubtitleStyle, VideoOptions  # noqa: E402
from dramabatch.render.videos import render, short_subs  # noqa: E402

SW, SH, FPS = 320, 180, 10
OPTIONS = {"subtitle_band": "none", "max_pan": 0.15}


def test_the_detector_finds_the_real_face_and_its_landmarks():
    find = detector()
    for t in (3.0, 10.0):
        faces = find(clip_frame(t))
        assert len(faces) == 1, (t, faces)
        f = faces[0]
        assert f.score > 0.5 and 100 < f.w < 360
        for x, y in (f.eye_l, f.eye_r, f.mouth):
            assert f.x <= x <= f.x + f.w and f.y <= y <= f.y + f.h, f
        assert f.eye_l[0] < f.eye_r[0] and f.mouth[1] > max(f.eye_l[1], f.eye_r[1]), f
    # the same frame with the face blurred away: nothing found
    blank = cv2.GaussianBlur(clip_frame(3.0), (0, 0), 40)
    assert find(blank) == []


def still_video(path, centres: list[int], size: int, seconds: float = 3.0):
    frame = np.full((SH, SW, 3), 50, np.uint8)
    for c in centres:
        y = (SH - size) // 2
        frame[y:y + size, c - size // 2:c - size // 2 + size] = real_face(size)
    return encode_bgr([frame] * round(seconds * FPS), path, FPS)


def plan_of(source, seconds: float):
    timeline = timeline_of([(0, seconds, (0.0, seconds))])
    return scenes_background(str(source), timeline, "portrait", (90, 160), OPTIONS)


@pytest.mark.slow
def test_two_faces_that_fit_are_both_kept_and_two_that_do_not_are_not(tmp_path):
    find = detector()
    for centres, both in (([138, 182], True), ([50, 270], False)):
        source = still_video(tmp_path / f"two-{both}.mp4", centres, 44)
        faces = find(grey_frames(str(source), [1.0], SW)[0][0])
        assert len(faces) == 2, faces  # the detector sees both people
        crop = plan_of(source, 3.0).crop
        assert crop["mode"] == "faces", crop
        inside = [all(x_at(crop["path"], t) <= f.x and f.x + f.w <= x_at(crop["path"], t)
                      + crop["width"] for t in (0.5, 1.5, 2.5)) for f in faces]
        assert sum(inside) == (2 if both else 1), (centres, crop)
        assert crop["framed"] == ({"all": 1} if both else {"largest": 1}), crop


def test_the_crop_follows_the_moving_mouth_and_cuts_at_most_once_per_turn(tmp_path):
    """Two people far apart; the left one talks (live frames) for 4 s, then the right one."""
    size, turn = 56, 4.0
    live = real_faces(size, [2.0 + n / FPS for n in range(round(2 * turn * FPS))])
    frames = []
    left = right = live[0]
    for n in range(round(2 * turn * FPS)):
        if n / FPS < turn:
            left = live[n]
        else:
            right = live[n]
        img = np.full((SH, SW, 3), 50, np.uint8)
        y = (SH - size) // 2
        img[y:y + size, 30:30 + size] = left
        img[y:y + size, SW - 30 - size:SW - 30] = np.ascontiguousarray(right[:, ::-1])
        frames.append(img)
    source = encode_bgr(frames, tmp_path / "turns.mp4", FPS)
    crop = plan_of(source, 2 * turn).crop
    assert crop["framed"] == {"speaker": 1}, crop
    assert crop["speaker_cuts"] == 1, crop

    def centre(t):
        return x_at(crop["path"], t) + crop["width"] / 2

    assert all(centre(t) < SW / 2 for t in (1.0, 2.0, 3.0)), crop["path"]
    assert all(centre(t) > SW / 2 for t in (6.0, 7.0, 7.5)), crop["path"]


def test_frames_are_streamed_in_bounded_memory(tmp_path):
    source = tmp_path / "long.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=320x180:r=10:d=60", "-c:v", "libx264",
                "-preset", "ultrafast", str(source)], what="test video")
    times = list(np.arange(0.0, 59.0, 0.2))  # dense: one sequential read
    frame_bytes = 320 * 180 * 3
    tracemalloc.start()
    seen = 0
    for _, frame, before in stream_frames(str(source), times, 320, colour=True):
        assert frame.shape == (180, 320, 3) and (seen == 0) == (before is None)
        seen += 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seen == len(times)
    assert peak < 20 * frame_bytes, peak  # a few frames, never the stretch (295 frames)


def caption_box(with_caps: np.ndarray, without: np.ndarray):
    mask = np.abs(with_caps.astype(np.int16) - without) > 60
    if mask.sum() < 10:
        return None
    ys, xs = np.nonzero(mask)
    return xs.min(), ys.min(), xs.max(), ys.max()


@pytest.mark.slow
def test_captions_never_cover_the_face_in_a_rendered_short(tmp_path):
    """Shot 1: the face high and middle (captions go below it); shot 2: the face low (above)."""
    size, seconds = 90, 6.0
    face = real_face(size)
    frames = []
    for n in range(round(seconds * FPS)):
        img = np.full((SH, SW, 3), 50 if n < 3 * FPS else 120, np.uint8)
        y = 20 if n < 3 * FPS else SH - size - 2
        img[y:y + size, 200:200 + size] = face
        frames.append(img)
    source = encode_bgr(frames, tmp_path / "source.mp4", FPS)
    timeline = timeline_of([(0, 3.0, (0.0, 3.0)), (3.0, 6.0, (3.0, 6.0))])
    timeline["segments"] = [{**s, "end": s["end"] + 0.4,
                             "text": "she never told him what it said"}
                            for s in timeline["segments"]]
    plan = scenes_background(str(source), timeline, "portrait", (180, 320), OPTIONS)
    assert plan.crop["faces_y"], plan.crop
    video = VideoOptions(180, 320, fps=10, preset="ultrafast")
    voice = tmp_path / "voice.wav"
    run_ffmpeg(["-f", "lavfi", "-i", "sine=f=220:d=7", str(voice)], what="test voice")
    outs = {}
    for name, style in (("faces", "faces"), ("centre", "center"), ("bare", None)):
        placed: list[dict] = []
        subs = (short_subs(timeline=timeline, plan={"start": 0.0, "end": seconds},
                           video=video, style=SubtitleStyle(position=style, size=0.06),
                           faces_y=plan.crop["faces_y"], placed=placed)
                if style else pysubs2.SSAFile())
        outs[name] = tmp_path / f"{name}.mp4"
        render(footage=plan, audio=str(voice), subs=subs, out=str(outs[name]), duration=seconds,
               video=video)
        if style == "faces":
            assert {p["place"] for p in placed} == {"below", "above"}, placed
    times = list(np.arange(0.3, seconds - 0.2, 0.3))
    bare = grey_frames(str(outs["bare"]), times, 180)[0]
    find = detector()
    counted = {"faces": [0, 0], "centre": [0, 0]}
    for name in counted:
        shown = grey_frames(str(outs[name]), times, 180)[0]
        for k in range(len(times)):
            box, faces = caption_box(shown[k], bare[k]), find(bare[k])
            if box is None or not faces:
                continue
            counted[name][1] += 1
            counted[name][0] += any(box[0] < f.x + f.w and f.x < box[2] and
                                    box[1] < f.y + f.h and f.y < box[3] for f in faces)
    over, seen = counted["faces"]
    assert seen >= len(times) * 0.6 and over == 0, counted
    # the control: captions at the centre do cover the face (the test can fail)
    assert counted["centre"][0] >= counted["centre"][1] * 0.3, counted


def test_captions_hold_one_place_per_shot_below_or_above_the_face():
    from dramabatch.render.placement import BOTTOM, TOP, place_captions
    from dramabatch.render.videos import styled

    subs = pysubs2.SSAFile()
    for k in range(8):  # one word caption every half second over 4 s
        subs.append(pysubs2.SSAEvent(start=k * 500, end=k * 500 + 450, text=f"word{k} two"))
    subs = styled(subs, SubtitleStyle(position="faces", size=0.045), 1080, 1920)
    rows = [[10.0, 12.0, 0.15, 0.55], [12.0, 14.0, 0.45, 0.95]]  # narration time
    placed = place_captions(subs, rows, 10.0, 1080, 1920)
    first, second = placed[:4], placed[4:]
    assert {p["place"] for p in first} == {"below"} and {p["place"] for p in second} == {"above"}
    assert len({p["bottom"] for p in first}) == 1 and len({p["bottom"] for p in second}) == 1
    assert first[0]["bottom"] == BOTTOM and TOP < second[0]["bottom"] <= 0.45
    for p, event in zip(placed, subs, strict=True):
        assert event.marginv == round((1 - p["bottom"]) * 1920)
    # no face at all: just above the bottom fifth; a face filling the frame: said to overlap
    assert place_captions(subs, [], 0.0, 1080, 1920)[0]["place"] == "low"
    full = place_captions(subs, [[0.0, 9.0, 0.05, 0.98]], 0.0, 1080, 1920)
    assert full[0]["why"].startswith("overlaps")
