"""Rule finish: the drama's checks' verdict, its shorts index, its self-contained HTML summary
page, then its archive.

A drama whose finished videos failed their checks (qc.json, rule qc) stops here, at stage qc,
naming each failed check, its number and threshold: it is never archived.

The index lists the shorts the plan asked for, with what was really rendered (duration,
resolution, size); the page shows them; the archive packs every output of the drama with a
manifest. All three are cheap next to the renders and change together, so one job.
"""

import json
from pathlib import Path

from dramabatch.archive.package import make_zip
from dramabatch.archive.report import drama_page
from dramabatch.base.errors import DramaError
from dramabatch.base.fsutil import write_text_atomic
from dramabatch.base.media import probe
from dramabatch.qc.drama import failure
from dramabatch.workflow.smk.job import load_json, run_steps

i = snakemake.input
out = snakemake.output


def verdict() -> None:
    cause = failure(load_json(i.qc))
    if cause:
        raise DramaError(cause)


def shorts_index() -> None:
    plans = load_json(i.plan)["shorts"]
    entries = []
    for plan, path in zip(plans, i.shorts, strict=True):
        info = probe(path)
        entries.append({**plan, "file": Path(path).name, "size": Path(path).stat().st_size,
                        "rendered_duration": round(info.duration, 3),
                        "resolution": f"{info.width}x{info.height}"})
    write_text_atomic(out.index, json.dumps({"shorts": entries}, ensure_ascii=False, indent=1))


def archive() -> None:
    files = [i.transcript, i.script, i.narration, i.narration_plan, i.words, i.srt, i.long, i.plan,
             *i.shorts, *i.long_timelines, *i.short_timelines, i.qc, out.index, out.report]
    # arcnames <id>/...: relative to the results folder, which holds the drama's folder
    make_zip(files, Path(i.long).parent.parent, out.archive)


run_steps(snakemake, [
    ("qc", verdict),
    ("shorts_index", shorts_index),
    ("drama_report", lambda: drama_page(
        drama_id=snakemake.wildcards.id, title=snakemake.params.title, long_thumb=i.long_thumb,
        short_thumbs=list(i.short_thumbs), transcript=i.transcript, timeline=i.narration_plan,
        srt=i.srt, shorts_index=out.index, benchmarks=list(i.benchmarks), out=out.report,
        qc=i.qc,
    )),
    ("archive", archive),
])
