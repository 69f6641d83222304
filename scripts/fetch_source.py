"""Rule fetch_source: copy/link a local file, download a media URL, or yt-dlp a platform page."""

from dramabatch.fetch import fetch_source
from dramabatch.smk import run_step

dl = snakemake.config["download"]  # operational: read here, never tracked
run_step(snakemake, "fetch_source", lambda: fetch_source(
    snakemake.params.source, snakemake.output[0],
    connect_timeout=dl["connect_timeout_s"], read_timeout=dl["read_timeout_s"],
    max_bytes=int(dl["max_gb"] * 1024**3), retries=dl["retries"], backoff=dl["backoff_s"],
    max_backoff=dl["max_backoff_s"],
))
