# rewrite.enabled only: the endpoint's rewrite of the transcript, kept as a file so that a new
# voice redoes the narration without asking the endpoint again.


rule rewrite:
    input:
        f"{OUT}/{{id}}/transcript.json",
    output:
        f"{OUT}/{{id}}/rewrite.json",
    log:
        f"{OUT}/logs/{{id}}/rewrite.log",
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=128,
        runtime=5,
    params:
        tracked=tracked_params("rewrite"),
    script:
        "../scripts/rewrite.py"
