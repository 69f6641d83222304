"""Checkpoint pexels_pick: the clips of its search that cover one drama's narration."""

import json

from dramabatch.base.fsutil import write_text_atomic
from dramabatch.footage.pexels import pick_clips
from dramabatch.workflow.smk.job import load_json, run_step

cfg = snakemake.config
wc = snakemake.wildcards


def pick() -> None:
    record = load_json(snakemake.input.search)
    duration = load_json(snakemake.input.narration_plan)["duration"]
    # every short starts its footage at the plan's first clip, and none is longer than this
    seconds = duration if wc.orientation == "landscape" else min(
        duration, cfg["shorts"]["max_seconds"])
    picked = pick_clips(record, seconds, cfg["pexels"]["seconds_per_clip"], wc.id)
    write_text_atomic(snakemake.output[0], json.dumps(
        {**{k: record.get(k) for k in ("query", "slug", "orientation", "error")},
         "seconds": seconds, "videos": picked}, ensure_ascii=False, indent=1))


run_step(snakemake, f"background (pexels, {wc.orientation})", pick)
