"""Stage 4, narrate: the script voiced by a TTS engine, loudness-normalised, word-timed.

Reads: the script's segments (and the source, for a recap's original moments: moments).
Writes: ``narration.mp3``, ``narration.json`` (sample-exact segment times, who spoke),
``words.json`` (caption word times). Engines live in ``voice.tts``; word times
come from a Whisper pass over the narration (align).
Imports: base and speech (the Whisper models and trust checks of the word-time pass, align).
"""
