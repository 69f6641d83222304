"""Rule background: stock, local, source or generated footage for one orientation."""

from dramabatch.background import make_background, stock
from dramabatch.smk import run_step

p = snakemake.params
inp = snakemake.input
pexels = None
if "search" in inp.keys():
    def pexels():
        clips = inp.get("clips", [])
        return stock(inp.search, [clips] if isinstance(clips, str) else list(clips),
                     p.seconds_per_clip)

run_step(snakemake, f"background ({snakemake.wildcards.orientation})", lambda: make_background(
    snakemake.wildcards.id, snakemake.wildcards.orientation, snakemake.output[0],
    order=list(p.order), source=inp.source, options={**p.options, "fps": p.fps},
    long_wh=(p.size_long["width"], p.size_long["height"]),
    short_wh=(p.size_short["width"], p.size_short["height"]),
    pexels=pexels, pexels_reason=p.pexels_skip or "no search words for this drama",
))
