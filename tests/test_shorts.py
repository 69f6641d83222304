import json
import re

import pytest

from dramabatch.base.errors import DramaError
from dramabatch.base.media import decode_check, probe
from dramabatch.shorts.plan import plan_shorts, sentences
from dramabatch_testkit.runner import TINY_CONFIG, snakemake, write_manifest


def tl(durations, pause=0.6):
    segs, t = [], 0.0
    for i, d in enumerate(durations):
        segs.append({"text": f"s{i}.", "sentence": i, "start": t, "end": t + d,
                     "pause_ms": 0 if i == len(durations) - 1 else int(pause * 1000)})
        t += d + (pause if i < len(durations) - 1 else 0)
    return {"segments": segs, "duration": t}


@pytest.mark.parametrize("durations", [[4] * 30, [2, 9, 3, 14, 1, 6, 6, 6, 25, 3, 3, 3, 3, 3]])
def test_shorts_are_in_bounds_on_sentence_boundaries_and_in_order(durations):
    timeline = tl(durations)
    plans = plan_shorts(timeline, max_count=10, min_s=10, max_s=20)
    starts = {s.start for s in sentences(timeline)}
    ends = {s.end for s in sentences(timeline)}
    assert plans, "expected at least one short"
    for p in plans:
        assert 10 <= p.duration <= 20
        assert p.start in {round(x, 4) for x in starts}
        assert p.end in {round(x, 4) for x in ends}
    assert [p.number for p in plans] == list(range(1, len(plans) + 1))
    assert all(a.end <= b.start for a, b in zip(plans, plans[1:], strict=False))


def test_max_count_and_too_short_narration():
    assert len(plan_shorts(tl([4] * 60), max_count=3, min_s=10, max_s=20)) == 3
    whole, = plan_shorts(tl([2, 2]), min_s=10, max_s=20)  # shorter than one short: one short
    assert (whole.start, whole.end, whole.first_sentence, whole.last_sentence) == (0, 4.6, 0, 1)
    assert "shorter than shorts.min_seconds" in whole.why[0]
    with pytest.raises(DramaError, match=r"lasts 4\.6 s, shorter than one short"):
        plan_shorts(tl([2, 2]), min_s=10, max_s=20, whole_if_short=False)


def test_an_eight_second_narration_gets_exactly_one_short():
    timeline = tl([2.5, 2.2, 2.0])  # 7.9 s with its pauses
    plans = plan_shorts(timeline, max_count=10, min_s=15, max_s=60)
    assert len(plans) == 1 and plans[0].duration == pytest.approx(timeline["duration"])


def test_a_drama_no_short_fits_fails_with_the_reason():
    with pytest.raises(DramaError, match=r"no run of whole sentences lasts between 10 and 20 s "
                                         r"\(the longest sentence is 30\.\d s\)"):
        plan_shorts(tl([30, 25]), min_s=10, max_s=20)


def test_shorts_spread_over_a_ten_minute_drama_and_say_why():
    import random

    rng = random.Random(7)
    durations = [rng.uniform(2, 7) for _ in range(130)]
    timeline = tl(durations)
    assert timeline["duration"] > 600
    for seg in timeline["segments"][100:104]:  # a gripping stretch late in the story
        seg["text"] = "¿Quién era?"
    plans = plan_shorts(timeline, max_count=10, min_s=15, max_s=60)
    assert len(plans) == 10
    assert plans[-1].start >= timeline["duration"] * 2 / 3  # the last short is in the last third
    assert plans[0].start < timeline["duration"] / 3
    assert all(15 <= p.duration <= 60 for p in plans)
    assert all(a.end <= b.start for a, b in zip(plans, plans[1:], strict=False))
    starts = {round(s.start, 4) for s in sentences(timeline)}
    assert all(p.start in starts for p in plans)  # whole sentences
    assert all(0 < p.score <= 1 and p.why for p in plans)
    hooked = [p for p in plans if "opens with a question or exclamation" in p.why]
    assert hooked and all(p.first_sentence in range(100, 104) for p in hooked)
    gaps = [b.start - a.start for a, b in zip(plans, plans[1:], strict=False)]
    assert max(gaps) < timeline["duration"] / 4  # no stretch of the drama left without a short


def test_a_sentence_longer_than_max_is_skipped_not_fatal():
    plans = plan_shorts(tl([30, 5, 6]), min_s=10, max_s=20)
    assert len(plans) == 1 and plans[0].first_sentence == 1


# --------------------------------------------------------------------------- through the CLI
STORY = ("The door opened at midnight. Nobody was there. "
         "A cold wind came into the hall. Then the lights went out. "
         "Anna called her brother. He did not answer.")


def _planned_jobs(stdout: str) -> dict[str, int]:
    table = stdout.split("Job stats:")[1].split("total")[0]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M)}


