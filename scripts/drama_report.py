"""Rule drama_report: the drama's shorts index, then its self-contained HTML summary page.

The index lists the shorts the plan asked for, with what was really rendered (duration,
resolution, size); the page shows them. Both are cheap and change together, so one job.
"""

import json
from pathlib import Path

from dramabatch.fsutil import write_text_atomic
from dramabatch.media import probe
from dramabatch.report import drama_page
from dramabatch.smk import load_json, run_steps

i = snakemake.input
out = snakemake.output


def shorts_index() -> None:
    plans = load_json(i.plan)["shorts"]
    entries = []
    for plan, path in zip(plans, i.shorts, strict=True):
        info = probe(path)
        entries.append({**plan, "file": Path(path).name, "size": Path(path).stat().st_size,
                        "rendered_duration": round(info.duration, 3),
                        "resolution": f"{info.width}x{info.height}"})
    write_text_atomic(out.index, json.dumps({"shorts": entries}, ensure_ascii=False, indent=1))


run_steps(snakemake, [
    ("shorts_index", shorts_index),
    ("drama_report", lambda: drama_page(
        drama_id=snakemake.wildcards.id, title=snakemake.params.title, long_thumb=i.long_thumb,
        short_thumbs=list(i.short_thumbs), transcript=i.transcript, timeline=i.timeline,
        srt=i.srt, shorts_index=out.index, benchmarks=list(i.benchmarks), out=out.report,
    )),
])
