# One zip of every output of every drama, with a manifest of sizes, hashes and durations.


rule package:
    input:
        archive_inputs,
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
