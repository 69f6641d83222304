"""Rule package: one zip of all outputs with manifest.json."""

from dramabatch.package import make_zip
from dramabatch.smk import run_step

run_step(snakemake, "package",
         lambda: make_zip(list(snakemake.input), snakemake.params.root, snakemake.output[0]))
