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
    pick_clips,
    slugify,
)
from dramabatch.summary import format_summary, summarise
from dramabatch.tts import voices_for

validate(config, "../config/schema.yaml")

OUT = config["outdir"].rstrip("/")
ARCHIVE = f"{OUT}/{config['archive_name']}"

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


def report_run():
    """Print the one-line-per-drama summary and write run_summary.json (onsuccess/onerror)."""
    print(format_summary(summarise(OUT, list(DRAMAS), ARCHIVE)), file=sys.stderr)


def drama(wildcards):
    return DRAMAS[wildcards.id]


def local_source(wildcards):
    """A local source is a declared input, so replacing the file reruns its drama.

    A missing one is not declared: fetch_source then fails for that drama alone, with a message,
    instead of a MissingInputException that would stop the whole batch from starting.
    """
    d = drama(wildcards)
    return [d.source] if not d.is_url and Path(d.source).exists() else []


def script_override(wildcards):
    """config/scripts/{id}.txt, when present, replaces the generated script (and is tracked)."""
    path = Path(config["scripts_dir"]) / f"{wildcards.id}.txt"
    return [str(path)] if path.exists() else []


def drama_language(wildcards):
    return drama(wildcards).language or config["transcribe"]["language"]


def short_videos(drama_id):
    """The shorts the plan_shorts checkpoint decided on for one drama."""
    plan = checkpoints.plan_shorts.get(id=drama_id).output[0]
    with open(plan, encoding="utf-8") as fh:
        count = len(json.load(fh)["shorts"])
    return [f"{OUT}/{drama_id}/shorts/short_{n:02d}.mp4" for n in range(1, count + 1)]


def all_planned_shorts(wildcards):
    return [f for drama_id in DRAMAS for f in short_videos(drama_id)]


def drama_outputs(drama_id):
    """Every file of one drama that goes into the archive, except the shorts."""
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


def archive_inputs(wildcards):
    files = []
    for drama_id in DRAMAS:
        files += drama_outputs(drama_id)
        files += short_videos(drama_id)
    return files


# ----------------------------------------------------------------- stock footage (footage.smk)
PEXELS_LIB = f"{OUT}/_library/pexels"
PEXELS_ON = "pexels" in config["background"]["order"] and bool(os.environ.get(ENV_KEY))
PEXELS_SKIP_REASON = (
    "" if PEXELS_ON else f"{ENV_KEY} is not set (or pexels is not in background.order)"
)


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


def background_inputs(wildcards):
    inputs = {"source": f"{OUT}/{wildcards.id}/source.media"}
    slug = pexels_slug(wildcards.id) if PEXELS_ON else ""
    if slug:
        # the search first: it needs nothing, so it runs while the drama is still being narrated
        search = checkpoints.pexels_search.get(
            query=slug, orientation=wildcards.orientation
        ).output[0]
        need = checkpoints.pexels_need.get(id=wildcards.id).output[0]
        with open(search, encoding="utf-8") as fh:
            record = json.load(fh)
        with open(need, encoding="utf-8") as fh:
            seconds = json.load(fh)[wildcards.orientation]
        picked = pick_clips(
            record, seconds, config["pexels"]["seconds_per_clip"], wildcards.id
        )
        inputs["search"] = search
        inputs["clips"] = [f"{PEXELS_LIB}/clips/{v['clip']}.mp4" for v in picked]
    return inputs


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


# ----------------------------------------------------------------- report (report.smk)
def video_for_thumb(wildcards):
    if wildcards.video == "long":
        return f"{OUT}/{wildcards.id}/long.mp4"
    return f"{OUT}/{wildcards.id}/shorts/{wildcards.video}.mp4"


def short_thumbs(wildcards):
    return [
        f"{OUT}/{wildcards.id}/thumbs/{Path(v).stem}.jpg"
        for v in short_videos(wildcards.id)
    ]
