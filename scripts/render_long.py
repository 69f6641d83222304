"""Rule render_long: the 16:9 master with narration and burned subtitles."""

from dramabatch.render import SubtitleStyle, VideoOptions, render_long
from dramabatch.smk import load_json, run_step

r = snakemake.params.render
video = VideoOptions(width=r["long"]["width"], height=r["long"]["height"], fps=r["fps"],
                     crf=r["crf"], preset=r["preset"], encoder=r["encoder"],
                     threads=snakemake.threads)
run_step(snakemake, "render_long", lambda: render_long(
    background=snakemake.input.background, narration=snakemake.input.narration,
    srt=snakemake.input.srt, out=snakemake.output[0],
    duration=load_json(snakemake.input.timeline)["duration"],
    video=video, style=SubtitleStyle(**r["style_long"]),
))
