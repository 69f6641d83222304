# Background footage per drama and orientation (landscape for the long video, portrait for shorts).
#
# With "pexels" in background.order, stock footage comes from a batch-wide library:
#   _library/pexels/search/{query}_{orientation}.json  one API request per distinct query slug and
#                                                      orientation (the cache artifact)
#   {id}/background/pexels_{orientation}.json          the drama's picks from its search, enough
#                                                      distinct clips to cover its narration
#                                                      (checkpoint: the clips become inputs)
#   _library/pexels/clips/{clip}.mp4                   each picked file downloaded once, shared
# Plain paths up to the picks: a new query reruns the picks through their input (a checkpoint
# .get() on an existing output would hide that the query changed).
# Without PEXELS_API_KEY a search records "no key" without a request and the drama falls back;
# setting the key later reruns the searches (key_set below), nothing else. The key itself is
# never a param (params are stored in Snakemake's metadata): scripts read os.environ.


rule pexels_search:
    output:
        f"{PEXELS_LIB}/search/{{query}}_{{orientation}}.json",
    log:
        f"{OUT}/logs/_library/pexels_search_{{query}}_{{orientation}}.log",
    retries: 1
    localrule: True
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=128,
        runtime=10,
    params:
        # what shapes the answer; timeouts and retries come from config inside the script. A
        # localrule: only the submitting process evaluates key_set, so every job sees one DAG.
        tracked=tracked_params("pexels_search"),
        key_set=bool(os.environ.get(ENV_KEY)),
        target=lambda wc: pexels_target(wc.orientation),
        logdir=f"{OUT}/logs",
        state=f"{PEXELS_LIB}/ratelimit.json",
    script:
        "../scripts/pexels_search.py"


rule pexels_clip:
    output:
        f"{PEXELS_LIB}/clips/{{clip}}.mp4",
    log:
        f"{OUT}/logs/_library/pexels_clip_{{clip}}.log",
    retries: 2
    localrule: True
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=128,
        runtime=30,
    params:
        link=pexels_link,
        tracked=tracked_params("pexels_clip"),
    script:
        "../scripts/pexels_clip.py"


checkpoint pexels_pick:
    input:
        search=pexels_search_file,
        timeline=f"{OUT}/{{id}}/narration.json",
    output:
        f"{OUT}/{{id}}/background/pexels_{{orientation}}.json",
    log:
        f"{OUT}/logs/{{id}}/pexels_pick_{{orientation}}.log",
    localrule: True
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=64,
        runtime=5,
    params:
        tracked=tracked_params("pexels_pick"),
    script:
        "../scripts/pexels_pick.py"


rule background:
    input:
        unpack(background_inputs),
    output:
        f"{OUT}/{{id}}/background/{{orientation}}.json",
    log:
        f"{OUT}/logs/{{id}}/background_{{orientation}}.log",
    retries: 1
    # a probe and a JSON plan: on a cluster, run by the submitting process, not queued
    localrule: True
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=512,
        runtime=30,
    params:
        tracked=tracked_params("background"),
    script:
        "../scripts/background.py"
