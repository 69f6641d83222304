"""Rule background: stock, local, source or generated footage for one orientation."""

from dramabatch.background import frame_size, make_background, stock
from dramabatch.smk import load_json, run_step

cfg = snakemake.config
inp = snakemake.input
pexels = None
if "search" in inp.keys():
    def pexels():
        clips = inp.get("clips", [])
        return stock(inp.search, [clips] if isinstance(clips, str) else list(clips),
                     cfg["pexels"]["seconds_per_clip"])

long_wh = (cfg["render"]["long"]["width"], cfg["render"]["long"]["height"])
short_wh = (cfg["render"]["short"]["width"], cfg["render"]["short"]["height"])
orientation = snakemake.wildcards.orientation


def scenes():
    from dramabatch.scene_step import scenes_background

    return scenes_background(inp.source, load_json(inp.timeline), orientation,
                             frame_size(orientation, long_wh, short_wh),
                             {**cfg["scenes"], "engine": cfg["render"]["engine"]})


run_step(snakemake, f"background ({snakemake.wildcards.orientation})", lambda: make_background(
    snakemake.wildcards.id, snakemake.wildcards.orientation, snakemake.output[0],
    order=list(cfg["background"]["order"]), source=inp.source,
    options={**cfg["background"], "fps": cfg["render"]["fps"], "fit": cfg["render"]["fit"],
             "max_upscale": cfg["render"]["max_upscale"]},
    long_wh=long_wh, short_wh=short_wh,
    pexels=pexels, pexels_reason="no search words for this drama", scenes=scenes,
))
