"""Rule transcribe: choose the audio track, extract it as 16 kHz mono, transcribe it.

The WAV lives only inside this job (in its tmpdir): it is cheap to make and never wanted alone,
so one job instead of two keeps the batch's job count (and the scheduler's cost) down.
"""

import json
import os
import tempfile

from dramabatch.base.audio import extract_audio
from dramabatch.base.fsutil import write_text_atomic
from dramabatch.speech.tracks import audio_tracks, choose, speech_of
from dramabatch.speech.transcribe import TranscribeOptions, transcribe
from dramabatch.workflow.smk.job import run_steps

source = snakemake.input.source
cfg = snakemake.config["transcribe"]
work = tempfile.TemporaryDirectory(prefix="dramabatch-audio-",
                                   dir=snakemake.resources.get("tmpdir") or None)
wav = os.path.join(work.name, "audio.wav")


def extract() -> dict:
    chosen = choose(audio_tracks(source), snakemake.params.audio_track, snakemake.params.language,
                    speech_of(source), cfg["min_speech_s"])
    extract_audio(source, wav, track=chosen["number"])
    write_text_atomic(snakemake.output.track, json.dumps(chosen, ensure_ascii=False, indent=1))
    return chosen


def speech_to_text() -> None:
    opts = TranscribeOptions(**{**cfg, "language": snakemake.params.language,
                                "threads": snakemake.threads})
    result = transcribe(wav, opts)
    with open(snakemake.output.track, encoding="utf-8") as fh:
        result["audio_track"] = json.load(fh)
    write_text_atomic(snakemake.output.transcript,
                      json.dumps(result, ensure_ascii=False, indent=1))


with work:
    run_steps(snakemake, [("extract_audio", extract), ("transcribe", speech_to_text)])
