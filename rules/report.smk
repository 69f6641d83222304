# What a person looks at: thumbnail strips of every video and one summary page per drama, both
# marked report() so `snakemake --report report.html` gathers them by drama.


rule thumbnail:
    input:
        video_for_thumb,
    output:
        report(
            f"{OUT}/{{id}}/thumbs/{{video}}.jpg",
            caption="../report/thumbnail.rst",
            category="{id}",
            subcategory="Thumbnails",
            labels={"drama": "{id}", "video": "{video}"},
        ),
    log:
        f"{OUT}/logs/{{id}}/thumbnail_{{video}}.log",
    wildcard_constraints:
        video=r"long|short_\d{2}",
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=256,
        runtime=5,
    params:
        tracked=tracked_params("thumbnail"),
    script:
        "../scripts/thumbnail.py"


rule drama_report:
    input:
        long_thumb=f"{OUT}/{{id}}/thumbs/long.jpg",
        short_thumbs=short_thumbs,
        transcript=f"{OUT}/{{id}}/transcript.json",
        timeline=f"{OUT}/{{id}}/narration.json",
        srt=f"{OUT}/{{id}}/{{id}}.srt",
        shorts_index=f"{OUT}/{{id}}/shorts/index.json",
        benchmarks=lambda wc: [
            f"{OUT}/benchmarks/{wc.id}/{name}.tsv"
            for name in ("transcribe", "narrate", "render_long")
        ],
    output:
        report(
            f"{OUT}/{{id}}/report.html",
            caption="../report/summary.rst",
            category="{id}",
            subcategory="Summary",
            labels={"drama": "{id}", "page": "summary"},
        ),
    log:
        f"{OUT}/logs/{{id}}/drama_report.log",
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
