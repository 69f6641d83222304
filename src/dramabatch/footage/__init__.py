"""Stage 5, background: which pictures go under each sentence, as a footage plan.

Reads: the source, the narration's timeline, Pexels searches and picks, local clips. Writes:
``background/{landscape,portrait}.json`` (the plans) and the Pexels library. Holds the scenes step
(the drama's own shots under each sentence), subtitle-band detection, face reframing, and the
ffmpeg graph pieces that turn a plan into pictures.
Imports: base only (the narration's times are read from narration.json).
"""
