"""Snakemake finds logger plugins by their top-level module's name, ``snakemake_logger_plugin_*``
(``pkgutil.iter_modules``), so ``--logger dramabatch`` needs this name at the top of ``src/``.
The plugin itself is ``dramabatch.workflow.progress.logger``; this module only exposes it.

Snakemake imports every installed logger plugin whenever it starts, whatever the command, so an
import error here would stop every ``snakemake`` call. A venv installed before the display's
dependencies (``make install`` reinstalls them) gets a stand-in that leaves Snakemake's own output
as it is and says once how to get the display.
"""

from __future__ import annotations

import sys
from logging import LogRecord

try:
    from dramabatch.workflow.progress.logger import LogHandler
except ImportError as missing:  # snakemake-logger-plugin-rich or rich not installed
    from snakemake_interface_logger_plugins.base import LogHandlerBase

    _REASON = str(missing)

    class LogHandler(LogHandlerBase):  # type: ignore[no-redef]
        """Snakemake's default output, and one line saying why there is no live display."""

        def __post_init__(self) -> None:
            self._told = bool(self.common_settings.dryrun)

        def emit(self, record: LogRecord) -> None:
            if not self._told and getattr(record, "event", None) == "run_info":
                self._told = True
                sys.stderr.write(f"dramabatch: no live progress ({_REASON}); "
                                 "run `make install` (or pip install -e .)\n")

        writes_to_stream = False
        writes_to_file = False
        has_filter = True
        has_formatter = True
        needs_rulegraph = False

__all__ = ["LogHandler"]
