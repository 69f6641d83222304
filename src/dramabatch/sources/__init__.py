"""Stage 1, fetch_source: a drama's source video from a file, a URL or a video page.

Reads: the manifest's source column. Writes: ``results/<id>/source.media`` (a link to a local
file, or the download). Imports: base.
"""
