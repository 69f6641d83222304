"""Rule drama_report: the drama's self-contained HTML summary page."""

from dramabatch.report import drama_page
from dramabatch.smk import run_step

i = snakemake.input
run_step(snakemake, "drama_report", lambda: drama_page(
    drama_id=snakemake.wildcards.id, title=snakemake.params.title, long_thumb=i.long_thumb,
    short_thumbs=list(i.short_thumbs), transcript=i.transcript, timeline=i.timeline, srt=i.srt,
    shorts_index=i.shorts_index, benchmarks=list(i.benchmarks), out=snakemake.output[0],
))
