"""Rule fetch_source: copy/link a local file, download a media URL, or yt-dlp a platform page."""

import logging
from pathlib import Path

from dramabatch.sources.fetch import fetch_source
from dramabatch.workflow.batch.summary import REFETCH_NOTE
from dramabatch.workflow.smk.job import run_step

dl = snakemake.config["download"]  # operational: read here, never tracked


def fetch() -> None:
    out = Path(snakemake.output[0])  # <outdir>/<id>/source.media; archives in <outdir>/_archives
    if (out.parent.parent / "_archives" / f"{snakemake.wildcards.id}.zip").exists():
        # archive.keep_sources: false dropped it; the run summary names the dramas this hits
        logging.getLogger("dramabatch").warning("%s", REFETCH_NOTE)
    fetch_source(
        snakemake.params.source, snakemake.output[0],
        connect_timeout=dl["connect_timeout_s"], read_timeout=dl["read_timeout_s"],
        max_bytes=int(dl["max_gb"] * 1024**3), retries=dl["retries"], backoff=dl["backoff_s"],
        max_backoff=dl["max_backoff_s"], min_rate=dl["min_rate_kb_s"] * 1000,
        rate_window=dl["min_rate_window_s"], deadline=dl["deadline_s"],
    )


run_step(snakemake, "fetch_source", fetch)
