# Transcribe the source, then in one job turn the transcript into a narration script, voice it and
# align its words for the shorts' captions. The long video's SRT is written by render_long.


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
        mem_mb=lambda wc, attempt: 1500 * attempt,
        runtime=120,
        gpu=1 if config["transcribe"]["device"] == "cuda" else 0,
    params:
        tracked=tracked_params("transcribe"),
        audio_track=lambda wc: drama(wc).audio_track,
        language=drama_language,
    script:
        "../scripts/transcribe.py"


# rewrite.enabled only: the endpoint's rewrite of the transcript, kept as a file so that a new
# voice redoes the narration without asking the endpoint again.
rule rewrite:
    input:
        f"{OUT}/{{id}}/transcript.json",
    output:
        f"{OUT}/{{id}}/rewrite.json",
    log:
        f"{OUT}/logs/{{id}}/rewrite.log",
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=128,
        runtime=5,
    params:
        tracked=tracked_params("rewrite"),
    script:
        "../scripts/rewrite.py"


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
        timeline=f"{OUT}/{{id}}/narration.json",
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
        mem_mb=lambda wc, attempt: 1500 * attempt,
        runtime=60,
    params:
        # only this drama's language's voice entry: a new French voice redoes no Spanish drama
        tracked=tracked_params("narrate"),
    script:
        "../scripts/narrate.py"
