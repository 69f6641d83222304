# Transcribe the source, turn the transcript into a narration script, voice it, subtitle it.


rule transcribe:
    input:
        audio=f"{OUT}/{{id}}/audio.wav",
        track=f"{OUT}/{{id}}/audio_track.json",
    output:
        f"{OUT}/{{id}}/transcript.json",
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
        language=drama_language,
    script:
        "../scripts/transcribe.py"


rule write_script:
    input:
        transcript=f"{OUT}/{{id}}/transcript.json",
        override=script_override,
    output:
        f"{OUT}/{{id}}/script.json",
    log:
        f"{OUT}/logs/{{id}}/write_script.log",
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=128,
        runtime=5,
    params:
        tracked=tracked_params("write_script"),
    script:
        "../scripts/write_script.py"


rule narrate:
    input:
        f"{OUT}/{{id}}/script.json",
    output:
        mp3=f"{OUT}/{{id}}/narration.mp3",
        timeline=f"{OUT}/{{id}}/narration.json",
    log:
        f"{OUT}/logs/{{id}}/narrate.log",
    benchmark:
        f"{OUT}/benchmarks/{{id}}/narrate.tsv"
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=lambda wc, attempt: 1000 * attempt,
        runtime=60,
    params:
        # only this drama's language's voice entry: a new French voice redoes no Spanish drama
        tracked=tracked_params("narrate"),
    script:
        "../scripts/narrate.py"


rule subtitles:
    input:
        f"{OUT}/{{id}}/narration.json",
    output:
        f"{OUT}/{{id}}/{{id}}.srt",
    log:
        f"{OUT}/logs/{{id}}/subtitles.log",
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=128,
        runtime=5,
    params:
        tracked=tracked_params("subtitles"),
    script:
        "../scripts/subtitles.py"


rule align_words:
    input:
        mp3=f"{OUT}/{{id}}/narration.mp3",
        timeline=f"{OUT}/{{id}}/narration.json",
    output:
        f"{OUT}/{{id}}/words.json",
    log:
        f"{OUT}/logs/{{id}}/align_words.log",
    benchmark:
        f"{OUT}/benchmarks/{{id}}/align_words.tsv"
    conda:
        "../envs/dramabatch.yaml"
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 1500 * attempt,
        runtime=60,
    params:
        tracked=tracked_params("align_words"),
    script:
        "../scripts/align_words.py"
