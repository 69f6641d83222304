"""The workflow's own machinery, used only by ``rules/*.smk``, ``scripts/*.py`` and the logger
plugin; no stage imports it. Four concerns, one subpackage each, none importing another:

    batch     the batch as the user gives it and sees it end: the manifest (manifest), the disk
              estimate before the first job (diskplan), the run summary (summary), what the
              install found (doctor)
    rerun     what each rule's params track, so that a rerun redoes exactly what changed: the
              tracked config keys (tracks), per-stage code hashes (stagecode), which dramas are
              recapped (recaps), config/README.md's rerun table (table)
    smk       Snakemake glue: a rule script's logging and one-line failures (job), workarounds for
              Snakemake's costs on big batches (fixes, gcpolicy)
    progress  the live display (``--logger dramabatch``): events to batch state (state), a
              running job's percentage from its log (jobpercent), drawing (view), the plugin's
              handler (logger)

Imports: base, sources (batch.doctor asks yt-dlp what it found) and voice (rerun.tracks reads
the voice plan); any stage may be imported, none imports this.
"""
