"""Checkpoint plan_shorts: which sentences go into which short."""

import json

from dramabatch.base.fsutil import write_text_atomic
from dramabatch.shorts.plan import plan_shorts
from dramabatch.workflow.smk.job import load_json, run_step


def main() -> None:
    o = snakemake.config["shorts"]
    plans = plan_shorts(load_json(snakemake.input[0]), o["max_count"], o["min_seconds"],
                        o["max_seconds"], o["whole_if_short"])
    write_text_atomic(snakemake.output[0], json.dumps(
        {"shorts": [p.to_dict() for p in plans]}, ensure_ascii=False, indent=1))


run_step(snakemake, "plan_shorts", main)
