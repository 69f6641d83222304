# The long 16:9 master and the 9:16 shorts, each one ffmpeg filter graph (or, with
# render.engine: moviepy, one moviepy composition). Each render job also makes what changes
# exactly with its video: the long video's SRT and footage plan, and every video's thumbnail
# strip (marked report() so `snakemake --report` gathers them by drama).


rule render_long:
    input:
        unpack(audio_bed),
        # the landscape footage plan is made in this job, from these (footage.smk)
        unpack(landscape_footage),
        # an edited timeline of this video, when one is put back (inputs.smk)
        unpack(edited_timeline),
        narration_plan=f"{OUT}/{{id}}/narration.json",
        narration=f"{OUT}/{{id}}/narration.mp3",
    output:
        **timeline_xml(f"{OUT}/{{id}}/long.otio"),
        video=video_output(f"{OUT}/{{id}}/long.mp4"),
        srt=f"{OUT}/{{id}}/{{id}}.srt",
        # the footage plan it was rendered over (a record: which clips, which fallbacks, why)
        footage=f"{OUT}/{{id}}/background/landscape.json",
        # the OpenTimelineIO timeline of what was rendered, for an editor (render/timeline.py)
        otio=video_output(f"{OUT}/{{id}}/long.otio"),
        thumb=report(
            f"{OUT}/{{id}}/thumbs/long.jpg",
            caption="../report/thumbnail.rst",
            category=review_category,
            subcategory="Thumbnails",
            labels={"drama": "{id}", "video": "long"},
        ),
    log:
        f"{OUT}/logs/{{id}}/render_long.log",
    benchmark:
        f"{OUT}/benchmarks/{{id}}/render_long.tsv"
    conda:
        "../envs/dramabatch.yaml"
    threads: 2
    resources:
        # from the narration's length (workflow.smk.sizing)
        mem_mb=lambda wc, input, attempt: sized_mem_mb(
            "render_long",
            json_minutes(input.narration_plan, fallback=source_minutes(wc)),
            attempt,
        ),
        runtime=lambda wc, input, attempt: sized_runtime(
            "render_long",
            json_minutes(input.narration_plan, fallback=source_minutes(wc)),
            attempt,
        ),
    params:
        tracked=tracked_params("render_long"),
    script:
        "../scripts/render_long.py"


rule render_short:
    input:
        unpack(audio_bed),
        # an edited timeline of this short, when one is put back (inputs.smk)
        unpack(edited_timeline),
        plan=f"{OUT}/{{id}}/shorts/plan.json",
        background=f"{OUT}/{{id}}/background/portrait.json",
        narration=f"{OUT}/{{id}}/narration.mp3",
        narration_plan=f"{OUT}/{{id}}/narration.json",
        words=f"{OUT}/{{id}}/words.json",
    output:
        **timeline_xml(f"{OUT}/{{id}}/shorts/short_{{n}}.otio"),
        video=video_output(f"{OUT}/{{id}}/shorts/short_{{n}}.mp4"),
        otio=video_output(f"{OUT}/{{id}}/shorts/short_{{n}}.otio"),
        thumb=report(
            f"{OUT}/{{id}}/thumbs/short_{{n}}.jpg",
            caption="../report/thumbnail.rst",
            category=review_category,
            subcategory="Thumbnails",
            labels={"drama": "{id}", "video": "short {n}"},
        ),
    log:
        f"{OUT}/logs/{{id}}/render_short_{{n}}.log",
    benchmark:
        f"{OUT}/benchmarks/{{id}}/render_short_{{n}}.tsv"
    conda:
        "../envs/dramabatch.yaml"
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 1000 * attempt,
        runtime=30,
    params:
        tracked=tracked_params("render_short"),
        title=lambda wc: drama(wc).title,
    script:
        "../scripts/render_short.py"
