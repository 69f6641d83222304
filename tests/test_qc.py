"""The checks of finished videos on real renders: a good render passes, and each deliberately
broken one (black stretch, frozen stretch, muted narration, captions shifted by 1 s, cut short)
is caught by its own check, with the number and the threshold in the failure line."""

import json
import logging
import re
import shutil

import pytest

from dramabatch.base.media import probe, run_ffmpeg
from dramabatch.footage.background import Clip, FootagePlan, make_background
from dramabatch.qc.captions import boundaries, caption_events, offsets
from dramabatch.qc.drama import Video, check_drama, failure, short_cues
from dramabatch.qc.measure import BLACK_PIXEL, caption_band, measure
from dramabatch.render.options import SubtitleStyle, VideoOptions
from dramabatch.render.subtitles import read_srt, write_srt
from dramabatch.render.videos import render_long, render_short
from dramabatch.script.sentences import build_script
from dramabatch.shorts.plan import plan_shorts
from dramabatch.voice.narrate import narrate
from dramabatch.workflow.progress.jobpercent import PERCENT_RE
from dramabatch_testkit.media import make_video

TEXT = ("The old lighthouse keeper climbed the stairs every night. He cleaned the glass, and "
        "he watched the boats come home. Nobody knew his name. One winter, the light went out.")
LONG = VideoOptions(320, 180, fps=15, preset="ultrafast")
STYLE = SubtitleStyle()
CONFIG = {
    "qc": {"black_share": {"warn": 0.02, "fail": 0.10},
           "frozen_share": {"warn": 0.10, "fail": 0.75},
           "loudness_off_lu": {"warn": 2, "fail": 5},
           "true_peak_over_db": {"warn": 1, "fail": 3},
           "silent_narration_share": {"warn": 0.05, "fail": 0.25},
           "duration_short_s": {"warn": 0.1, "fail": 0.5},
           "caption_offset_median_s": {"warn": 0.1, "fail": 0.15},
           "caption_offset_worst_s": {"warn": 0.5, "fail": None},
           "caption_words_offset_median_s": {"warn": 0.3, "fail": 0.6},
           "reading_speed_share_over": {"warn": 0.1, "fail": None}},
    "tts": {"loudness_lufs": -14, "true_peak_db": -1},
    "subtitles": {"max_cps": {"default": 17, "en": 20}},
}


def even_words(timeline: dict) -> dict:
    """words.json as align_words writes it when no word is recognised: spread evenly."""
    segments = []
    for seg in timeline["segments"]:
        tokens = seg["text"].split()
        step = (seg["end"] - seg["start"]) / len(tokens)
        segments.append({"index": seg.get("index"), "text": seg["text"], "start": seg["start"],
                         "end": seg["end"],
                         "words": [{"word": w, "start": seg["start"] + k * step,
                                    "end": seg["start"] + (k + 1) * step}
                                   for k, w in enumerate(tokens)]})
    return {"segments": segments}


@pytest.fixture(scope="module")
def drama(tmp_path_factory):
    """A narration, its SRT and words, and moving footage (a test pattern, 20 s)."""
    d = tmp_path_factory.mktemp("qc")
    script = {"language": "en", "segments": [s.to_dict() for s in build_script(TEXT)]}
    timeline = narrate(script, d / "n.mp3", d / "n.json", {"engine": "piper", "voice": "bundled"})
    write_srt(timeline, d / "x.srt", max_cps={"default": 17, "en": 20})
    (d / "words.json").write_text(json.dumps(even_words(timeline)))
    make_video(d / "clip.mp4", wav=None, seconds=20, size="320x180")
    return d, timeline


def footage(path) -> FootagePlan:
    return FootagePlan("local", clips=[Clip(str(path), probe(path).duration)])


def long_video(d, timeline, out, *, clip=None, narration=None, srt=None,
               duration=None, background: FootagePlan | None = None) -> str:
    render_long(background=background or footage(clip or d / "clip.mp4"),
                narration=str(narration or d / "n.mp3"),
                srt=str(srt or d / "x.srt"), out=str(out),
                duration=duration or timeline["duration"], video=LONG, style=STYLE)
    return str(out)


def judge(d, timeline, path) -> dict:
    words = json.loads((d / "words.json").read_text())
    video = Video(path, 0.0, timeline["duration"], read_srt(d / "x.srt"), STYLE, 2, False, words)
    return check_drama([video], timeline, CONFIG)


