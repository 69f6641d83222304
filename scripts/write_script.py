"""Rule write_script: transcript (or a hand-written override, or a rewrite) to script.json."""

import json
from pathlib import Path

from dramabatch.fsutil import write_text_atomic
from dramabatch.script import make_script
from dramabatch.smk import load_json, run_step


def main() -> None:
    transcript = load_json(snakemake.input.transcript)
    override = (Path(snakemake.input.override[0]).read_text(encoding="utf-8")
                if snakemake.input.override else None)
    script = make_script(transcript, override, dict(snakemake.config["script"]),
                         dict(snakemake.config["rewrite"]))
    write_text_atomic(snakemake.output[0], json.dumps(script, ensure_ascii=False, indent=1))


run_step(snakemake, "write_script", main)