@pytest.fixture(scope="module")
def shorts_batch(tmp_path_factory, speech_video):
    wd = tmp_path_factory.mktemp("shorts_wf")
    manifest = write_manifest(wd / "manifest.tsv", [("alpha", str(speech_video))])
    # bounds that leave room for several shorts in a 10 s story (the planner prefers fewer,
    # fuller shorts when the bounds allow: see dramabatch.shorts.plan)
    config = TINY_CONFIG.format(manifest=manifest).replace(
        "min_seconds: 3", "min_seconds: 1.5").replace("max_seconds: 8", "max_seconds: 3.5")
    (wd / "config.yaml").write_text(config)
    (wd / "scripts").mkdir()
    (wd / "scripts" / "alpha.txt").write_text(STORY, encoding="utf-8")
    proc = snakemake(wd, "--cores", "2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return wd


def test_rendered_shorts_follow_the_plan_and_the_narration_timings(shorts_batch):
    res = shorts_batch / "results" / "alpha"
    timeline = json.loads((res / "narration.json").read_text(encoding="utf-8"))
    plan = json.loads((res / "shorts" / "plan.json").read_text(encoding="utf-8"))["shorts"]
    assert len(plan) >= 3, plan
    sents = sentences(timeline)
    starts = {round(s.start, 4): s.index for s in sents}
    ends = {round(s.end, 4): s.index for s in sents}
    for p, nxt in zip(plan, plan[1:] + [None], strict=True):
        assert 1.5 <= p["end"] - p["start"] <= 8
        assert starts[p["start"]] == p["first_sentence"]  # starts on a sentence start
        assert ends[p["end"]] == p["last_sentence"]  # ends on that sentence's end
        if nxt:
            assert p["end"] <= nxt["start"] and p["number"] + 1 == nxt["number"]
        video = res / "shorts" / f"short_{p['number']:02d}.mp4"
        info = probe(video)
        assert (info.width, info.height) == (90, 160)  # native 9:16, not a crop of the master
        decoded = decode_check(video)
        assert abs(decoded["video"] - decoded["audio"]) <= 0.05, decoded
        assert abs(info.video_duration - info.audio_duration) <= 0.05, info
        assert abs(info.duration - (p["end"] - p["start"])) <= 0.1
    assert not (res / "shorts" / f"short_{len(plan) + 1:02d}.mp4").exists()


def _mtimes(res):
    return {p.name: p.stat().st_mtime_ns
            for p in [*sorted((res / "shorts").glob("short_*.mp4")), res / "long.mp4"]}


def test_deleting_one_short_reruns_only_that_short(shorts_batch):
    res = shorts_batch / "results" / "alpha"
    shorts = sorted((res / "shorts").glob("short_*.mp4"))
    targets = [str(p.relative_to(shorts_batch)) for p in shorts]
    before = _mtimes(res)
    shorts[1].unlink()
    dry = snakemake(shorts_batch, "-n", "--cores", "2", *targets)
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert _planned_jobs(dry.stdout) == {"render_short": 1}
    proc = snakemake(shorts_batch, "--cores", "2", *targets)
    assert proc.returncode == 0, proc.stderr[-2000:]
    after = _mtimes(res)
    assert {name for name in before if before[name] != after[name]} == {shorts[1].name}
    assert decode_check(shorts[1])["video"] > 1
    # The plain default target then refreshes what contains the new short, and renders nothing.
    dry = snakemake(shorts_batch, "-n", "--cores", "2")
    jobs = _planned_jobs(dry.stdout)
    assert not {"render_short", "render_long", "plan_shorts"} & set(jobs), jobs
    assert jobs.get("package") == 1, jobs


def test_plain_run_rebuilds_a_deleted_short(shorts_batch):
    res = shorts_batch / "results" / "alpha"
    assert snakemake(shorts_batch, "--cores", "2").returncode == 0  # everything up to date
    victim = sorted((res / "shorts").glob("short_*.mp4"))[-1]
    victim.unlink()
    try:
        dry = snakemake(shorts_batch, "-n", "--cores", "2")
        assert dry.returncode == 0, dry.stderr[-2000:]
        assert "Job stats:" in dry.stdout, "nothing planned: the deleted short is not rebuilt"
        assert _planned_jobs(dry.stdout).get("render_short") == 1
    finally:  # leave the batch complete for any later test
        snakemake(shorts_batch, "--cores", "2", str(victim.relative_to(shorts_batch)))


def test_render_engine_moviepy_is_chosen_by_config_through_the_cli(shorts_batch):
    """The rule scripts dispatch on render.engine (run last: it re-renders long.mp4)."""
    target = "results/alpha/long.mp4"
    override = shorts_batch / "moviepy.yaml"
    override.write_text("render:\n  engine: moviepy\n")
    proc = snakemake(shorts_batch, "--cores", "2", target, "--forcerun", "render_long",
                     "--configfile", str(shorts_batch / "config.yaml"), str(override))
    assert proc.returncode == 0, proc.stderr[-2000:]
    log = (shorts_batch / "results/logs/alpha/render_long.log").read_text(encoding="utf-8")
    assert "(moviepy)" in log, log[-1000:]
    info = probe(shorts_batch / target)
    timeline = json.loads((shorts_batch / "results/alpha/narration.json").read_text())
    assert (info.width, info.height) == (160, 90)
    assert abs(info.duration - timeline["duration"]) <= 0.1
    assert abs(info.video_duration - info.audio_duration) <= 0.05