def levels(qc: dict) -> dict[str, str]:
    (record,) = qc["videos"].values()
    return {name: c["level"] for name, c in record["checks"].items()}


@pytest.mark.slow
def test_good_render_passes_every_check(drama, tmp_path):
    d, timeline = drama
    qc = judge(d, timeline, long_video(d, timeline, tmp_path / "long.mp4"))
    assert qc["verdict"] in ("ok", "warn"), qc["failed"]
    found = levels(qc)
    assert set(found) >= {"black_share", "frozen_share", "loudness_off_lu", "true_peak_over_db",
                          "silent_narration_share", "duration_short_s",
                          "caption_offset_median_s", "caption_words_offset_median_s"}
    problems = {k: v for k, v in found.items() if v != "ok" and k != "reading_speed_share_over"}
    assert problems == {}, qc["warnings"]
    record = qc["videos"]["long.mp4"]
    assert record["captions"]["expected"] >= 4 and record["captions"]["missed"] == 0
    assert failure(qc) is None


@pytest.mark.slow
def test_black_stretch_fails(drama, tmp_path):
    d, timeline = drama
    clip = tmp_path / "black.mp4"
    run_ffmpeg(["-i", str(d / "clip.mp4"), "-vf",
                "drawbox=c=black:t=fill:enable='between(t,3,6)'", "-c:v", "libx264",
                "-preset", "ultrafast", str(clip)], what="black clip")
    qc = judge(d, timeline, long_video(d, timeline, tmp_path / "long.mp4", clip=clip))
    assert levels(qc)["black_share"] == "fail"
    value = qc["videos"]["long.mp4"]["checks"]["black_share"]["value"]
    assert value == pytest.approx(3 / timeline["duration"], abs=0.05)
    assert "black_share" in failure(qc) and "> 0.1" in failure(qc)


@pytest.mark.slow
def test_over_the_darkest_generated_background_only_a_black_render_is_black(drama, tmp_path):
    """The generated gradient's darkest palette (footage.background._palette: c0 at least
    0x000028, c1 at least 0x280000) reads as black at the footage's pixel threshold; over a
    generated background black is judged at pure black, so the gradient passes and the same
    render gone black still fails."""
    d, timeline = drama
    words = json.loads((d / "words.json").read_text())
    plan = FootagePlan("generated", lavfi="gradients=s=80x46:c0=0x000028:c1=0x280000:"
                                          "speed=0.02:rate=15")
    out = long_video(d, timeline, tmp_path / "long.mp4", background=plan)
    assert measure(out, STYLE, black_pixel=BLACK_PIXEL).black, "the gradient is not dark enough"

    def generated_judge(path):
        video = Video(str(path), 0.0, timeline["duration"], read_srt(d / "x.srt"), STYLE, 2,
                      True, words)
        return check_drama([video], timeline, CONFIG)

    qc = generated_judge(out)
    assert levels(qc)["black_share"] == "ok" and "frozen_share" not in levels(qc)
    black = tmp_path / "black" / "long.mp4"
    black.parent.mkdir()
    run_ffmpeg(["-i", str(out), "-vf", "drawbox=c=black:t=fill", "-c:v", "libx264",
                "-preset", "ultrafast", "-c:a", "copy", str(black)], what="black long")
    qc = generated_judge(black)
    assert levels(qc)["black_share"] == "fail"
    assert qc["videos"]["long.mp4"]["checks"]["black_share"]["value"] > 0.9


def frozen_clip(src, out, first: int, last: int):
    run_ffmpeg(["-i", str(src), "-filter_complex",
                f"[0:v]split[a][b];[a][b]freezeframes=first={first}:last={last}:replace={first}",
                "-c:v", "libx264", "-preset", "ultrafast", str(out)], what="frozen clip")
    return out


@pytest.mark.slow  # over a second (make test-fast stays under 90 s)
def test_frozen_stretch_warns(drama, tmp_path):
    d, timeline = drama
    clip = frozen_clip(d / "clip.mp4", tmp_path / "frozen.mp4", 30, 105)  # 2 s .. 7 s
    qc = judge(d, timeline, long_video(d, timeline, tmp_path / "long.mp4", clip=clip))
    assert levels(qc)["frozen_share"] == "warn"
    value = qc["videos"]["long.mp4"]["checks"]["frozen_share"]["value"]
    assert value == pytest.approx(5 / timeline["duration"], abs=0.08)
    assert levels(qc)["black_share"] == "ok"


