"""Rule narrate: script.json to narration.mp3 + narration.json, then per-word times (words.json).

Alignment is part of narrating: every new narration needs it, and it is never redone alone
except when subtitles.align_model changes. One job instead of two per drama.
"""

import json

from dramabatch.align import align_words
from dramabatch.fsutil import write_text_atomic
from dramabatch.narrate import narrate
from dramabatch.smk import load_json, run_steps

out = snakemake.output


def align() -> None:
    result = align_words(out.mp3, load_json(out.timeline),
                         model=snakemake.config["subtitles"]["align_model"],
                         threads=snakemake.threads)
    write_text_atomic(out.words, json.dumps(result, ensure_ascii=False, indent=1))


run_steps(snakemake, [
    ("narrate", lambda: narrate(load_json(snakemake.input[0]), out.mp3, out.timeline,
                                dict(snakemake.config["tts"]))),
    ("align_words", align),
])
