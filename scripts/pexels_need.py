"""Checkpoint pexels_need: seconds of stock footage each orientation of one drama must cover."""

import json

from dramabatch.fsutil import write_text_atomic
from dramabatch.smk import load_json, run_step


def need() -> None:
    duration = load_json(snakemake.input[0])["duration"]
    write_text_atomic(snakemake.output[0], json.dumps({
        "landscape": duration,
        # every short starts its footage at the plan's first clip, and none is longer than this
        "portrait": min(duration, snakemake.params.short_max),
    }))


run_step(snakemake, "background (pexels)", need)