@pytest.mark.slow  # over a second (make test-fast stays under 90 s)
def test_picture_frozen_to_the_end_fails(drama, tmp_path):
    """Footage that stops after a second, its last frame held: the drama fails."""
    d, timeline = drama
    clip = frozen_clip(d / "clip.mp4", tmp_path / "frozen.mp4", 15, 299)
    qc = judge(d, timeline, long_video(d, timeline, tmp_path / "long.mp4", clip=clip))
    assert levels(qc)["frozen_share"] == "fail"
    assert "frozen_share" in failure(qc) and "> 0.75" in failure(qc)


@pytest.mark.slow  # over a second (make test-fast stays under 90 s)
def test_muted_narration_fails(drama, tmp_path):
    d, timeline = drama
    muted = tmp_path / "muted.mp3"
    run_ffmpeg(["-i", str(d / "n.mp3"), "-af", "volume=enable='between(t,3,8)':volume=0",
                str(muted)], what="muted narration")
    qc = judge(d, timeline, long_video(d, timeline, tmp_path / "long.mp4", narration=muted))
    assert levels(qc)["silent_narration_share"] == "fail"
    value = qc["videos"]["long.mp4"]["checks"]["silent_narration_share"]["value"]
    assert value > 0.3


def test_silent_render_fails_loudness_too(drama, tmp_path):
    d, timeline = drama
    silent = tmp_path / "silent.mp3"
    run_ffmpeg(["-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t",
                f"{timeline['duration']:.2f}", str(silent)], what="silence")
    qc = judge(d, timeline, long_video(d, timeline, tmp_path / "long.mp4", narration=silent))
    assert levels(qc)["loudness_off_lu"] == "fail"
    assert levels(qc)["silent_narration_share"] == "fail"


def shifted_srt(src, out, by: float) -> None:
    blocks = []
    for n, (text, start, end) in enumerate(read_srt(src), start=1):
        stamp = [f"00:00:{t + by:06.3f}".replace(".", ",") for t in (start, end)]
        blocks.append(f"{n}\n{stamp[0]} --> {stamp[1]}\n{text}\n")
    out.write_text("\n".join(blocks), encoding="utf-8")


@pytest.mark.slow  # over a second (make test-fast stays under 90 s)
def test_render_with_captions_shifted_by_a_second_fails(drama, tmp_path):
    """The render burned cues 1 s late while the SRT on disk is right: the picture says so."""
    d, timeline = drama
    shifted_srt(d / "x.srt", tmp_path / "late.srt", 1.0)
    qc = judge(d, timeline, long_video(d, timeline, tmp_path / "long.mp4",
                                       srt=tmp_path / "late.srt"))
    assert levels(qc)["caption_offset_median_s"] == "fail", qc["videos"]["long.mp4"]["captions"]
    assert levels(qc)["caption_words_offset_median_s"] == "ok"


@pytest.mark.slow  # over a second (make test-fast stays under 90 s)
def test_srt_shifted_by_a_second_from_the_words_fails(drama, tmp_path):
    """The cues themselves are late against words.json (the render followed them)."""
    d, timeline = drama
    case = tmp_path / "case"
    case.mkdir()
    for name in ("n.mp3", "words.json"):
        shutil.copy(d / name, case / name)
    shifted_srt(d / "x.srt", case / "x.srt", 1.0)
    qc = judge(case, timeline, long_video(d, timeline, tmp_path / "long.mp4",
                                          srt=case / "x.srt"))
    assert levels(qc)["caption_words_offset_median_s"] == "fail"
    assert levels(qc)["caption_offset_median_s"] == "ok"


def test_render_shorter_than_its_narration_fails(drama, tmp_path):
    d, timeline = drama
    qc = judge(d, timeline, long_video(d, timeline, tmp_path / "long.mp4",
                                       duration=timeline["duration"] - 1.5))
    assert levels(qc)["duration_short_s"] == "fail"
    assert qc["videos"]["long.mp4"]["checks"]["duration_short_s"]["value"] == pytest.approx(
        1.5, abs=0.1)


