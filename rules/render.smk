# The long 16:9 master and the 9:16 shorts, each one ffmpeg filter graph (or, with
# render.engine: moviepy, one moviepy composition).


rule render_long:
    input:
        unpack(audio_bed),
        background=f"{OUT}/{{id}}/background/landscape.json",
        narration=f"{OUT}/{{id}}/narration.mp3",
        timeline=f"{OUT}/{{id}}/narration.json",
        srt=f"{OUT}/{{id}}/{{id}}.srt",
    output:
        f"{OUT}/{{id}}/long.mp4",
    log:
        f"{OUT}/logs/{{id}}/render_long.log",
    benchmark:
        f"{OUT}/benchmarks/{{id}}/render_long.tsv"
    conda:
        "../envs/dramabatch.yaml"
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 1000 * attempt,
        runtime=60,
    params:
        tracked=tracked_params("render_long"),
    script:
        "../scripts/render_long.py"


checkpoint plan_shorts:
    input:
        f"{OUT}/{{id}}/narration.json",
    output:
        f"{OUT}/{{id}}/shorts/plan.json",
    log:
        f"{OUT}/logs/{{id}}/plan_shorts.log",
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=128,
        runtime=5,
    params:
        tracked=tracked_params("plan_shorts"),
    script:
        "../scripts/plan_shorts.py"


rule render_short:
    input:
        unpack(audio_bed),
        plan=f"{OUT}/{{id}}/shorts/plan.json",
        background=f"{OUT}/{{id}}/background/portrait.json",
        narration=f"{OUT}/{{id}}/narration.mp3",
        timeline=f"{OUT}/{{id}}/narration.json",
        words=f"{OUT}/{{id}}/words.json",
    output:
        f"{OUT}/{{id}}/shorts/short_{{n}}.mp4",
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
