# The batch zip: every drama's archive members in one file, with their manifests merged. Only
# for batches of at most archive.batch_max_dramas dramas (see common.smk, BATCH_ZIP); each
# drama's own archive is written by its finish job (report.smk).


rule package:
    input:
        [f"{ARCHIVES}/{drama_id}.zip" for drama_id in DRAMAS],
    output:
        ARCHIVE,
    log:
        f"{OUT}/logs/package.log",
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=256,
        runtime=30,
    params:
        tracked=tracked_params("package"),
    script:
        "../scripts/package.py"
