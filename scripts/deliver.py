"""Rule deliver: the drama's staged archive becomes its delivered one (dramabatch.archive.deliver
says why this is its own job)."""

from dramabatch.archive.deliver import deliver
from dramabatch.workflow.smk.job import run_step

run_step(snakemake, "deliver",
         lambda: deliver(snakemake.input[0], snakemake.output[0]))
