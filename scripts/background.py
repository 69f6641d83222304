"""Rule background: the portrait footage plan the shorts are rendered over (stock, local, the
source's scenes, the source, or generated). The landscape plan is made in render_long."""

from dramabatch.footage.plan import plan_footage
from dramabatch.workflow.smk.job import run_step

run_step(snakemake, "background (portrait)", lambda: plan_footage(
    snakemake.wildcards.id, "portrait", snakemake.config, dict(snakemake.input.items()),
    out=snakemake.output[0],
))
