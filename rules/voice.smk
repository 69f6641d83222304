# In one job, turn the transcript into a narration script (dramabatch.script), voice it, check it by
# ear and align its words for the shorts' captions (dramabatch.voice). The long video's SRT is
# written by render_long.


rule narrate:
    input:
        transcript=f"{OUT}/{{id}}/transcript.json",
        override=script_override,
        rewritten=rewritten_transcript,
        # a recap's original moments play the drama's own sound
        source=recap_source,
    output:
        # the script is written first, in this job: milliseconds, and it changes only together
        # with the narration
        script=f"{OUT}/{{id}}/script.json",
        mp3=f"{OUT}/{{id}}/narration.mp3",
        narration_plan=f"{OUT}/{{id}}/narration.json",
        # per-word times for the shorts' captions, aligned in the same job
        words=f"{OUT}/{{id}}/words.json",
    log:
        f"{OUT}/logs/{{id}}/narrate.log",
    benchmark:
        f"{OUT}/benchmarks/{{id}}/narrate.tsv"
    conda:
        "../envs/dramabatch.yaml"
    threads: 2
    resources:
        # from the drama's length (workflow.smk.sizing says how the figures were measured)
        mem_mb=lambda wc, input, attempt: sized_mem_mb(
            "narrate",
            json_minutes(input.transcript, fallback=source_minutes(wc)),
            attempt,
        ),
        runtime=lambda wc, input, attempt: sized_runtime(
            "narrate",
            json_minutes(input.transcript, fallback=source_minutes(wc)),
            attempt,
        ),
    params:
        # only this drama's language's voice entry: a new French voice redoes no Spanish drama
        tracked=tracked_params("narrate"),
    script:
        "../scripts/narrate.py"
