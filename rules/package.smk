# One zip of every output of every drama, with a manifest of sizes, hashes and durations.


rule package:
    input:
        # fixed names only: each drama's shorts/index.json names its shorts (see common.smk)
        [f for drama_id in DRAMAS for f in drama_outputs(drama_id)],
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
        # the folder the archive's paths are relative to: the archive's own folder
        root=lambda wc, output: os.path.dirname(output[0]),
        tracked=tracked_params("package"),
    script:
        "../scripts/package.py"
