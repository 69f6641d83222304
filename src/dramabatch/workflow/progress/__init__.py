"""The live display of a running batch (``--logger dramabatch``, profiles/default).

Modules, bottom up: ``state`` (where the batch stands, from Snakemake's log events), ``jobpercent``
(a running job's percentage, read from the end of its log), ``view`` (drawing a snapshot: the
panel or a plain line), ``logger`` (the logger plugin's handler that ties them together).
Imports: nothing outside this subpackage.
"""
