# Background footage per drama and orientation (landscape for the long video, portrait for shorts).


rule background:
    input:
        f"{OUT}/{{id}}/source.media",
    output:
        f"{OUT}/{{id}}/background/{{orientation}}.json",
    log:
        f"{OUT}/logs/{{id}}/background_{{orientation}}.log",
    retries: 1
    resources:
        mem_mb=512,
        runtime=30,
    params:
        order=config["background"]["order"],
        options=config["background"],
        size_long=config["render"]["long"],
        size_short=config["render"]["short"],
        fps=config["render"]["fps"],
        query=lambda wc: drama(wc).background_query,
    script:
        "../scripts/background.py"
