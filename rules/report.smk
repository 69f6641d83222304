# The end of one drama: its shorts index and its summary page (marked report(), so
# `snakemake --report report.html` gathers it by drama with the render jobs' thumbnails).
# One job: both are cheap and change together. Its inputs list the shorts the plan_shorts
# checkpoint decided on, so a deleted or changed short is rebuilt through this job.


rule drama_report:
    input:
        unpack(planned_shorts),
        plan=f"{OUT}/{{id}}/shorts/plan.json",
        long_thumb=f"{OUT}/{{id}}/thumbs/long.jpg",
        transcript=f"{OUT}/{{id}}/transcript.json",
        timeline=f"{OUT}/{{id}}/narration.json",
        srt=f"{OUT}/{{id}}/{{id}}.srt",
        benchmarks=lambda wc: [
            f"{OUT}/benchmarks/{wc.id}/{name}.tsv"
            for name in ("transcribe", "narrate", "render_long")
        ],
    output:
        index=f"{OUT}/{{id}}/shorts/index.json",
        report=report(
            f"{OUT}/{{id}}/report.html",
            caption="../report/summary.rst",
            category="{id}",
            subcategory="Summary",
            labels={"drama": "{id}", "page": "summary"},
        ),
    log:
        f"{OUT}/logs/{{id}}/drama_report.log",
    # probes and an HTML page: on a cluster, run by the submitting process
    localrule: True
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=256,
        runtime=5,
    params:
        tracked=tracked_params("drama_report"),
        title=lambda wc: drama(wc).title,
    script:
        "../scripts/drama_report.py"
