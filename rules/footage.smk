# Background footage per drama and orientation (landscape for the long video, portrait for shorts).
# The portrait footage plan is the background job's; the landscape one is made in render_long.
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
        narration_plan=f"{OUT}/{{id}}/narration.json",
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


# The shorts' (portrait) footage plan, read by every short of the drama; the long video's is
# made inside render_long (its only reader, well under a second, and it changes only with it).
rule background:
    input:
        unpack(portrait_footage),
        # the scenes step maps each sentence to the source stretch it was said in
        narration_plan=f"{OUT}/{{id}}/narration.json",
    output:
        f"{OUT}/{{id}}/background/portrait.json",
    log:
        f"{OUT}/logs/{{id}}/background_portrait.log",
    benchmark:
        f"{OUT}/benchmarks/{{id}}/background_portrait.tsv"
    retries: 1
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=lambda wc, attempt: sized_mem_mb("background", 0, attempt),
        runtime=lambda wc, input, attempt: sized_runtime(
            "background",
            json_minutes(input.narration_plan, fallback=source_minutes(wc)),
            attempt,
        ),
    params:
        tracked=tracked_params("background", orientation="portrait"),
    script:
        "../scripts/background.py"
