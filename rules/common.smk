# Config validation, the manifest, wildcard constraints and input functions shared by all rules.

import glob
import json
import os
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from dramabatch.errors import ConfigError
from dramabatch.manifest import ID_PATTERN, load_manifest
from dramabatch.pexels import (
    CLIP_PATTERN,
    ENV_KEY,
    SLUG_PATTERN,
    clip_links,
    slugify,
)
from dramabatch.diskplan import estimate_disk
from dramabatch.gcpolicy import relax_collector
from dramabatch.library import enforce_bound
from dramabatch.smkfix import (
    bound_reevaluation_timers,
    check_scripts_once,
    memoize_function_params,
)
from dramabatch.summary import format_summary, summarise
from dramabatch.tracking import Subject, tracked

validate(config, "../config/schema.yaml")

# Snakemake's scheduler wakes itself once a second per finished job (a timer chain each); on a
# big batch its own CPU per job grew with the batch. One wake-up, only when the rate limiter
# held jobs back (dramabatch/smkfix.py).
bound_reevaluation_timers()
# ... and reads every job's script: file again before the run (the same few files, 20 % of a
# 1,000-drama plan): once per rule.
check_scripts_once()
# ... and inspects the signature of every input, params and resource function per job.
memoize_function_params()
# A big batch is a heap of millions of long-lived objects: CPython's default collector walked it
# in full 11 times while a 1,000-drama plan was built and once more at exit (dramabatch/gcpolicy.py).
relax_collector()

OUT = config["outdir"].rstrip("/")
ARCHIVE = f"{OUT}/{config['archive_name']}"
ARCHIVES = f"{OUT}/_archives"
# archive.keep_outputs false: the videos live only in their drama's archive (temp() here).
KEEP_OUTPUTS = config["archive"]["keep_outputs"]

try:
    DRAMAS = {
        d.id: d
        for d in load_manifest(config["manifest"], tuple(config["allowed_schemes"]))
    }
except ConfigError as exc:
    raise WorkflowError(f"dramabatch: {exc}") from None

_unknown_skips = sorted(set(config["skip"]) - set(DRAMAS))
if _unknown_skips:
    raise WorkflowError(
        f"dramabatch: config 'skip' names unknown drama(s): {_unknown_skips}"
    )
for _skipped in config["skip"]:
    del DRAMAS[_skipped]


wildcard_constraints:
    id=ID_PATTERN,
    n=r"\d{2}",
    orientation="landscape|portrait",


# The batch zip only for batches small enough for one download (archive.batch_max_dramas).
BATCH_ZIP = 0 < len(DRAMAS) <= config["archive"]["batch_max_dramas"]


def report_run():
    """Print the one-line-per-drama summary and write run_summary.json (onsuccess/onerror)."""
    enforce_bound(OUT, config["pexels"]["library_max_gb"])
    print(
        format_summary(summarise(OUT, list(DRAMAS), ARCHIVE, ARCHIVES)), file=sys.stderr
    )


def check_disk():
    """Before any job: the disk the pending dramas need against the free space (onstart)."""
    estimate = estimate_disk(
        DRAMAS.values(), OUT, ARCHIVES, config["disk"], KEEP_OUTPUTS, BATCH_ZIP
    )
    message = estimate.message()
    if estimate.fits or config["disk"]["check"] == "off":
        print(f"dramabatch: {message}", file=sys.stderr)
    elif config["disk"]["check"] == "refuse":
        raise WorkflowError(f"dramabatch: refusing to start: {message}")
    else:
        print(f"dramabatch: WARNING: {message}", file=sys.stderr)


def source_output(path):
    """source.media: kept, or temp() when archive.keep_sources is false."""
    return path if config["archive"]["keep_sources"] else temp(path)


def video_output(path):
    """A video output: kept beside the archive, or temp() when only archives are kept."""
    return path if KEEP_OUTPUTS else temp(path)


def drama(wildcards):
    return DRAMAS[wildcards.id]


def local_source(wildcards):
    """A local source is a declared input, so replacing the file reruns its drama.

    A missing one is not declared: fetch_source then fails for that drama alone, with a message,
    instead of a MissingInputException that would stop the whole batch from starting.
    """
    d = drama(wildcards)
    return [d.source] if not d.is_url and Path(d.source).exists() else []


# One directory listing per process, not one stat per job: every job's params ask.
_OVERRIDES = (
    {p.stem for p in Path(config["scripts_dir"]).glob("*.txt")}
    if Path(config["scripts_dir"]).is_dir()
    else set()
)


def script_override(wildcards):
    """config/scripts/{id}.txt, when present, replaces the generated script (and is tracked)."""
    if wildcards.id not in _OVERRIDES:
        return []
    return [str(Path(config["scripts_dir"]) / f"{wildcards.id}.txt")]


