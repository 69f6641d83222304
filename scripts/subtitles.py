"""Rule subtitles: narration timings to the long video's SRT."""

from dramabatch.smk import load_json, run_step
from dramabatch.subtitles import write_srt

opts = snakemake.config["subtitles"]
run_step(snakemake, "subtitles", lambda: write_srt(
    load_json(snakemake.input[0]), snakemake.output[0],
    opts["max_chars_per_line"], opts["max_lines"], opts["min_cue_s"], opts["max_cps"],
))
