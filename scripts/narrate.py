"""Rule narrate: the script (script.json, from the transcript, a hand-written override or the
rewrite), then narration.mp3 + narration.json checked by ear, with per-word times (words.json).

Writing the script is part of narrating: it takes milliseconds, and whenever it changes the
narration changes with it. Alignment is too: the one Whisper pass over the narration scores each
segment (re-voicing the garbled ones) and times the shorts' caption words. One job per drama.
"""

import json
from pathlib import Path

from dramabatch.base.fsutil import write_text_atomic
from dramabatch.script.compose import make_script
from dramabatch.voice.narrate import narrate
from dramabatch.workflow.smk.job import load_json, run_steps

inp = snakemake.input
out = snakemake.output


def write_script() -> None:
    override = Path(inp.override[0]).read_text(encoding="utf-8") if inp.override else None
    rewritten = load_json(inp.rewritten[0]) if inp.rewritten else None
    script = make_script(load_json(inp.transcript), override, dict(snakemake.config["script"]),
                         rewritten=rewritten)
    write_text_atomic(out.script, json.dumps(script, ensure_ascii=False, indent=1))


def voice() -> None:
    config = snakemake.config
    check = {"model": config["subtitles"]["align_model"], "threads": snakemake.threads,
             "max_wer": config["tts"]["revoice_wer"]}
    narrate(load_json(out.script), out.mp3, out.narration_plan,
            {**config["tts"], "threads": snakemake.threads}, check=check, words=out.words,
            source=inp.source[0] if inp.source else None,
            # each voiced segment kept as it finishes, beside (not among) the outputs that
            # Snakemake removes before a rerun: a killed job resumes (voice.pieces)
            pieces=Path(out.mp3).parent / ".narrate-pieces")


run_steps(snakemake, [
    ("write_script", write_script),
    ("narrate", voice),
])
