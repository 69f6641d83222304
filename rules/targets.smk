# What a run makes: each drama's archive, the batch zip when the batch is small, and the outputs
# of finished dramas that went missing; the shorts each drama's plan_shorts checkpoint decided.

import json
import os
from pathlib import Path


def short_paths(drama_id, count):
    return [f"{OUT}/{drama_id}/shorts/short_{n:02d}.mp4" for n in range(1, count + 1)]


def short_videos(drama_id):
    """The shorts the plan_shorts checkpoint decided on for one drama."""
    plan = checkpoints.plan_shorts.get(id=drama_id).output[0]
    with open(plan, encoding="utf-8") as fh:
        return short_paths(drama_id, len(json.load(fh)["shorts"]))


# Dramas archived before this run, with outputs kept (one stat each): a file Snakemake would
# leave missing can only be one of theirs.
_ARCHIVED = (
    {d for d in DRAMAS if os.path.exists(f"{ARCHIVES}/{d}.zip")}
    if KEEP_OUTPUTS
    else set()
)


def _lacks_a_short(drama_id):
    """A short the drama's plan lists, as the plan stands when this process starts, is missing.

    Only decides whether to ask the checkpoint (which gives the plan this run ends with). No
    readable plan: plan.json itself is then a missing output, named by targets().
    """
    try:
        with open(f"{OUT}/{drama_id}/shorts/plan.json", encoding="utf-8") as fh:
            count = len(json.load(fh)["shorts"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return not all(map(os.path.exists, short_paths(drama_id, count)))


_LACKING_SHORTS = {d for d in _ARCHIVED if _lacks_a_short(d)}


def all_planned_shorts(wildcards):
    """The shorts of finished dramas that lack one, by name, for the default target: Snakemake
    rebuilds a deleted file only when a requested target needs it, not when its consumer
    (finish) is up to date.

    Only those dramas: an unfinished drama's shorts come in through its finish job, and a
    present short needs no name (its inputs decide its rerun, through finish). Every checkpoint
    asked here makes the default target depend on it, and Snakemake re-creates a checkpoint's
    dependents once it is done: asking every drama's checkpoint made the default target (every
    drama's files) be built twice on every run, and once per drama while its plan_shorts ran.
    None when only archives are kept: the shorts are temp() then.
    """
    return [
        f
        for drama_id in DRAMAS
        if drama_id in _LACKING_SHORTS
        for f in short_videos(drama_id)
    ]


def targets():
    """What a run makes: each drama's archive, the batch zip if small, and, when outputs are
    kept, the missing outputs of the dramas archived before this run, by name.

    Every output is an input of its drama's finish job, so an unfinished drama makes them all
    anyway, and a present output's inputs decide whether it reruns (through finish, which
    reruns after it). Naming matters only for a finished drama's deleted output, which
    Snakemake would otherwise leave missing (its consumer, finish, is up to date). One stat per
    output of a finished drama; a fresh plan or a no-op rerun resolves no target but the
    archives.
    """
    files = [f"{ARCHIVES}/{drama_id}.zip" for drama_id in DRAMAS]
    files += [
        f
        for drama_id in DRAMAS
        if drama_id in _ARCHIVED
        for f in drama_outputs(drama_id)
        if not os.path.exists(f)
    ]
    return files + ([ARCHIVE] if BATCH_ZIP else [])


def planned_shorts(wildcards):
    """The drama's planned shorts, their thumbnails and their timelines (one checkpoint read)."""
    shorts = short_videos(wildcards.id)
    thumbs = [f"{OUT}/{wildcards.id}/thumbs/{Path(s).stem}.jpg" for s in shorts]
    timelines = [s[: -len(".mp4")] + ".otio" for s in shorts]
    if TIMELINE_XML:
        timelines += [s[: -len(".mp4")] + ".xml" for s in shorts]
    return {"shorts": shorts, "short_thumbs": thumbs, "short_timelines": timelines}


def drama_outputs(drama_id):
    """Every file of one drama that goes into its archive, except the shorts (planned by its
    checkpoint) and the archive's own manifest."""
    base = f"{OUT}/{drama_id}"
    return [
        f"{base}/transcript.json",
        f"{base}/script.json",
        f"{base}/narration.mp3",
        f"{base}/narration.json",
        f"{base}/words.json",
        f"{base}/{drama_id}.srt",
        f"{base}/long.mp4",
        f"{base}/long.otio",
        *([f"{base}/long.xml"] if TIMELINE_XML else []),
        f"{base}/qc.json",
        f"{base}/shorts/plan.json",
        f"{base}/shorts/index.json",
        f"{base}/report.html",
    ]
