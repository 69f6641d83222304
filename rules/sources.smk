# Bring each source into the results tree and extract its audio for transcription.


rule fetch_source:
    input:
        local_source,
    output:
        f"{OUT}/{{id}}/source.media",
    log:
        f"{OUT}/logs/{{id}}/fetch_source.log",
    retries: 2
    # Downloads run where the internet is: on a cluster, the submitting node, not compute nodes.
    localrule: True
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=256,
        runtime=60,
    params:
        source=lambda wc: drama(wc).source,
        tracked=tracked_params("fetch_source"),
    script:
        "../scripts/fetch_source.py"


rule extract_audio:
    input:
        f"{OUT}/{{id}}/source.media",
    output:
        wav=temp(f"{OUT}/{{id}}/audio.wav"),
        track=f"{OUT}/{{id}}/audio_track.json",
    log:
        f"{OUT}/logs/{{id}}/extract_audio.log",
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=256,
        runtime=30,
    params:
        tracked=tracked_params("extract_audio"),
        audio_track=lambda wc: drama(wc).audio_track,
        language=drama_language,
    script:
        "../scripts/extract_audio.py"
