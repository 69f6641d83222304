"""Sources of any shape: a vertical drama in the 16:9 video is shown whole (over a blurred copy or
black bars), and a phone video's rotation is honoured, through the real ffmpeg graph."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dramabatch.base.media import display_size, run_ffmpeg
from dramabatch.footage.background import fit_rule, make_background
from dramabatch.render.options import SubtitleStyle, VideoOptions
from dramabatch.render.videos import render_long

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def bands_video(path, w: int, h: int, vertical: bool = True, seconds: float = 3):
    """Three solid bands (red, green, blue): stacked top to bottom, or left to right."""
    colours = ("red", "green", "blue")
    if vertical:
        size = f"{w}x{h // 3}"
        stack = "vstack=inputs=3"
    else:
        size = f"{w // 2}x{h}"
        colours, stack = ("red", "blue"), "hstack=inputs=2"
    chains = [f"color=c={c}:s={size}:d={seconds},format=yuv420p[c{n}]"
              for n, c in enumerate(colours)]
    graph = ";".join(chains) + ";" + "".join(f"[c{n}]" for n in range(len(colours))) + stack
    run_ffmpeg(["-f", "lavfi", "-i", graph, "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-f", "mp4", str(path)], what="bands video")
    return path


def frame_at(video, t: float, tmp_path) -> np.ndarray:
    from PIL import Image

    png = tmp_path / f"f{t}.png"
    run_ffmpeg(["-ss", f"{t}", "-i", str(video), "-frames:v", "1", str(png)], what="frame")
    return np.asarray(Image.open(png).convert("RGB")).astype(int)


def nearest(pixel, colours=(RED, GREEN, BLUE)):
    return min(colours, key=lambda c: sum((p - q) ** 2 for p, q in zip(pixel, c, strict=True)))


def render_source_long(tmp_path, source, fit: str, size=(192, 108), engine: str = "ffmpeg"):
    plan = tmp_path / f"plan_{fit}.json"
    make_background("x", "landscape", plan, order=["source"], source=str(source),
                    options={"fit": fit, "max_upscale": 2.0}, long_wh=size, short_wh=(108, 192))
    wav = tmp_path / "tone.wav"
    run_ffmpeg(["-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "2", str(wav)],
               what="silence")
    srt = tmp_path / "none.srt"
    srt.write_text("", encoding="utf-8")
    out = tmp_path / f"long_{fit}.mp4"
    render_long(background=str(plan), narration=str(wav), srt=str(srt), out=str(out),
                duration=2.0, video=VideoOptions(*size, fps=10, preset="ultrafast"),
                style=SubtitleStyle(), engine=engine)
    return out, json.loads(plan.read_text())


@pytest.mark.parametrize(("fit", "engine"), [("blur", "ffmpeg"), ("bars", "ffmpeg"),
                                             ("blur", "moviepy"), ("bars", "moviepy")])
def test_a_vertical_source_is_shown_whole_in_the_long_video(tmp_path, fit, engine):
    source = bands_video(tmp_path / "vertical.mp4", 108, 192)
    out, plan = render_source_long(tmp_path, source, fit, engine=engine)
    assert plan["clips"][0]["fit"] == fit and any(f"fit vertical.mp4: {fit}" in r
                                                  for r in plan["reasons"])
    frame = frame_at(out, 1.0, tmp_path)
    h, w, _ = frame.shape
    column = [nearest(frame[y, w // 2]) for y in range(4, h - 4)]
    order = [c for k, c in enumerate(column) if k == 0 or c != column[k - 1]]
    assert order == [RED, GREEN, BLUE], order  # all three regions, top to bottom: nothing cut
    sides = np.concatenate([frame[:, :8], frame[:, -8:]], axis=1)
    if fit == "blur":
        assert sides.mean() > 40, "the sides should show the blurred picture, not black"
    else:
        assert sides.max() < 40, "bars should be black"


def test_cover_crops_a_vertical_source_to_its_middle(tmp_path):
    source = bands_video(tmp_path / "vertical.mp4", 108, 192)
    out, plan = render_source_long(tmp_path, source, "cover")
    frame = frame_at(out, 1.0, tmp_path)
    h, w, _ = frame.shape
    assert {nearest(frame[y, w // 2]) for y in range(4, h - 4)} == {GREEN}  # what fit avoids


def test_fit_rule_follows_shape_and_upscale(tmp_path):
    vertical = bands_video(tmp_path / "v.mp4", 108, 192)
    small = bands_video(tmp_path / "s.mp4", 64, 36, vertical=False)
    assert fit_rule(str(vertical), 1920, 1080)[0] == "blur"
    assert fit_rule(str(vertical), 216, 384)[0] == "cover"  # same shape, 2x up
    assert fit_rule(str(vertical), 1080, 1920)[0] == "blur"  # same shape, but 10x up
    assert fit_rule(str(small), 96, 54)[0] == "cover"  # 1.5x up: fine
    assert fit_rule(str(small), 1920, 1080)[0] == "blur"  # 30x up: shown whole at 2x
    assert fit_rule(str(vertical), 1920, 1080, "cover")[0] == "cover"


def test_a_rotated_phone_video_comes_out_upright(tmp_path):
    coded = bands_video(tmp_path / "coded.mp4", 160, 90, vertical=False)  # red left, blue right
    phone = tmp_path / "phone.mp4"
    run_ffmpeg(["-display_rotation", "90", "-i", str(coded), "-c", "copy", str(phone)],
               what="rotated video")
    assert display_size(phone) == (90, 160)
    reference = frame_at(phone, 0.5, tmp_path)  # what a player shows (ffmpeg autorotates)
    top, bottom = nearest(reference[5, 45], (RED, BLUE)), nearest(reference[-5, 45], (RED, BLUE))
    assert top != bottom
    plan = tmp_path / "portrait.json"
    make_background("x", "portrait", plan, order=["source"], source=str(phone),
                    options={"fit": "blur"}, long_wh=(192, 108), short_wh=(90, 160))
    assert json.loads(plan.read_text())["clips"][0]["fit"] == "cover"  # upright: same shape
    out, _ = render_source_long(tmp_path, phone, "blur", size=(90, 160))
    frame = frame_at(out, 1.0, tmp_path)
    assert nearest(frame[5, 45], (RED, BLUE)) == top
    assert nearest(frame[-5, 45], (RED, BLUE)) == bottom
