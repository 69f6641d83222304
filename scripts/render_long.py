"""Rule render_long: the SRT, the landscape footage plan, then the 16:9 master with narration,
audio bed and burned subtitles and its OpenTimelineIO timeline, then its thumbnail strip.

An edited timeline put back (input ``edit``) is the footage plan instead (footage/edited.py).

The SRT, the footage plan and the thumbnail are cheap and change exactly when the master does
(or with it), so they are made in this job rather than in three more jobs per drama.
"""

from pathlib import Path

from dramabatch.base.fsutil import write_text_atomic
from dramabatch.footage.edited import plan_from_timeline
from dramabatch.footage.plan import plan_footage
from dramabatch.render.options import AudioMix, SubtitleStyle, video_options
from dramabatch.render.pieces import FOLDER, long_renderer
from dramabatch.render.subtitles import write_srt
from dramabatch.render.thumbnails import thumbnail_strip
from dramabatch.render.videos import render_long
from dramabatch.workflow.smk.job import load_json, run_steps

r = snakemake.config["render"]
subs = snakemake.config["subtitles"]
inputs = dict(snakemake.input.items())
out = snakemake.output
narration_plan = load_json(inputs["narration_plan"])
footage = {}
video = video_options(r, "long", snakemake.threads)


def landscape_plan():
    """The plan of background.order, or the edited timeline's when one is put back."""
    if "edit" not in inputs:
        return plan_footage(snakemake.wildcards.id, "landscape", snakemake.config, inputs,
                            out=out.footage)
    plan = plan_from_timeline(inputs["edit"], Path(out.otio).parent, narration_plan["duration"],
                              r["fps"], r["fit"])
    write_text_atomic(out.footage, plan.to_json())
    return plan


run_steps(snakemake, [
    ("subtitles", lambda: write_srt(narration_plan, out.srt, subs["max_chars_per_line"],
                                    subs["max_lines"], subs["min_cue_s"], subs["max_cps"])),
    ("background (landscape)", lambda: footage.update(plan=landscape_plan())),
    ("render_long", lambda: render_long(
        background=footage["plan"], narration=inputs["narration"], srt=out.srt,
        out=out.video, duration=narration_plan["duration"],
        video=video, style=SubtitleStyle(**r["style_long"]),
        mix=AudioMix.from_config(snakemake.config["audio"], inputs.get("original", ""),
                                 inputs.get("music", "")),
        engine=r["engine"], timeline=out.otio, xml=r["timeline_xml"],
        timeline_meta={"drama": snakemake.wildcards.id, "video": "long"},
        # an hour-long video: in pieces kept across kills (render.pieces), beside the video
        render_fn=long_renderer(piece_minutes=r.get("piece_minutes", 5),
                                duration=narration_plan["duration"], footage=footage["plan"],
                                video=video, engine=r["engine"],
                                folder=Path(out.video).parent / FOLDER),
    )),
    ("thumbnail", lambda: thumbnail_strip(out.video, out.thumb)),
])
