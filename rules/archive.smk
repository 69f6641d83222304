# The end of one drama: its shorts index, its summary page (marked report(), so
# `snakemake --report report.html` gathers it by drama with the render jobs' thumbnails) and its
# archive (every output + manifest.json), staged: the deliver job below puts it at
# _archives/<id>.zip. One job: all three change together whenever anything of the drama does.
# Its inputs list the shorts the plan_shorts checkpoint decided on, so a changed short is
# repacked through this job.


rule finish:
    input:
        unpack(planned_shorts),
        # With Pexels: not packed, named so that the shorts' picks checkpoint is in the DAG
        # before the plan_shorts checkpoint brings in the shorts. Snakemake completes only the
        # checkpoints it knows by then, so one first reached through a short left the shorts'
        # footage plan incomplete, and a change to it alone (render.fit, scenes.*) reran nothing.
        # (One picks job for both orientations would avoid this, but `-n` would then list the
        # shorts for a change to the long video's searches.)
        **SHORTS_PICKS,
        plan=f"{OUT}/{{id}}/shorts/plan.json",
        long_thumb=f"{OUT}/{{id}}/thumbs/long.jpg",
        transcript=f"{OUT}/{{id}}/transcript.json",
        narration_plan=f"{OUT}/{{id}}/narration.json",
        srt=f"{OUT}/{{id}}/{{id}}.srt",
        script=f"{OUT}/{{id}}/script.json",
        narration=f"{OUT}/{{id}}/narration.mp3",
        words=f"{OUT}/{{id}}/words.json",
        long=f"{OUT}/{{id}}/long.mp4",
        # the long video's timeline(s) for an editor; the shorts' come with planned_shorts
        long_timelines=[f"{OUT}/{{id}}/long.otio"]
        + ([f"{OUT}/{{id}}/long.xml"] if TIMELINE_XML else []),
        qc=f"{OUT}/{{id}}/qc.json",
        benchmarks=lambda wc: [
            f"{OUT}/benchmarks/{wc.id}/{name}.tsv"
            for name in ("transcribe", "narrate", "render_long", "qc")
        ],
    output:
        index=f"{OUT}/{{id}}/shorts/index.json",
        report=report(
            f"{OUT}/{{id}}/report.html",
            caption="../report/summary.rst",
            category=review_category,
            subcategory="Summary",
            labels={"drama": "{id}", "page": "summary"},
        ),
        # staged: Snakemake removes a job's outputs before it runs and when it fails, so the
        # delivered archive is written by its own job (deliver), reached only on success
        archive=temp(f"{OUT}/{{id}}/archive.zip"),
    log:
        f"{OUT}/logs/{{id}}/finish.log",
    # probes, an HTML page and a zip: on a cluster, run by the submitting process
    localrule: True
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=256,
        runtime=30,
    params:
        tracked=tracked_params("finish"),
        title=lambda wc: drama(wc).title,
    script:
        "../scripts/finish.py"


# The delivered archive: the staged one, linked into place once finish succeeded. A failed
# rerun of the drama never reaches this job, so the last delivered archive stays, byte for byte
# (dramabatch.archive.deliver). Its output depends on its input alone: no params.


rule deliver:
    input:
        f"{OUT}/{{id}}/archive.zip",
    output:
        f"{ARCHIVES}/{{id}}.zip",
    log:
        f"{OUT}/logs/{{id}}/deliver.log",
    localrule: True
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=64,
        runtime=5,
    script:
        "../scripts/deliver.py"


# The batch zip: every drama's archive members in one file, with their manifests merged. Only
# for batches of at most archive.batch_max_dramas dramas (see common.smk, BATCH_ZIP); each
# drama's own archive is delivered by its deliver job (above). A drama that fails keeps its last
# delivered archive and this job does not run: the run summary then names the batch zip as one
# of an earlier run (dramabatch.workflow.batch.delivered).


rule package:
    input:
        [f"{ARCHIVES}/{drama_id}.zip" for drama_id in DRAMAS],
    output:
        ARCHIVE,
    log:
        f"{OUT}/logs/package.log",
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=256,
        runtime=30,
    params:
        tracked=tracked_params("package"),
    script:
        "../scripts/package.py"
