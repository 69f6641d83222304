"""Rule render_short: one native 9:16 short with word-chunked captions."""

from dramabatch.errors import DramaError
from dramabatch.render import SubtitleStyle, VideoOptions, render_short
from dramabatch.smk import load_json, run_step


def main() -> None:
    r = snakemake.params.render
    number = int(snakemake.wildcards.n)
    shorts = load_json(snakemake.input.plan)["shorts"]
    if not 1 <= number <= len(shorts):
        raise DramaError(f"short {number:02d} is not in the plan ({len(shorts)} planned)")
    video = VideoOptions(width=r["short"]["width"], height=r["short"]["height"], fps=r["fps"],
                         crf=r["crf"], preset=r["preset"], encoder=r["encoder"],
                         threads=snakemake.threads)
    render_short(background=snakemake.input.background, narration=snakemake.input.narration,
                 timeline=load_json(snakemake.input.timeline), plan=shorts[number - 1],
                 out=snakemake.output[0], video=video, style=SubtitleStyle(**r["style_short"]),
                 title=snakemake.params.title, title_seconds=snakemake.params.title_seconds,
                 max_words=snakemake.params.subtitles["short_words_per_cue"])


run_step(snakemake, f"render_short {snakemake.wildcards.n}", main)
