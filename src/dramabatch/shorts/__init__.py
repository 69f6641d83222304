"""Stage 7, plan_shorts: which whole-sentence runs of the narration become 9:16 shorts.

Reads: ``narration.json``. Writes: ``shorts/plan.json`` (the checkpoint the short renders follow).
Imports: base only (it reads the narration's segments from the file).
"""
