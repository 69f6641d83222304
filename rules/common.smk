# Config validation, the manifest, wildcard constraints and input functions shared by all rules.

import json
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from dramabatch.errors import ConfigError
from dramabatch.manifest import ID_PATTERN, load_manifest
from dramabatch.summary import format_summary, summarise

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
