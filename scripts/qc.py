"""Rule qc: check the drama's long video and every short (one decode each) and write qc.json.

The job always writes qc.json when it could measure, with the verdict inside; ``finish`` refuses
to archive a drama whose verdict is ``fail`` (so the numbers stay on disk for a person to read,
and a rerun does not decode again unless a video or a threshold changed).
"""

import json

from dramabatch.base.fsutil import write_text_atomic
from dramabatch.qc.drama import Video, check_drama, pauses_in, short_cues, timeline_places
from dramabatch.qc.measure import narration_pauses
from dramabatch.qc.source import cut_times, from_timeline
from dramabatch.render.options import SubtitleStyle
from dramabatch.render.subtitles import read_srt
from dramabatch.workflow.smk.job import load_json, run_steps

i = snakemake.input
config = snakemake.config


def paths(value) -> list[str]:
    """A named input as a list (Snakemake gives one file as a string)."""
    return [value] if isinstance(value, str) else list(value)


def videos() -> list[Video]:
    narration_plan, words = load_json(i.narration_plan), load_json(i.words)
    render = config["render"]
    portrait = paths(i.portrait)
    still = {k: bool(p) and load_json(p[0]).get("step") == "generated"
             for k, p in (("long", [i.landscape]), ("short", portrait))}
    timelines = paths(i.timelines)
    # where render_long placed each cue (position faces), so each place's band is measured
    found = [Video(i.long, 0.0, narration_plan["duration"], read_srt(i.srt),
                   SubtitleStyle(**render["style_long"]), config["subtitles"]["max_lines"],
                   still["long"], words, places=timeline_places(timelines[0]))]
    max_words = config["subtitles"]["short_words_per_cue"]
    for plan, path in zip(load_json(i.plan)["shorts"], i.shorts, strict=True):
        found.append(Video(path, plan["start"], plan["end"] - plan["start"],
                           short_cues(narration_plan, words, plan, max_words),
                           SubtitleStyle(**render["style_short"]), 2, still["short"]))
    own_source(found)
    pauses = narration_pauses(i.narration)
    timelines = paths(i.timelines)
    for video, timeline in zip(found, timelines, strict=True):
        video.pauses = pauses_in(pauses, video.start, video.length)
        video.cuts = cut_times(timeline, video.length, config["render"]["fps"])
    return found


def own_source(found: list[Video]) -> None:
    """What each video shows of the drama's own source's black and stillness (none without
    the source, or where a timeline cannot be read: then nothing is excused)."""
    sources = paths(i.source)
    timelines = paths(i.timelines)
    if not sources:
        return
    for video, timeline in zip(found, timelines, strict=True):
        video.excused = from_timeline(timeline, video.length, config["render"]["fps"], sources[0])


def check() -> None:
    qc = check_drama(videos(), load_json(i.narration_plan), config)
    write_text_atomic(snakemake.output[0], json.dumps(qc, ensure_ascii=False, indent=1))


run_steps(snakemake, [("qc", check)])
