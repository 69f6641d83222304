"""Rule pexels_clip: download one stock clip into the batch's shared library (once)."""

from dramabatch.sources.http import HttpOptions, download_media
from dramabatch.workflow.smk.job import run_step

cfg = snakemake.config
clip = snakemake.wildcards.clip
# No API key here: file links point at a file host that needs none, and gets none.
opt = HttpOptions.from_config({**cfg["download"], "max_gb": cfg["pexels"]["max_clip_mb"] / 1024})
run_step(snakemake, f"pexels_clip ({clip})", lambda: download_media(
    snakemake.params.link, snakemake.output[0], opt, what=f"Pexels clip {clip}"))