def rewritten_transcript(wildcards):
    """rewrite.json when the rewrite is on and no hand-written script replaces the transcript."""
    if not config["rewrite"]["enabled"] or script_override(wildcards):
        return []
    return [f"{OUT}/{wildcards.id}/rewrite.json"]


def drama_language(wildcards):
    return drama(wildcards).language or config["transcribe"]["language"]


def tracked_params(rule, orientation=None):
    """The params that decide whether ``rule``'s job reruns (dramabatch.tracking): exactly the
    config it depends on, resolved for the job's drama and orientation (the wildcard's, unless
    the rule has one fixed), and its code version. Everything else the job reads from the
    config is never tracked (timeouts, retries).
    """

    def params(wildcards):
        subject = None
        if "id" in wildcards.keys():
            subject = Subject(
                language=drama(wildcards).language,
                has_override=bool(script_override(wildcards)),
                background_query=drama(wildcards).background_query,
            )
        facing = orientation or wildcards.get("orientation", "")
        return tracked(rule, config, subject, facing)

    return params


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
    """The drama's planned shorts and their thumbnails (one checkpoint read for both)."""
    shorts = short_videos(wildcards.id)
    thumbs = [f"{OUT}/{wildcards.id}/thumbs/{Path(s).stem}.jpg" for s in shorts]
    return {"shorts": shorts, "short_thumbs": thumbs}


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
        f"{base}/shorts/plan.json",
        f"{base}/shorts/index.json",
        f"{base}/report.html",
    ]


# ----------------------------------------------------------------- stock footage (footage.smk)
PEXELS_LIB = f"{OUT}/_library/pexels"
# From the config alone, never from the environment: every process that parses this file (a
# cluster job on another node too) must see the same jobs. Without PEXELS_API_KEY the searches
# still run, record "no key", and the dramas fall back to the next background step.
PEXELS_ON = "pexels" in config["background"]["order"]


wildcard_constraints:
    query=SLUG_PATTERN,
    clip=CLIP_PATTERN,


def pexels_slug(drama_id):
    return slugify(
        DRAMAS[drama_id].background_query or config["pexels"]["default_query"]
    )


def pexels_target(orientation):
    size = config["render"]["long" if orientation == "landscape" else "short"]
    return [size["width"], size["height"]]


_LINKS = {"stamp": None, "links": {}}


def pexels_link(wildcards):
    """The file link of one library clip, from the cached searches that chose it."""
    files = sorted(glob.glob(f"{PEXELS_LIB}/search/*.json"))
    stamp = [(f, os.path.getmtime(f)) for f in files]
    if stamp != _LINKS["stamp"]:
        _LINKS.update(stamp=stamp, links=clip_links(files))
    try:
        return _LINKS["links"][wildcards.clip]
    except KeyError:
        raise WorkflowError(
            f"dramabatch: Pexels clip {wildcards.clip} is in no cached search"
        ) from None


def pexels_search_file(wildcards):
    """The batch-wide search a drama's footage is picked from (query slug, orientation)."""
    return (
        f"{PEXELS_LIB}/search/{pexels_slug(wildcards.id)}_{wildcards.orientation}.json"
    )


def picked_clips(drama_id, orientation):
    """The library clips a drama's footage uses (its pexels_pick checkpoint decided)."""
    if not PEXELS_ON:
        return []
    picks = checkpoints.pexels_pick.get(id=drama_id, orientation=orientation).output[0]
    with open(picks, encoding="utf-8") as fh:
        picked = json.load(fh)["videos"]
    return [f"{PEXELS_LIB}/clips/{v['clip']}.mp4" for v in picked]


def footage_inputs(drama_id, orientation):
    """What one footage plan reads: the source and, with Pexels, the picks and their clips."""
    inputs = {"source": f"{OUT}/{drama_id}/source.media"}
    if PEXELS_ON:
        inputs["clips"] = picked_clips(drama_id, orientation)
        inputs["search"] = checkpoints.pexels_pick.get(
            id=drama_id, orientation=orientation
        ).output[0]
    return inputs


# finish's extra input with Pexels on (report.smk says why); nothing otherwise
SHORTS_PICKS = (
    {"shorts_picks": f"{OUT}/{{id}}/background/pexels_portrait.json"}
    if PEXELS_ON
    else {}
)


def portrait_footage(wildcards):
    """The background job's inputs: the shorts' footage plan."""
    return footage_inputs(wildcards.id, "portrait")


def landscape_footage(wildcards):
    """render_long's footage inputs: the long video's plan is made in its job."""
    return footage_inputs(wildcards.id, "landscape")


# ----------------------------------------------------------------- rendering (render.smk)
def audio_bed(wildcards):
    """The music file and the source (for its original audio) when config audio asks for them.

    Declared as inputs, so replacing the music file reruns the renders that use it.
    """
    files = {}
    if config["audio"]["music"]:
        files["music"] = config["audio"]["music"]
    if config["audio"]["original_audio"]:
        files["original"] = f"{OUT}/{wildcards.id}/source.media"
    return files
