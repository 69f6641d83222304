# Input functions of the footage and render rules: the Pexels library's paths, the clips a
# drama's picks checkpoint chose, each footage plan's inputs, and the render's audio bed.

import glob
import json
import os

from snakemake.exceptions import WorkflowError

from dramabatch.footage.pexels import CLIP_PATTERN, SLUG_PATTERN, clip_links, slugify
from dramabatch.footage.pexels_api import ENV_KEY
from dramabatch.workflow.summary import report_category

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


# The report's category of a drama (rules render_long, render_short, finish).
def review_category(wildcards):
    """The drama's category in `snakemake --report`: named from its qc.json when the report is
    made, so the report's menu lists the dramas worst first."""
    return report_category(OUT, wildcards.id)
