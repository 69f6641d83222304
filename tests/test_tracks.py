"""Sources with several audio tracks: the speech is found, and a wrong choice is named."""

from __future__ import annotations

import json

import pytest

from dramabatch.base.errors import DramaError
from dramabatch.base.media import run_ffmpeg
from dramabatch.speech.tracks import audio_tracks, choose, matches, speech_of
from dramabatch_testkit.media import SENTENCE_A
from dramabatch_testkit.runner import TINY_CONFIG, snakemake
from dramabatch_testkit.textmetrics import wer

MUSIC = ("aevalsrc=0.2*sin(2*PI*220*t)+0.2*sin(2*PI*277*t)+0.2*sin(2*PI*330*t)"
         "*(0.6+0.4*sin(2*PI*2*t)):s=22050:d={d}")


def two_track_video(path, speech_wav, seconds: float, tags: tuple[str, str]):
    """Picture + track 0 music + track 1 speech, each with a language tag ('' for none)."""
    args = ["-f", "lavfi", "-i", f"testsrc2=s=160x90:r=15:d={seconds:.2f}",
            "-f", "lavfi", "-i", MUSIC.format(d=f"{seconds:.2f}"), "-i", str(speech_wav),
            "-map", "0:v", "-map", "1:a", "-map", "2:a", "-c:v", "libx264", "-preset",
            "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-af", "apad",
            "-t", f"{seconds:.2f}"]
    for n, tag in enumerate(tags):
        args += [f"-metadata:s:a:{n}", f"language={tag or 'und'}"]
    run_ffmpeg([*args, "-f", "mp4", str(path)], what="two-track video")
    return path


@pytest.fixture(scope="module")
def two_tracks(speech_wav, tmp_path_factory):
    d = tmp_path_factory.mktemp("tracks")
    return {
        "tagged": two_track_video(d / "tagged.mp4", speech_wav, 6, ("", "eng")),
        "untagged": two_track_video(d / "untagged.mp4", speech_wav, 6, ("", "")),
    }


def test_tracks_are_listed_with_their_tags(two_tracks):
    tracks = audio_tracks(two_tracks["tagged"])
    assert [(t.number, t.language) for t in tracks] == [(0, ""), (1, "eng")]
    assert matches("spa", "es-MX") and matches("es", "es") and not matches("eng", "es")


def test_the_tag_matching_the_language_wins_else_the_most_speech(two_tracks):
    src = two_tracks["tagged"]
    chosen = choose(audio_tracks(src), "", "en", speech_of(src), 0.3)
    assert chosen["number"] == 1 and "language tag matches" in chosen["why"]
    src = two_tracks["untagged"]
    chosen = choose(audio_tracks(src), "", "auto", speech_of(src), 0.3)
    assert chosen["number"] == 1 and chosen["why"].startswith("the most speech")
    assert float(chosen["speech_s"]["1"]) > 2 > float(chosen["speech_s"]["0"])


def test_pointing_at_the_music_fails_naming_both_tracks(two_tracks):
    src = two_tracks["tagged"]
    with pytest.raises(DramaError, match=r"audio track #0 \(no language tag\) has no speech .* "
                                         r"track #1 \(eng\) has \d+\.\d s: set the manifest's "
                                         r"audio_track to 1"):
        choose(audio_tracks(src), "0", "en", speech_of(src), 0.3)
    with pytest.raises(DramaError, match=r"audio_track '7' is not in the source, which has 2 "
                                         r"audio track\(s\): #0 \(no language tag\), #1 \(eng\)"):
        choose(audio_tracks(src), "7", "en", speech_of(src), 0.3)


@pytest.mark.slow
def test_speech_on_the_second_track_through_the_workflow(two_tracks, tmp_path):
    src = two_tracks["untagged"]
    manifest = tmp_path / "manifest.tsv"
    manifest.write_text("id\tsource\tlanguage\taudio_track\n"
                        f"dub\t{src}\t\t\nmusic\t{src}\ten\t0\n", encoding="utf-8")
    (tmp_path / "config.yaml").write_text(TINY_CONFIG.format(manifest=manifest))
    proc = snakemake(tmp_path, "--cores", "2")
    summary = {d["id"]: d for d in json.loads(
        (tmp_path / "results" / "run_summary.json").read_text())["dramas"]}
    assert summary["dub"]["status"] == "finished", proc.stderr[-3000:]
    transcript = json.loads((tmp_path / "results/dub/transcript.json").read_text())
    assert transcript["audio_track"]["number"] == 1
    assert wer(SENTENCE_A, " ".join(s["text"] for s in transcript["segments"])) <= 0.15
    failed = summary["music"]
    assert (failed["status"], failed["stage"]) == ("failed", "extract_audio")
    assert "#0 (no language tag) has no speech" in failed["cause"]
    assert "#1 (no language tag) has" in failed["cause"]
