"""Stage 2, transcribe: the source's speech as timed text, and checks that it is trustworthy.

Reads: the source's audio (the chosen track). Writes: ``transcript.json``. Holds the packaged
Whisper models (models), audio track choice (tracks) and the transcript's trust checks (check).
Imports: base only.
"""
