# Config and manifest: the config validated, the manifest read, Snakemake's per-job costs
# bounded, and the per-drama helpers every stage's rules use (its source, its script override,
# the params that decide its reruns). Targets: targets.smk; the start/end hooks: hooks.smk.

from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from dramabatch.base.errors import ConfigError
from dramabatch.base.secrets import check_keys
from dramabatch.footage.pexels_api import ENV_KEY as PEXELS_KEY_ENV
from dramabatch.workflow.batch.manifest import ID_PATTERN, load_manifest
from dramabatch.workflow.smk.gcpolicy import relax_collector
from dramabatch.workflow.smk.fixes import (
    bound_reevaluation_timers,
    check_scripts_once,
    memoize_function_params,
)
from dramabatch.workflow.rerun.adopt import adopt_relative_sources
from dramabatch.workflow.rerun.tracks import Subject, tracked
from dramabatch.workflow.smk.sizing import json_minutes, media_minutes
from dramabatch.workflow.smk.sizing import mem_mb as sized_mem_mb
from dramabatch.workflow.smk.sizing import runtime as sized_runtime

validate(config, "../config/schema.yaml")

# Every API key the run will use, stripped (a Windows .env's "\r") and checked once, before any
# job: a malformed one stops here, naming its variable and never its value (base/secrets.py).
try:
    check_keys(
        ([PEXELS_KEY_ENV] if "pexels" in config["background"]["order"] else [])
        + ([config["rewrite"]["api_key_env"]] if config["rewrite"]["enabled"] else [])
    )
except ConfigError as exc:
    raise WorkflowError(f"dramabatch: {exc}") from None

# Snakemake's scheduler wakes itself once a second per finished job (a timer chain each); on a
# big batch its own CPU per job grew with the batch. One wake-up, only when the rate limiter
# held jobs back (dramabatch/workflow/smk/fixes.py).
bound_reevaluation_timers()
# ... and reads every job's script: file again before the run (the same few files, 20 % of a
# 1,000-drama plan): once per rule.
check_scripts_once()
# ... and inspects the signature of every input, params and resource function per job.
memoize_function_params()
# A big batch is a heap of millions of long-lived objects: CPython's default collector walked it
# in full 11 times while a 1,000-drama plan was built and once more at exit
# (dramabatch/workflow/smk/gcpolicy.py).
relax_collector()

OUT = config["outdir"].rstrip("/")


def source_minutes(wildcards):
    """The drama's fetched source, whose probed length sizes a job whose own input (a
    transcript, a narration) is not written yet when it is sized (workflow.smk.sizing).
    """
    return f"{OUT}/{wildcards.id}/source.media"


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

# A batch finished while sources were recorded as absolute paths keeps its fetch_source records
# (same file, relative spelling) instead of redoing every drama (dramabatch/workflow/rerun/adopt.py).
if workflow.is_main_process:
    adopt_relative_sources(OUT, {d.id: d.source for d in DRAMAS.values()})


wildcard_constraints:
    id=ID_PATTERN,
    n=r"\d{2}",
    orientation="landscape|portrait",


# The batch zip only for batches small enough for one download (archive.batch_max_dramas).
BATCH_ZIP = 0 < len(DRAMAS) <= config["archive"]["batch_max_dramas"]


def source_output(path):
    """source.media: kept, or temp() when archive.keep_sources is false."""
    return path if config["archive"]["keep_sources"] else temp(path)


def video_output(path):
    """A video (or its timeline) output: kept beside the archive, or temp() when only archives
    are kept.

    Kept ones are update(): Snakemake removes a job's outputs before it runs it, so a re-render
    that failed lost the delivered video. Flagged, the video stays in place while its job runs
    (the render replaces it in one rename when done), and Snakemake puts its copy back if the
    job fails; the job stays marked incomplete, so the next run renders it again.
    """
    return update(path) if KEEP_OUTPUTS else temp(path)


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


def recap_source(wildcards):
    """source.media for a recap (rewrite.mode: recap): its original moments' sound is taken from
    it while narrating."""
    if config["rewrite"]["mode"] != "recap" or not rewritten_transcript(wildcards):
        return []
    return [f"{OUT}/{wildcards.id}/source.media"]


def drama_language(wildcards):
    return drama(wildcards).language or config["transcribe"]["language"]


def tracked_params(rule, orientation=None):
    """The params that decide whether ``rule``'s job reruns (dramabatch.workflow.rerun.tracks):
    exactly the config it depends on, resolved for the job's drama and orientation (the wildcard's, unless
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
