"""Snakemake glue and workarounds.

Modules: ``job`` (inside a rule script: logging to the rule's log, one-line failures naming the
drama), ``fixes`` (scheduler timers, script checks and params signatures whose cost grows with
the batch), ``gcpolicy`` (the Snakemake process's garbage-collector policy for a big DAG).
Imports: base.
"""
