"""Glue between Snakemake rule scripts and the library: logging and one-line failures.

Every rule script calls ``run_step``: it sends logging to the rule's ``log:`` file, and turns any
DramaError into a one-line message naming the drama, the stage and the cause, written both to the
log and to stderr (what the user sees in Snakemake's error report).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from ...base.errors import DramaError
from ...base.fsutil import load_json

__all__ = ["load_json", "run_step", "run_steps", "setup_logging", "unexpected_cause"]

log = logging.getLogger("dramabatch")


def setup_logging(logfile: str | None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if logfile:
        handlers.append(logging.FileHandler(logfile, mode="w", encoding="utf-8"))
    handlers[0].setLevel(logging.WARNING)
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def run_step(snakemake: Any, stage: str, fn: Callable[[], Any]) -> Any:
    """Run ``fn`` for a rule; exit 1 with a one-line cause on DramaError."""
    return run_steps(snakemake, [(stage, fn)])[-1]


def run_steps(snakemake: Any, steps: list[tuple[str, Callable[[], Any]]]) -> list[Any]:
    """Run a job's stages in order, each failure named by its own stage.

    One job may do several cheap stages (extract_audio then transcribe): fewer jobs keep the
    scheduler's cost low on big batches, and the run summary still says which stage failed.
    """
    setup_logging(snakemake.log[0] if len(snakemake.log) else None)
    drama = dict(snakemake.wildcards.items()).get("id")
    results = []
    for stage, fn in steps:
        try:
            results.append(fn())
        except DramaError as exc:
            exc.located(drama=drama, stage=stage)
            logging.getLogger("dramabatch").error("FAILED %s",
                                                  _where(exc.drama, exc.stage or stage, exc.cause))
            sys.exit(1)
        except Exception as exc:
            # Unexpected: keep the traceback in the log, but still say which drama and stage.
            log.exception("FAILED %s", _where(drama, stage, unexpected_cause(exc)))
            raise
    return results


def _where(drama: str | None, stage: str, cause: str) -> str:
    """'drama 'x', stage s: cause', or for a job of the whole batch (a Pexels search, the
    archive: no drama wildcard) 'batch-wide job s: cause', never a drama 'None'."""
    if drama:
        return f"drama '{drama}', stage {stage}: {cause}"
    return f"batch-wide job {stage}: {cause}"


def unexpected_cause(exc: BaseException) -> str:
    """One line for the run summary: the exception's type and its message (first line)."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"unexpected {exc.__class__.__name__}" + (f": {message[:300]}" if message else "")
