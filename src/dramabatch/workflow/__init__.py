"""The workflow's own machinery, used only by ``rules/*.smk`` and ``scripts/*.py``.

Snakemake glue (smk: logging, one-line failures), workarounds for Snakemake's costs on big batches
(smkfix, gcpolicy), what each rule's params track (tracking, stagecode), the manifest, the disk
estimate (diskplan) and the run summary (summary). Imports: any stage; no stage imports it.
"""
