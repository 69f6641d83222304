"""Rule write_script: transcript (or a hand-written override) to script.json."""

import json
from pathlib import Path

from dramabatch.fsutil import write_text_atomic
from dramabatch.script import build_script, script_from_transcript
from dramabatch.smk import load_json, run_step


def main() -> None:
    transcript = load_json(snakemake.input.transcript)
    if snakemake.input.override:
        text, origin = Path(snakemake.input.override[0]).read_text(encoding="utf-8"), "override"
    else:
        text, origin = script_from_transcript(transcript), "transcript"
    opts = snakemake.params.options
    segments = build_script(text, opts["sentence_pause_ms"], opts["comma_pause_ms"])
    if not segments:
        from dramabatch.errors import DramaError

        raise DramaError(f"the narration script is empty (from {origin})")
    script = {"language": transcript.get("language", ""), "origin": origin,
              "segments": [s.to_dict() for s in segments]}
    write_text_atomic(snakemake.output[0], json.dumps(script, ensure_ascii=False, indent=1))


run_step(snakemake, "write_script", main)
