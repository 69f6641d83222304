"""Rule shorts_index: list one drama's finished shorts with duration, resolution and size."""

import json
from pathlib import Path

from dramabatch.fsutil import write_text_atomic
from dramabatch.media import probe
from dramabatch.smk import load_json, run_step


def main() -> None:
    plans = load_json(snakemake.input.plan)["shorts"]
    entries = []
    for plan, path in zip(plans, snakemake.input.shorts, strict=True):
        info = probe(path)
        entries.append({**plan, "file": Path(path).name, "size": Path(path).stat().st_size,
                        "rendered_duration": round(info.duration, 3),
                        "resolution": f"{info.width}x{info.height}"})
    write_text_atomic(snakemake.output[0],
                      json.dumps({"shorts": entries}, ensure_ascii=False, indent=1))


run_step(snakemake, "shorts_index", main)
