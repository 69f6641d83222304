"""Rule background: stock, local, source or generated footage for one orientation."""

from dramabatch.background import make_background
from dramabatch.smk import run_step

p = snakemake.params
run_step(snakemake, f"background ({snakemake.wildcards.orientation})", lambda: make_background(
    snakemake.wildcards.id, snakemake.wildcards.orientation, snakemake.output[0],
    order=list(p.order), source=snakemake.input[0], options={**p.options, "fps": p.fps},
    long_wh=(p.size_long["width"], p.size_long["height"]),
    short_wh=(p.size_short["width"], p.size_short["height"]),
))
