"""Rule render_long: the 16:9 master with narration, audio bed and burned subtitles."""

from dramabatch.render import render_long
from dramabatch.render_options import AudioMix, SubtitleStyle, video_options
from dramabatch.smk import load_json, run_step

r = snakemake.config["render"]
inputs = dict(snakemake.input.items())
run_step(snakemake, "render_long", lambda: render_long(
    background=inputs["background"], narration=inputs["narration"], srt=inputs["srt"],
    out=snakemake.output[0], duration=load_json(inputs["timeline"])["duration"],
    video=video_options(r, "long", snakemake.threads), style=SubtitleStyle(**r["style_long"]),
    mix=AudioMix.from_config(snakemake.config["audio"], inputs.get("original", "")),
    engine=r["engine"],
))
