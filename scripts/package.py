"""Rule package: the batch zip, merged from the dramas' archives (no re-encoding, no re-hashing)."""

from dramabatch.archive.package import merge_archives
from dramabatch.workflow.smk.job import run_step

run_step(snakemake, "package",
         lambda: merge_archives(list(snakemake.input), snakemake.output[0]))
