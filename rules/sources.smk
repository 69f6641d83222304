# Bring each source into the results tree (its audio is extracted inside the transcribe job).


rule fetch_source:
    input:
        local_source,
    output:
        # temp() with archive.keep_sources: false (dropped once every job that reads it is done)
        source_output(f"{OUT}/{{id}}/source.media"),
    log:
        f"{OUT}/logs/{{id}}/fetch_source.log",
    benchmark:
        f"{OUT}/benchmarks/{{id}}/fetch_source.tsv"
    retries: 2
    # Downloads run where the internet is: on a cluster, the submitting node, not compute nodes.
    localrule: True
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=256,
        runtime=60,
    params:
        source=lambda wc: drama(wc).source,
        tracked=tracked_params("fetch_source"),
    script:
        "../scripts/fetch_source.py"
