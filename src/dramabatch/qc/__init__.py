"""qc: the checks of every finished video before its drama is archived.

A render that comes out black, frozen, silent, shorter than its narration, too loud, or with
captions out of step with the words must never count as finished. One ffmpeg decode per video
measures all of it at once (``measure``: blackdetect and freezedetect on the picture outside the
caption band, the caption band's own frame-to-frame change, ebur128 and silencedetect on the
sound); ``captions`` turns the band's change into on-screen caption times and compares them with
the cues the render used; ``checks`` judges every number against ``qc.*`` thresholds (``warn`` or
``fail``); ``drama`` runs one drama's long video and every short and writes ``qc.json``.

What a viewer calls broken, not what a filter finds: black is judged in seconds and by where it
falls (a fade at either end, a dip through black inside, are not black), and ``source`` excuses
the black and stillness a render shows because the drama's own source shows them there (a
film's opening, a poster under a voice), measured on the source stretches the render's cuts use.
``corpus`` holds the good and broken renders the gate is measured on (benchmarks/qc_corpus.py).

Reads: the finished videos and their timelines (.otio), ``narration.json``, ``words.json``, the
SRT, the shorts' plan, the drama's source (while kept). Writes: ``results/<id>/qc.json``.
Imports: base, footage (cuts), render (cue and style code, so the expected caption times are
the render's own), script and voice (the corpus builder narrates); never archive or workflow.
"""
