"""Checkpoint pexels_search: one Pexels API search, cached as a file for the whole batch."""

from pathlib import Path

from dramabatch.footage.pexels import slugify, write_search
from dramabatch.footage.pexels_api import PexelsAuthError, PexelsOptions
from dramabatch.workflow.batch.manifest import load_manifest
from dramabatch.workflow.smk.job import run_step

cfg = snakemake.config
wc = snakemake.wildcards
p = snakemake.params


def affected_dramas() -> list[str]:
    default = cfg["pexels"]["default_query"]
    dramas = load_manifest(cfg["manifest"], tuple(cfg["allowed_schemes"]))
    return [d.id for d in dramas if d.id not in cfg["skip"]
            and slugify(d.background_query or default) == wc.query]


def search() -> None:
    try:
        write_search(snakemake.output[0], wc.query, wc.orientation, *p.target,
                     PexelsOptions.from_config(cfg["pexels"]),
                     state_path=p.state)
    except PexelsAuthError as exc:
        # A rejected key fails every drama that needs this search: say so in each drama's logs
        # (which the run summary reads), not only in the library's log.
        for drama_id in affected_dramas():
            log = Path(p.logdir) / drama_id / f"pexels_search_{wc.orientation}.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(f"FAILED drama '{drama_id}', stage background (pexels): {exc.cause}\n",
                           encoding="utf-8")
        raise


run_step(snakemake, f"pexels_search ('{wc.query}', {wc.orientation})", search)
