# Which sentences become shorts (dramabatch.shorts): a checkpoint, since the number of shorts is
# known only once the narration is. render_short (render.smk) renders each one.


checkpoint plan_shorts:
    input:
        f"{OUT}/{{id}}/narration.json",
    output:
        f"{OUT}/{{id}}/shorts/plan.json",
    log:
        f"{OUT}/logs/{{id}}/plan_shorts.log",
    # a JSON plan from narration.json: on a cluster, no queue wait for it
    localrule: True
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=128,
        runtime=5,
    params:
        tracked=tracked_params("plan_shorts"),
    script:
        "../scripts/plan_shorts.py"
