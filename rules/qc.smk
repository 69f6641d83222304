# The checks of the drama's finished videos (dramabatch.qc): one job per drama decodes the long
# video and every short once each, and writes qc.json with the verdict. finish archives only a
# drama that did not fail it. Its own job, not inside the renders: a changed threshold re-judges
# (one decode per video, no render), and a new check on an old batch decodes instead of
# re-rendering. It also reads the drama's source and each video's timeline (.otio): a black or
# still stretch the render shows because its own source shows it there is not a defect
# (dramabatch.qc.source).


rule qc:
    input:
        shorts=lambda wc: short_videos(wc.id),
        plan=f"{OUT}/{{id}}/shorts/plan.json",
        long=f"{OUT}/{{id}}/long.mp4",
        srt=f"{OUT}/{{id}}/{{id}}.srt",
        narration_plan=f"{OUT}/{{id}}/narration.json",
        # its own pauses are silent by design (qc.measure.narration_pauses)
        narration=f"{OUT}/{{id}}/narration.mp3",
        words=f"{OUT}/{{id}}/words.json",
        source=qc_source,
        timelines=qc_timelines,
        landscape=f"{OUT}/{{id}}/background/landscape.json",
        # the shorts' footage plan exists only for a drama with shorts
        portrait=lambda wc: (
            [f"{OUT}/{wc.id}/background/portrait.json"] if short_videos(wc.id) else []
        ),
    output:
        f"{OUT}/{{id}}/qc.json",
    log:
        f"{OUT}/logs/{{id}}/qc.log",
    benchmark:
        f"{OUT}/benchmarks/{{id}}/qc.tsv"
    conda:
        "../envs/dramabatch.yaml"
    resources:
        # one decode of each video: its time grows with the narration (workflow.smk.sizing)
        mem_mb=lambda wc, attempt: sized_mem_mb("qc", 0, attempt),
        runtime=lambda wc, input, attempt: sized_runtime(
            "qc",
            json_minutes(input.narration_plan, fallback=source_minutes(wc)),
            attempt,
        ),
    params:
        tracked=tracked_params("qc"),
    script:
        "../scripts/qc.py"
