"""Captions a creator can publish: the packaged font on any machine (asked of libass itself),
text shown literally, a render that cannot find its font failing with the cause."""

from __future__ import annotations

import numpy as np
import pytest

from dramabatch.base.errors import DramaError
from dramabatch.base.media import ffmpeg_exe, filter_escape, run_ffmpeg
from dramabatch.render.fonts import verify_fonts
from dramabatch.render.options import SubtitleStyle, VideoOptions
from dramabatch.render.subtitles import read_srt, to_ssa, write_srt
from dramabatch.render.videos import fonts_dir, render_long, styled
from dramabatch_testkit.runner import REPO

W, H = 480, 270


@pytest.fixture
def no_system_fonts(tmp_path, monkeypatch):
    """A machine without fonts: fontconfig sees an empty configuration."""
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                    "<fontconfig></fontconfig>")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    return conf


def caption_frame(tmp_path, text: str, style: SubtitleStyle | None = None) -> np.ndarray:
    """One black frame with ``text`` captioned the way the renderer does it (same ASS filter)."""
    from PIL import Image

    subs = styled(to_ssa([(text, 0.0, 1.0)]), style or SubtitleStyle(), W, H)
    ass = tmp_path / f"c{abs(hash(text))}.ass"
    subs.save(str(ass), encoding="utf-8")
    png = tmp_path / f"c{abs(hash(text))}.png"
    run_ffmpeg(["-f", "lavfi", "-i", f"color=c=black:s={W}x{H}:d=1", "-vf",
                f"ass=filename={filter_escape(str(ass))}:fontsdir={filter_escape(fonts_dir())}",
                "-frames:v", "1", str(png)], what="caption frame")
    return np.asarray(Image.open(png).convert("L"))


def ink_rows(frame: np.ndarray) -> int:
    """How many rows of the frame hold caption pixels (the caption's height)."""
    return int((frame > 60).any(axis=1).sum())


def test_libass_uses_the_packaged_font_on_a_machine_without_fonts(no_system_fonts, tmp_path):
    subs = styled(to_ssa([("¿Quién llamó? Mañana.", 0.0, 1.0)]), SubtitleStyle(), W, H)
    subs.save(str(tmp_path / "s.ass"), encoding="utf-8")
    chosen = verify_fonts(tmp_path / "s.ass", fonts_dir(), ffmpeg_exe())
    assert chosen == ["Montserrat-Bold"]
    frame = caption_frame(tmp_path, "¿Quién llamó? Mañana.")
    box = frame[int(H * 0.6):]  # bottom captions
    assert (box > 200).sum() > 100, "no caption pixels: the captions did not render"
    assert (frame[: int(H * 0.5)] > 60).sum() == 0  # and nothing where no caption belongs


def test_a_caption_font_that_cannot_be_found_fails_with_the_cause(no_system_fonts, tmp_path):
    subs = styled(to_ssa([("hola", 0.0, 1.0)]), SubtitleStyle(font="NoSuchFont"), W, H)
    subs.save(str(tmp_path / "s.ass"), encoding="utf-8")
    with pytest.raises(DramaError, match="captions (would not use their font|cannot render)"):
        verify_fonts(tmp_path / "s.ass", fonts_dir(), ffmpeg_exe())


def test_a_render_with_a_missing_font_fails_and_leaves_nothing(no_system_fonts, tmp_path):
    from dramabatch.footage.background import generated

    plan = tmp_path / "bg.json"
    plan.write_text(generated("x", 160, 90, fps=10).to_json())
    srt = tmp_path / "x.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:01,000\nhola\n", encoding="utf-8")
    wav = tmp_path / "v.wav"
    run_ffmpeg(["-f", "lavfi", "-i", "sine=d=1:r=16000", str(wav)], what="tone")
    with pytest.raises(DramaError, match="captions"):
        render_long(background=str(plan), narration=str(wav), srt=str(srt),
                    out=str(tmp_path / "long.mp4"), duration=1.0,
                    video=VideoOptions(160, 90, fps=10, preset="ultrafast"),
                    style=SubtitleStyle(font="NoSuchFont"))
    assert not (tmp_path / "long.mp4").exists()


@pytest.mark.parametrize("tricky", ["{\\fs300}big", "one \\N two", "{\\fscy400}tall"])
def test_override_codes_in_text_are_shown_literally(tmp_path, tricky):
    plain = tricky.replace("\\", "").replace("{", "").replace("}", "")
    one_line = ink_rows(caption_frame(tmp_path, plain))
    shown = ink_rows(caption_frame(tmp_path, tricky))
    # Interpreted, {\fs300} fills the frame and \N adds a second line; shown literally, the
    # caption is one line of ordinary height (the braces and backslash add a little).
    assert shown <= one_line * 1.3, (shown, one_line)


def test_subtitle_files_keep_braces_and_backslashes(tmp_path):
    timeline = {"language": "en", "duration": 3.0, "segments": [
        {"text": "He typed {\\fs300} and \\N, then left.", "sentence": 0, "start": 0.0,
         "end": 2.5}]}
    write_srt(timeline, tmp_path / "x.srt")
    (text, start, end), = read_srt(tmp_path / "x.srt")
    assert text.replace("\n", " ") == "He typed {\\fs300} and \\N, then left."
    assert (start, end) == (0.0, 2.5)


def test_fonts_are_built_from_the_package_not_the_system():
    folder = fonts_dir()
    assert not folder.startswith("/usr/share")
    assert (REPO / "src").exists()  # the package, not a system path, decides
    from fontTools.ttLib import TTFont

    from dramabatch.render.fonts import INSTANCES

    for name, weight in INSTANCES:
        font = TTFont(f"{folder}/{name}")
        family = font["name"].getDebugName(1)
        assert (family, font["OS/2"].usWeightClass) == ("Montserrat", weight)


def test_a_title_with_override_codes_is_shown_literally(tmp_path):
    from PIL import Image

    from dramabatch.render.videos import short_subs

    def title_rows(title: str) -> int:
        subs = short_subs(timeline={"segments": []}, plan={"start": 0.0, "end": 2.0},
                          video=VideoOptions(W, H), style=SubtitleStyle(), title=title,
                          title_seconds=1.0)
        ass = tmp_path / f"t{abs(hash(title))}.ass"
        subs.save(str(ass), encoding="utf-8")
        png = ass.with_suffix(".png")
        run_ffmpeg(["-f", "lavfi", "-i", f"color=c=black:s={W}x{H}:d=1", "-vf",
                    f"ass=filename={filter_escape(str(ass))}:"
                    f"fontsdir={filter_escape(fonts_dir())}", "-frames:v", "1", str(png)],
                   what="title frame")
        return ink_rows(np.asarray(Image.open(png).convert("L")))

    plain = title_rows("fs300 Big N title")
    assert 0 < title_rows("{\\fs300}Big \\N title") <= plain * 1.3
