"""Rule thumbnail: a five-frame strip of one video."""

from dramabatch.report import thumbnail_strip
from dramabatch.smk import run_step

run_step(snakemake, "thumbnail",
         lambda: thumbnail_strip(snakemake.input[0], snakemake.output[0]))