def test_short_captions_are_found_where_its_word_cues_put_them(drama, tmp_path):
    d, timeline = drama
    words = json.loads((d / "words.json").read_text())
    make_background("x", "portrait", tmp_path / "portrait.json", order=["generated"], source="",
                    options={}, long_wh=(320, 180), short_wh=(180, 320))
    plan = plan_shorts(timeline, min_s=3, max_s=8)[0].to_dict()
    style = SubtitleStyle(position="center", size=0.045, margin=0)
    out = tmp_path / "short_01.mp4"
    from dramabatch.render.subtitles import attach_words

    render_short(background=str(tmp_path / "portrait.json"), narration=str(d / "n.mp3"),
                 timeline=attach_words(timeline, words), plan=plan, out=str(out),
                 video=VideoOptions(180, 320, fps=15, preset="ultrafast"), style=style,
                 title="Title", title_seconds=1)
    cues = short_cues(timeline, words, plan, 3)
    video = Video(str(out), plan["start"], plan["end"] - plan["start"], cues, style, 2, True)
    qc = check_drama([video], timeline, CONFIG)
    record = qc["videos"]["short_01.mp4"]
    assert record["captions"]["expected"] >= 2 and record["captions"]["missed"] == 0
    assert "frozen_share" not in record["checks"]  # a generated gradient is not judged frozen
    assert qc["verdict"] != "fail", qc["failed"]


def test_caption_events_need_the_band_alone_to_jump():
    """A cut changes the band and the strip beside it together: no caption event."""
    times = [k / 10 for k in range(40)]
    band = [(t, 0.2) for t in times]
    ref = [(t, 0.2) for t in times]
    band[10] = (1.0, 5.0)  # a caption appears
    band[25], ref[25] = (2.5, 30.0), (2.5, 30.0)  # a cut
    assert caption_events(band, ref) == [1.0]
    assert offsets(boundaries([(1.0, 3.0)], 4.0, 10), [1.0]).missed == 1  # 3.0 never seen


def test_band_is_where_the_style_puts_captions():
    bottom = caption_band(SubtitleStyle(), 1080)
    assert bottom.band[1] > 0.9 and bottom.band[0] > 0.7 and bottom.picture == (0.0, bottom.band[0])
    centre = caption_band(SubtitleStyle(position="center"), 1920)
    assert centre.band[0] < 0.5 < centre.band[1]


def test_measure_reads_loudness_and_peak(drama):
    d, timeline = drama
    found = measure(d / "clip.mp4", STYLE)
    assert found.integrated_lufs is None  # no sound
    assert found.black == [] and found.fps == 15


def test_measure_reports_its_progress_over_the_whole_video(drama, caplog):
    """An hour's check decodes for a quarter of an hour: it says how far it is, as the live
    display reads it ("qc: <video>: NN%"), up to the end of the video (how many reports a clip
    of seconds gets depends on ffmpeg's progress period: at least the last)."""
    d, timeline = drama
    with caplog.at_level(logging.INFO):
        measure(d / "clip.mp4", STYLE)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("qc: clip.mp4")]
    percents = [int(m.group(1)) for line in lines
                if (m := re.fullmatch(r"qc: clip\.mp4: (\d+)%", line))]
    assert percents and percents == sorted(percents), caplog.text
    assert percents[-1] >= 90, percents
    assert all(PERCENT_RE.search(line) for line in lines), "the live display reads each"


@pytest.mark.slow  # over a second (make test-fast stays under 90 s)
def test_the_narrations_own_pause_is_not_silent_narration_but_a_long_gap_in_it_is(drama,
                                                                                  tmp_path):
    """A 0.8 s pause inside a segment (the narrator's comma) is silent in the video by design:
    measured on the narration itself, it is left out. A 5 s gap in the narration is no pause:
    it still fails, even though the narration file has it too."""
    from dramabatch.qc.drama import pauses_in
    from dramabatch.qc.measure import PAUSE_MAX_S, narration_pauses

    d, timeline = drama
    seg = max(timeline["segments"], key=lambda s: s["end"] - s["start"])
    mid = (seg["start"] + seg["end"]) / 2
    paused = tmp_path / "paused.mp3"
    run_ffmpeg(["-i", str(d / "n.mp3"), "-af",
                f"volume=enable='between(t,{mid - 0.4:.2f},{mid + 0.4:.2f})':volume=0",
                str(paused)], what="a pause inside a segment")
    path = long_video(d, timeline, tmp_path / "long.mp4", narration=paused)
    words = json.loads((d / "words.json").read_text())

    def judged(pauses):
        video = Video(path, 0.0, timeline["duration"], read_srt(d / "x.srt"), STYLE, 2, False,
                      words, pauses=pauses)
        return check_drama([video], timeline, CONFIG)["videos"]["long.mp4"]

    unexcused = judged(None)["checks"]["silent_narration_share"]["value"]
    assert unexcused > 0.5 / timeline["duration"]  # the 0.8 s pause counts without the measure
    pauses = pauses_in(narration_pauses(paused), 0.0, timeline["duration"])
    assert any(a <= mid <= b for a, b in pauses)
    record = judged(pauses)
    assert record["checks"]["silent_narration_share"]["value"] < unexcused - 0.5 / 30
    assert record["narration_pauses"]["count"] == len(pauses)

    gap = tmp_path / "gap.mp3"
    run_ffmpeg(["-i", str(d / "n.mp3"), "-af",
                f"volume=enable='between(t,{mid - 2.5:.2f},{mid + 2.5:.2f})':volume=0",
                str(gap)], what="a gap in the narration")
    gapped = long_video(d, timeline, tmp_path / "gapped.mp4", narration=gap)
    assert not any(b - a > PAUSE_MAX_S for a, b in narration_pauses(gap))
    video = Video(gapped, 0.0, timeline["duration"], read_srt(d / "x.srt"), STYLE, 2, False,
                  words, pauses=pauses_in(narration_pauses(gap), 0.0, timeline["duration"]))
    qc = check_drama([video], timeline, CONFIG)
    assert levels(qc)["silent_narration_share"] == "fail"


