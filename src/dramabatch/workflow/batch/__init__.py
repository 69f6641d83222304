"""The batch as the user gives it and sees it end.

Modules: ``manifest`` (the manifest TSV/CSV/YAML: one drama a row, validated), ``diskplan`` (will
the batch fit on the disk: the estimate run from ``onstart``), ``summary`` (one line per drama at
the end of every run, and ``run_summary.json``), ``doctor`` (``dramabatch doctor``: what yt-dlp
and the language model found). Imports: base, sources.
"""
