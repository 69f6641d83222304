"""Snakemake finds logger plugins by their top-level module's name, ``snakemake_logger_plugin_*``
(``pkgutil.iter_modules``), so ``--logger dramabatch`` needs this name at the top of ``src/``.
The plugin itself is ``dramabatch.workflow.progresslogger``; this module only exposes it.
"""

from dramabatch.workflow.progresslogger import LogHandler

__all__ = ["LogHandler"]
