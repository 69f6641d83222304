"""Rule transcribe: speech to transcript.json."""

import json

from dramabatch.fsutil import write_text_atomic
from dramabatch.smk import load_json, run_step
from dramabatch.transcribe import TranscribeOptions, transcribe


def main() -> None:
    opts = TranscribeOptions(**{**snakemake.config["transcribe"],
                                "language": snakemake.params.language,
                                "threads": snakemake.threads})
    result = transcribe(snakemake.input.audio, opts)
    result["audio_track"] = load_json(snakemake.input.track)
    write_text_atomic(snakemake.output[0], json.dumps(result, ensure_ascii=False, indent=1))


run_step(snakemake, "transcribe", main)
