# Background footage per drama and orientation (landscape for the long video, portrait for shorts).
#
# With PEXELS_API_KEY set (checked when the DAG is built) and "pexels" in background.order, stock
# footage comes from a batch-wide library:
#   _library/pexels/search/{query}_{orientation}.json  one API request per distinct query slug and
#                                                      orientation (checkpoint; the cache artifact)
#   _library/pexels/clips/{clip}.mp4                   each chosen file downloaded once, shared
# and each drama's background picks enough distinct clips from its search to cover its narration.
# Without a key there are no Pexels jobs at all; the background logs why and falls back.
# The key is never a param (params are stored in Snakemake's metadata): scripts read os.environ.


checkpoint pexels_search:
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
        # what shapes the answer; timeouts and retries come from config inside the script
        target=lambda wc: pexels_target(wc.orientation),
        per_page=config["pexels"]["per_page"],
        api_url=config["pexels"]["api_url"],
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
    script:
        "../scripts/pexels_clip.py"


checkpoint pexels_need:
    input:
        f"{OUT}/{{id}}/narration.json",
    output:
        f"{OUT}/{{id}}/background/pexels_need.json",
    log:
        f"{OUT}/logs/{{id}}/pexels_need.log",
    localrule: True
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=64,
        runtime=5,
    params:
        short_max=config["shorts"]["max_seconds"],
    script:
        "../scripts/pexels_need.py"


rule background:
    input:
        unpack(background_inputs),
    output:
        f"{OUT}/{{id}}/background/{{orientation}}.json",
    log:
        f"{OUT}/logs/{{id}}/background_{{orientation}}.log",
    retries: 1
    conda:
        "../envs/dramabatch.yaml"
    resources:
        mem_mb=512,
        runtime=30,
    params:
        order=config["background"]["order"],
        options=config["background"],
        size_long=config["render"]["long"],
        size_short=config["render"]["short"],
        fps=config["render"]["fps"],
        seconds_per_clip=config["pexels"]["seconds_per_clip"],
        pexels_skip=PEXELS_SKIP_REASON,
    script:
        "../scripts/background.py"
