"""Burned-in subtitles of a source are found and do not show in the rendered band."""

from __future__ import annotations

import numpy as np
import pysubs2
import pytest
from test_scenes import timeline_of

from dramabatch.base.media import filter_escape, run_ffmpeg
from dramabatch.footage.frames import grey_frames, keyframes, sample_times
from dramabatch.footage.scene_plan import scenes_background
from dramabatch.footage.subtitle_band import detect_band
from dramabatch.render.options import SubtitleStyle, VideoOptions
from dramabatch.render.videos import fonts_dir, render, styled

SW, SH, SECONDS = 320, 180, 6
LINES = ["I never wanted this", "Then why did you come back?", "Because she asked me to",
         "Go home, Daniel"]


def gradient_video(path, subs_file=None, base=None):
    """A slowly moving gradient (no edges of its own); with ``subs_file``, that of ``base``
    with subtitles burned in (the gradient's colours are random, so both share one base)."""
    if subs_file:
        burn = f"ass={filter_escape(str(subs_file))}:fontsdir={filter_escape(fonts_dir())}"
        args = ["-i", str(base), "-vf", burn]
    else:
        args = ["-f", "lavfi", "-i", f"gradients=s={SW}x{SH}:speed=0.05:r=15:d={SECONDS}"]
    # a keyframe every 5 frames, so the plan looks at keyframes (frames.keyframes)
    run_ffmpeg([*args, "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", "-g", "5",
                "-pix_fmt", "yuv420p", str(path)], what="test source")
    return path


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    d = tmp_path_factory.mktemp("band")
    subs = pysubs2.SSAFile()
    for k, text in enumerate(LINES):
        subs.append(pysubs2.SSAEvent(start=k * 1500, end=k * 1500 + 1400, text=text))
    styled(subs, SubtitleStyle(size=0.07), SW, SH).save(str(d / "burned.ass"))
    clean = gradient_video(d / "clean.mp4")
    return gradient_video(d / "subbed.mp4", d / "burned.ass", clean), clean


def edge_energy(frames: np.ndarray, top: int, bottom: int) -> float:
    """Mean horizontal step between neighbouring pixels in rows top..bottom."""
    band = frames[:, top:bottom].astype(np.int16)
    return float(np.abs(np.diff(band, axis=2)).mean())


def test_the_band_is_found_where_the_subtitles_are(sources):
    subbed, clean = sources
    times = sample_times(SECONDS - 0.1, 24)
    with_text, _ = grey_frames(str(subbed), times, SW)
    without, _ = grey_frames(str(clean), times, SW)
    text_rows = np.flatnonzero((np.abs(with_text.astype(int) - without).max(axis=(0, 2))) > 60)
    assert text_rows.size, "the test source has no burned-in text"
    band, said = detect_band(with_text)
    assert band is not None, said
    assert band[0] * SH <= text_rows[0] and band[1] * SH >= text_rows[-1] + 1, (band, text_rows)
    assert band[1] - band[0] < 0.25  # a band, not the picture
    assert detect_band(without)[0] is None  # a picture without text has none
    looked = keyframes(str(subbed), 24, SW)  # what the plan looks at: keyframes only
    assert 12 <= len(looked) <= 24 and detect_band(looked)[0] == pytest.approx(band, abs=0.03)


@pytest.mark.slow
@pytest.mark.parametrize("cover", ["blur", "box"])
def test_burned_in_subtitles_do_not_show_in_the_output(sources, tmp_path, cover):
    subbed, clean = sources
    audio = tmp_path / "voice.mp3"
    run_ffmpeg(["-f", "lavfi", "-i", "sine=f=440:d=6:r=48000", "-c:a", "libmp3lame", str(audio)],
               what="test voice")
    timeline = timeline_of([(0, 5.5, (0.0, 5.5))])
    video = VideoOptions(160, 90, fps=15, preset="ultrafast")
    energy = {}
    for name, source, mode in (("kept", subbed, "none"), ("hidden", subbed, "auto"),
                               ("clean", clean, "none")):
        plan = scenes_background(str(source), timeline, "landscape", (160, 90),
                                 {"subtitle_band": mode, "band_cover": cover})
        if name == "hidden":
            assert plan.band and plan.band["cover"] == cover
            assert any("burned-in subtitles detected" in r and r.endswith(cover)
                       for r in plan.reasons), plan.reasons
            top, bottom = round(plan.band["top"] * 90), round(plan.band["bottom"] * 90)
        out = tmp_path / f"{name}.mp4"
        render(footage=plan, audio=str(audio), subs=pysubs2.SSAFile(), out=str(out),
               duration=5.5, video=video)
        frames, _ = grey_frames(str(out), sample_times(5.4, 12), 160)
        energy[name] = frames
    kept, hidden, plain = (edge_energy(energy[n], top, bottom) for n in ("kept", "hidden", "clean"))
    print(f"band rows {top}-{bottom}: edge energy kept {kept:.2f} hidden {hidden:.2f} "
          f"clean {plain:.2f}")
    assert kept > 4 * plain, (kept, plain)  # the text really is there without the cover
    assert hidden < 0.25 * kept and hidden < plain + 0.3 * (kept - plain), (kept, hidden, plain)
    # the picture outside the band is untouched
    above = (edge_energy(energy["hidden"], 0, top - 2), edge_energy(energy["clean"], 0, top - 2))
    assert above[0] == pytest.approx(above[1], abs=0.5), above
