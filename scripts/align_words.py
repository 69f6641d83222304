"""Rule align_words: narration.mp3 + narration.json to words.json (per-word caption times)."""

import json

from dramabatch.align import align_words
from dramabatch.fsutil import write_text_atomic
from dramabatch.smk import load_json, run_step


def main() -> None:
    result = align_words(snakemake.input.mp3, load_json(snakemake.input.timeline),
                         model=snakemake.config["subtitles"]["align_model"],
                         threads=snakemake.threads)
    write_text_atomic(snakemake.output[0], json.dumps(result, ensure_ascii=False, indent=1))


run_step(snakemake, "align_words", main)
