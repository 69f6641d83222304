# Transcribe the source: Whisper over its chosen audio track, checked before it is trusted
# (dramabatch.speech). The audio is extracted inside the job; which track was used is kept.


rule transcribe:
    input:
        source=f"{OUT}/{{id}}/source.media",
    output:
        # the 16 kHz WAV lives only inside the job; which audio track was used is kept
        transcript=f"{OUT}/{{id}}/transcript.json",
        track=f"{OUT}/{{id}}/audio_track.json",
    log:
        f"{OUT}/logs/{{id}}/transcribe.log",
    benchmark:
        f"{OUT}/benchmarks/{{id}}/transcribe.tsv"
    conda:
        "../envs/dramabatch.yaml"
    threads: 2
    resources:
        # from the source's probed length (workflow.smk.sizing)
        mem_mb=lambda wc, input, attempt: sized_mem_mb(
            "transcribe", media_minutes(input.source), attempt
        ),
        runtime=lambda wc, input, attempt: sized_runtime(
            "transcribe", media_minutes(input.source), attempt
        ),
        gpu=1 if config["transcribe"]["device"] == "cuda" else 0,
    params:
        tracked=tracked_params("transcribe"),
        audio_track=lambda wc: drama(wc).audio_track,
        language=drama_language,
    script:
        "../scripts/transcribe.py"
