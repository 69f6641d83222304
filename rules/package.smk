# One zip of every output of every drama, with a manifest of sizes, hashes and durations.


rule package:
    input:
        archive_inputs,
    output:
        ARCHIVE,
    log:
        f"{OUT}/logs/package.log",
    resources:
        mem_mb=256,
        runtime=30,
    params:
        root=OUT,
    script:
        "../scripts/package.py"
