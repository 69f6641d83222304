"""Stage 8, finish / package: a drama's report page and archive, and the batch zip.

Reads: a finished drama's outputs. Writes: ``results/<id>/report.html``, ``_archives/<id>.zip``,
the batch zip. Imports: base only (the outputs it packs are files, not code of the stages).
"""
