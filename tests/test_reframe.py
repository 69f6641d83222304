"""Shorts from a landscape source follow the faces: an off-centre face stays in the 9:16 frame
where a centre crop loses it, the crop never pans faster than its bound, and it cuts (does not
pan) at a shot change. The face is a real one (the demo's face clip, faceclip.py), found by the
shipped BlazeFace detector.
"""

from __future__ import annotations

import numpy as np
import pysubs2
import pytest
from test_scenes import timeline_of

from dramabatch_testkit.faceclip import encode_bgr, real_face

cv2 = pytest.importorskip("cv2")  # the 'reframe' extra

from dramabatch.base.media import run_ffmpeg  # noqa: E402
from dramabatch.footage.faces import detector  # noqa: E402
from dramabatch.footage.frames import grey_frames, sample_times  # noqa: E402
from dramabatch.footage.reframe import path_speed  # noqa: E402
from dramabatch.footage.scene_plan import scenes_background  # noqa: E402
from dramabatch.render.options import VideoOptions  # noqa: E402
from dramabatch.render.videos import render  # noqa: E402

SW, SH, FPS, SECONDS, SHOT = 320, 180, 15, 6.0, 3.0
FACE = 72


def face_x(t: float) -> float:
    """Where the face's centre is: drifting on the right in the first shot, left in the second."""
    return 226 + 18 * t if t < SHOT else 70.0


def face_video(path):
    face = real_face(FACE)
    frames = []
    for n in range(round(SECONDS * FPS)):
        t = n / FPS
        img = np.full((SH, SW, 3), 60 if t < SHOT else 140, np.uint8)
        x, y = round(face_x(t) - FACE / 2), (SH - FACE) // 2
        img[y:y + FACE, x:x + FACE] = face
        frames.append(img)
    return encode_bgr(frames, path, FPS)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return face_video(tmp_path_factory.mktemp("faces") / "source.mp4")


def face_hits(video, width: int, times: list[float]) -> list[bool]:
    frames, _ = grey_frames(str(video), times, width)
    find = detector()
    return [bool(find(f)) for f in frames]


def test_the_detector_fires_on_the_real_face(source):
    hits = face_hits(source, SW, sample_times(SECONDS - 0.1, 20))
    assert sum(hits) / len(hits) >= 0.9, hits
    assert not centre_crop_contains_face()  # the face is off-centre: a centre crop loses it


def centre_crop_contains_face() -> bool:
    crop_w = SH * 9 / 16
    left, right = (SW - crop_w) / 2, (SW + crop_w) / 2
    return any(left < face_x(t) - FACE * 0.3 and face_x(t) + FACE * 0.3 < right
               for t in np.arange(0, SECONDS, 0.1))


@pytest.mark.slow
def test_the_short_keeps_the_face_in_frame_and_the_crop_moves_within_its_bound(source,
                                                                                tmp_path):
    timeline = timeline_of([(0, 2.5, (0.0, 2.5)), (2.5, 5.5, (2.5, 5.5))])
    options = {"subtitle_band": "none", "max_pan": 0.05}  # 16 px/s: slower than the face
    plan = scenes_background(str(source), timeline, "portrait", (90, 160), options)
    crop = plan.crop
    assert crop["mode"] == "faces", plan.reasons
    assert crop["bound_px_s"] == pytest.approx(0.05 * SW)
    hits, looked = map(int, crop["faces"].split("/"))
    assert hits / looked >= 0.8, crop
    assert 0 < path_speed(crop["path"]) <= crop["bound_px_s"] + 1e-6, crop["path"]
    # at the shot change the crop cuts: the path jumps between segments, never pans across
    jumps = [(a, b) for a, b in zip(crop["path"], crop["path"][1:], strict=False)
             if abs(b[2] - a[3]) > 1]
    assert len(jumps) == 1 and abs(jumps[0][1][0] - SHOT) <= 0.5, crop["path"]
    times = sample_times(5.4, 16)
    out = tmp_path / "short.mp4"
    video = VideoOptions(90, 160, fps=15, preset="ultrafast")
    render(footage=plan, audio=str(voice(tmp_path)), subs=pysubs2.SSAFile(), out=str(out),
           duration=5.5, video=video)
    reframed = face_hits(out, 90, times)
    assert sum(reframed) / len(reframed) >= 0.8, reframed
    # the same short as a centre crop (reframing off, cover fit) loses the face
    plan.crop = {}
    plan.clips[0].fit = "cover"
    centred = tmp_path / "centre.mp4"
    render(footage=plan, audio=str(voice(tmp_path)), subs=pysubs2.SSAFile(), out=str(centred),
           duration=5.5, video=video)
    assert sum(face_hits(centred, 90, times)) == 0


def voice(tmp_path):
    path = tmp_path / "voice.mp3"
    if not path.exists():
        run_ffmpeg(["-f", "lavfi", "-i", "sine=f=440:d=6:r=48000", "-c:a", "libmp3lame",
                    str(path)], what="test voice")
    return path
