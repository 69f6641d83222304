"""Rule extract_audio: 16 kHz mono WAV for transcription."""

from dramabatch.audio import extract_audio
from dramabatch.smk import run_step

run_step(snakemake, "extract_audio",
         lambda: extract_audio(snakemake.input[0], snakemake.output[0]))
