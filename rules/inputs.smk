# Input functions of the footage and render rules: the Pexels library's paths, the clips a
# drama's picks checkpoint chose, each footage plan's inputs, and the render's audio bed.

import glob
import json
import os

from snakemake.exceptions import WorkflowError

from dramabatch.footage.pexels import CLIP_PATTERN, SLUG_PATTERN, clip_links, slugify
from dramabatch.footage.pexels_api import ENV_KEY
from dramabatch.workflow.batch.summary import report_category
from dramabatch.base.errors import DramaError
from dramabatch.render.music import resolve_music

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


# finish's extra input with Pexels on (archive.smk says why); nothing otherwise
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
# A mood with no tracks stops the plan here: raised in audio_bed only, Snakemake would take a
# finished drama's render as a plain file and keep it.
if config["audio"]["music"]:
    try:
        resolve_music(config["audio"]["music"], "")
    except DramaError as exc:
        raise WorkflowError(str(exc)) from exc


def audio_bed(wildcards):
    """The music file and the source (for its original audio) when config audio asks for them.

    Declared as inputs, so replacing the music file reruns the renders that use it. A mood
    (``mood:calm``) resolves to the drama's packaged track: another mood is another input.
    """
    files = {}
    if config["audio"]["music"]:
        try:
            files["music"] = resolve_music(config["audio"]["music"], wildcards.id)
        except DramaError as exc:
            raise WorkflowError(str(exc)) from exc
    if config["audio"]["original_audio"]:
        files["original"] = f"{OUT}/{wildcards.id}/source.media"
    return files


# ------------------------------------------------ edited timelines (render.smk, footage/edited.py)
# One directory listing per process, not one stat per job: <timelines_dir>/<id>/<video>.otio.
_TIMELINES = (
    {(p.parent.name, p.stem) for p in Path(config["timelines_dir"]).glob("*/*.otio")}
    if Path(config["timelines_dir"]).is_dir()
    else set()
)
# Final Cut Pro XML beside each .otio (render.timeline_xml): a declared output when asked.
TIMELINE_XML = config["render"]["timeline_xml"]


def edited_timeline(wildcards):
    """<timelines_dir>/<id>/long.otio (short_NN.otio for a short), when present, replaces that
    video's footage plan; declared as an input, so only that video (and its drama's finish)
    reruns when it appears or changes."""
    video = f"short_{wildcards.n}" if "n" in wildcards.keys() else "long"
    if (wildcards.id, video) not in _TIMELINES:
        return {}
    return {"edit": f"{config['timelines_dir']}/{wildcards.id}/{video}.otio"}


def timeline_xml(otio_path):
    """The Final Cut Pro XML output beside an .otio, when render.timeline_xml asks for it."""
    return (
        {"xml": video_output(otio_path[: -len(".otio")] + ".xml")}
        if TIMELINE_XML
        else {}
    )


# The report's category of a drama (rules render_long, render_short, finish).
def review_category(wildcards):
    """The drama's category in `snakemake --report`: named from its qc.json when the report is
    made, so the report's menu lists the dramas worst first."""
    return report_category(OUT, wildcards.id)


# ------------------------------------------------------------------ checks (qc.smk)


def qc_source(wildcards):
    """The drama's source, while sources are kept: a dropped temp() source would be fetched
    again (and everything after it redone) only to re-judge; without it nothing is excused.
    """
    if not config["archive"]["keep_sources"]:
        return []
    return [f"{OUT}/{wildcards.id}/source.media"]


def qc_timelines(wildcards):
    """The .otio written with each video: the cuts it was rendered from."""
    shorts = [p[: -len(".mp4")] + ".otio" for p in short_videos(wildcards.id)]
    return [f"{OUT}/{wildcards.id}/long.otio", *shorts]
