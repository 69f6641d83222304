"""Background music by mood (``audio.music: "mood:NAME"``): the packaged tracks, under the voice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pysubs2
import pytest

from dramabatch.base.errors import DramaError
from dramabatch.base.media import run_ffmpeg
from dramabatch.footage.background import generated
from dramabatch.render.music import mood_tracks, moods, resolve_music
from dramabatch.render.options import AudioMix, VideoOptions
from dramabatch.render.videos import render
from dramabatch_testkit.media import check_video


def test_the_five_moods_have_tracks():
    assert moods() == ["calm", "energetic", "happy", "nostalgic", "tender"]
    for mood in moods():
        tracks = mood_tracks(mood)
        assert len(tracks) >= 5 and all(t.parent.name == mood for t in tracks)


def test_a_path_or_nothing_is_left_alone():
    assert resolve_music("", "d1") == ""
    assert resolve_music("music/bed.mp3", "d1") == "music/bed.mp3"


def test_a_mood_gives_one_of_its_tracks_the_same_for_the_same_drama():
    picked = {key: resolve_music("mood:calm", key) for key in (f"drama-{i}" for i in range(12))}
    for path in picked.values():
        assert Path(path).is_file() and Path(path).parent.name == "calm"
    assert resolve_music("mood:calm", "drama-3") == picked["drama-3"]
    assert resolve_music(" MOOD:Calm ", "drama-3") == picked["drama-3"]
    assert len(set(picked.values())) > 1, "every drama of a batch got the same track"


def test_an_unknown_mood_names_the_ones_there_are():
    with pytest.raises(DramaError, match="no such mood.*calm, energetic, happy, nostalgic"):
        resolve_music("mood:spooky", "d1")


def decoded_audio(path: Path) -> tuple[np.ndarray, int]:
    import av

    with av.open(str(path)) as c:
        chunks = [f.to_ndarray().mean(axis=0) for f in c.decode(audio=0)]
        return np.concatenate(chunks), c.streams.audio[0].rate


def rms(samples: np.ndarray, rate: int, t0: float, t1: float) -> float:
    seg = samples[int(t0 * rate):int(t1 * rate)]
    return float(np.sqrt(np.mean(seg ** 2)))


@pytest.mark.slow
def test_a_packaged_track_loops_under_the_voice_and_is_ducked(tmp_path):
    """A 35 s render over a ~32 s track: music in the pause, quieter while the voice speaks,
    and still there after the track's end (looped)."""
    voice = tmp_path / "voice.mp3"
    run_ffmpeg(["-f", "lavfi", "-i", "sine=f=3000:d=35:r=48000", "-af",
                "volume='if(between(t,2,4)+gt(t,33.5),0,4)':eval=frame",
                "-c:a", "libmp3lame", str(voice)], what="test voice")
    track = resolve_music("mood:nostalgic", "lighthouse")
    out = tmp_path / "o.mp4"
    render(footage=generated("x", 96, 54, 5), audio=str(voice), subs=pysubs2.SSAFile(),
           out=str(out), duration=35.0, video=VideoOptions(96, 54, fps=5, preset="ultrafast"),
           mix=AudioMix(music=track, music_volume=0.5))
    check_video(out, 96, 54, 35.0)
    samples, rate = decoded_audio(out)
    # the voice alone: a pure 3 kHz tone; subtract it by looking at the rest of the spectrum
    def music_level(t0: float, t1: float) -> float:
        seg = samples[int(t0 * rate):int(t1 * rate)]
        spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg))))
        freqs = np.fft.rfftfreq(len(seg), 1 / rate)
        return float(spec[(freqs > 50) & (freqs < 2500)].mean() / len(seg))

    paused = music_level(2.2, 3.8)
    assert paused > 1e-5, paused
    assert paused > 2 * music_level(0.3, 1.7), "the music was not ducked under the voice"
    assert music_level(33.8, 34.8) > 1e-5, "the music stopped at the track's end"
