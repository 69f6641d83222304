"""Rule narrate: script.json to narration.mp3 + narration.json (segment timings)."""

from dramabatch.narrate import narrate
from dramabatch.smk import load_json, run_step

run_step(snakemake, "narrate", lambda: narrate(
    load_json(snakemake.input[0]), snakemake.output.mp3, snakemake.output.timeline,
    dict(snakemake.config["tts"]),
))
