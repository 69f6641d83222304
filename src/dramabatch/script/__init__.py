"""Stage 3, the narration script (guion): from the transcript, or rewritten by an endpoint.

Reads: ``transcript.json``, a hand-written ``config/scripts/<id>.txt``. Writes: the script's
segments (inside the narrate job) and ``rewrite.json`` (the endpoint's answer: a rewritten
text, or a recap's checked beats, recap.py).
Imports: base, and speech for its transcript checks (trust: what counts as a Whisper loop).
"""
