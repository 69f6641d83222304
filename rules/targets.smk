# Per-drama targets. Each drama's shorts are requested through its own shorts/index.json, whose
# input function waits only on that drama's shorts checkpoint: a drama that fails before its plan
# exists can never keep another drama's shorts from being rendered.


rule shorts_index:
    input:
        plan=f"{OUT}/{{id}}/shorts/plan.json",
        shorts=lambda wc: short_videos(wc.id),
    output:
        f"{OUT}/{{id}}/shorts/index.json",
    log:
        f"{OUT}/logs/{{id}}/shorts_index.log",
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=128,
        runtime=5,
    params:
        tracked=tracked_params("shorts_index"),
    script:
        "../scripts/shorts_index.py"
