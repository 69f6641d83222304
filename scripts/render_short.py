"""Rule render_short: one native 9:16 short with word-chunked captions and its OpenTimelineIO
timeline, and its thumbnail strip (made here: it changes exactly when the short does). An edited
timeline put back (input ``edit``) replaces the portrait plan for this short alone."""

from pathlib import Path

from dramabatch.base.errors import DramaError
from dramabatch.footage.edited import plan_from_timeline
from dramabatch.render.options import AudioMix, SubtitleStyle, video_options
from dramabatch.render.subtitles import attach_words
from dramabatch.render.thumbnails import thumbnail_strip
from dramabatch.render.videos import render_short
from dramabatch.workflow.smk.job import load_json, run_steps


def main() -> None:
    r = snakemake.config["render"]
    inputs = dict(snakemake.input.items())
    number = int(snakemake.wildcards.n)
    shorts = load_json(inputs["plan"])["shorts"]
    if not 1 <= number <= len(shorts):
        raise DramaError(f"short {number:02d} is not in the plan ({len(shorts)} planned)")
    plan = shorts[number - 1]
    background = inputs["background"]
    if "edit" in inputs:  # its times are the short's own
        background = plan_from_timeline(inputs["edit"], Path(snakemake.output.otio).parent,
                                        plan["end"] - plan["start"], r["fps"], r["fit"])
    render_short(background=background, narration=inputs["narration"],
                 timeline=attach_words(load_json(inputs["narration_plan"]),
                                       load_json(inputs["words"])),
                 plan=plan,
                 out=snakemake.output.video, video=video_options(r, "short", snakemake.threads),
                 style=SubtitleStyle(**r["style_short"]),
                 title=snakemake.params.title,
                 title_seconds=snakemake.config["shorts"]["title_seconds"],
                 max_words=snakemake.config["subtitles"]["short_words_per_cue"],
                 mix=AudioMix.from_config(snakemake.config["audio"], inputs.get("original", ""),
                                          inputs.get("music", "")),
                 engine=r["engine"], otio_out=snakemake.output.otio, xml=r["timeline_xml"],
                 timeline_meta={"drama": snakemake.wildcards.id, "video": f"short_{number:02d}"})


run_steps(snakemake, [
    (f"render_short {snakemake.wildcards.n}", main),
    ("thumbnail", lambda: thumbnail_strip(snakemake.output.video, snakemake.output.thumb)),
])
