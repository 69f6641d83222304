"""Rule rewrite (rewrite.enabled only): the transcript's text rewritten by the chat endpoint, or
(rewrite.mode: recap) its checked recap beats, or why the recap fell back to the transcript.

Its own job and file, so that the narrate job (which writes the script from it) can be redone for
a new voice without asking the endpoint again.
"""

import json

from dramabatch.base.fsutil import write_text_atomic
from dramabatch.script.compose import rewrite_transcript
from dramabatch.workflow.smk.job import load_json, run_step


def main() -> None:
    record = rewrite_transcript(load_json(snakemake.input[0]), dict(snakemake.config["rewrite"]))
    write_text_atomic(snakemake.output[0], json.dumps(record, ensure_ascii=False, indent=1))


run_step(snakemake, "rewrite", main)