def test_a_cue_followed_at_once_by_the_same_text_is_one_caption_on_screen():
    """Nothing changes on screen between two touching cues of the same text, so no change is
    expected there (a Whisper loop's repeated cues counted as missed captions); the same text
    after a gap, or another text, is a change."""
    from dramabatch.qc.captions import on_screen

    cues = [("que no", 1.0, 2.0), ("que no", 2.0, 3.0), ("que no", 3.01, 4.0),
            ("otra cosa", 4.0, 5.0), ("otra cosa", 5.5, 6.0)]
    assert on_screen(cues, 1 / 30) == [(1.0, 4.0), (4.0, 5.0), (5.5, 6.0)]
    times = boundaries(on_screen(cues, 1 / 30), 10.0, 30)
    assert 2.0 not in times and 3.0 not in times and {1.0, 4.0, 5.0, 5.5} <= set(times)


def test_a_caption_change_on_the_frame_of_a_cut_is_counted_but_not_judged_for_the_worst():
    """On a cut the whole picture changes, and the band's own jump cannot be told from it: the
    change counts in the median and the missed, and is left out of the worst offset, which the
    record gives apart."""
    from dramabatch.qc.captions import band_offsets

    bands = [([1.0, 2.0, 3.0], [1.0, 2.6, 3.05])]
    plain = band_offsets(bands)
    assert plain.worst_s == pytest.approx(0.6) and plain.at_cut == 0
    cut = band_offsets(bands, cuts=[0.5, 2.0 + 0.03], near=0.05)
    assert cut.worst_s == pytest.approx(0.05) and cut.at_cut == 1
    assert cut.worst_at_cut_s == pytest.approx(0.6) and cut.median_s == plain.median_s
    assert cut.to_dict()["at_cut"] == 1
    missing = band_offsets([([2.0], [])], cuts=[2.0])
    assert missing.missed == 1 and missing.at_cut == 1  # still missed where nothing changed


def test_the_record_names_where_the_farthest_caption_changes_are():
    """qc.json lists the changes farthest from their cues with their times (and whether on a
    cut's frame), farthest first, so a worst offset can be looked at without a search."""
    from dramabatch.qc import captions
    from dramabatch.qc.captions import band_offsets, words_offsets

    bands = [([1.0, 2.0, 3.0, 4.0], [1.0, 2.6, 3.05]), ([5.0], [5.2])]
    got = band_offsets(bands, cuts=[2.02], near=0.05)
    assert [(t, round(g, 3), cut) for t, g, cut in got.farthest] == [
        (4.0, 0.95, False), (2.0, 0.6, True), (5.0, 0.2, False), (3.0, 0.05, False)]
    assert got.to_dict()["farthest"][1] == {"at_s": 2.0, "offset_s": 0.6, "at_cut": True}
    many = band_offsets([([float(k) for k in range(40)], [k + k / 100 for k in range(40)])])
    assert len(many.farthest) == captions.FARTHEST and many.farthest[0][0] == 39.0
    assert "farthest" not in band_offsets([([1.0], [1.0])]).to_dict()  # nothing off: no list
    words = {"segments": [{"words": [{"start": 0.5}, {"start": 1.0}, {"start": 3.0}]}]}
    late = words_offsets([("uno dos", 0.5, 2.0), ("tres", 3.4, 4.0)], words)
    assert late.farthest == ((3.4, pytest.approx(0.4), False),)
