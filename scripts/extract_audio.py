"""Rule extract_audio: choose the audio track, then a 16 kHz mono WAV of it for transcription."""

import json

from dramabatch.audio import extract_audio
from dramabatch.fsutil import write_text_atomic
from dramabatch.smk import run_step
from dramabatch.tracks import audio_tracks, choose, speech_of


def main() -> None:
    source = snakemake.input[0]
    chosen = choose(audio_tracks(source), snakemake.params.audio_track, snakemake.params.language,
                    speech_of(source), snakemake.config["transcribe"]["min_speech_s"])
    extract_audio(source, snakemake.output.wav, track=chosen["number"])
    write_text_atomic(snakemake.output.track, json.dumps(chosen, ensure_ascii=False, indent=1))


run_step(snakemake, "extract_audio", main)
