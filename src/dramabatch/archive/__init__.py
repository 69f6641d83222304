"""Stage 8, finish / package: a drama's report page and archive, and the batch zip.

Reads: a finished drama's outputs. Writes: ``results/<id>/report.html``, the staged
``results/<id>/archive.zip`` that the deliver job links to ``_archives/<id>.zip`` (``deliver``:
a failed rerun never removes a delivered archive), the batch zip. Imports: base only (the
outputs it packs are files, not code of the stages).
"""
