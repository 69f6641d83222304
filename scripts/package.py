"""Rule package: one zip of all outputs (the shorts found through each drama's index) with
manifest.json."""

from dramabatch.package import make_zip, with_listed_shorts
from dramabatch.smk import run_step

run_step(snakemake, "package", lambda: make_zip(
    with_listed_shorts(list(snakemake.input)), snakemake.params.root, snakemake.output[0]))
