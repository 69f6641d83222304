"""qc: the checks of every finished video before its drama is archived.

A render that comes out black, frozen, silent, shorter than its narration, too loud, or with
captions out of step with the words must never count as finished. One ffmpeg decode per video
measures all of it at once (``measure``: blackdetect and freezedetect on the picture outside the
caption band, the caption band's own frame-to-frame change, ebur128 and silencedetect on the
sound); ``captions`` turns the band's change into on-screen caption times and compares them with
the cues the render used; ``checks`` judges every number against ``qc.*`` thresholds (``warn`` or
``fail``); ``drama`` runs one drama's long video and every short and writes ``qc.json``.

Reads: the finished videos, ``narration.json``, ``words.json``, the SRT, the shorts' plan.
Writes: ``results/<id>/qc.json``. Imports: base and render (cue and style code, so the expected
caption times are the render's own); never archive or workflow.
"""
