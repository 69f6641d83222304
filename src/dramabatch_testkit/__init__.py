"""What the tests and the benchmarks share, so each exists once: the workflow runner, tiny real
media, and the loopback servers that stand in for remote APIs.

Not part of the pipeline: nothing under ``src/dramabatch`` imports it. It lives in ``src/`` (and
in the package list) so that the editable install exposes it to ``tests/`` and ``benchmarks/``
alike, instead of benchmarks reaching into ``tests/`` through ``sys.path``.

Modules:

* ``runner``: the real ``snakemake`` CLI on a working directory (``snakemake``, ``snakemake_cmd``,
  ``timed_snakemake``), the tiny batch config (``TINY_CONFIG``: 160x90, tiny.en) and manifests.
* ``media``: real test media made with ffmpeg (``make_video``, ``encode_gray``), the spoken
  sentences, and ``check_video`` (a rendered mp4's size, full decode and stream ends).
* ``loopback``: a plain HTTP server on 127.0.0.1 with per-path routes.
* ``pexels_server`` / ``recap_server``: fake Pexels and OpenAI-compatible chat endpoints.
* ``timecode``: the binary time-coded test video (which source frame a render shows).
* ``textmetrics``: word error rate; ``cuecheck``: subtitle reading rules; ``ptyrun``: a command
  in a pseudo-terminal.
"""
