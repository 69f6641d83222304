"""Deliver a finished archive: put the staged copy under its delivered name in one rename.

Snakemake removes a job's outputs before it runs the job, and again when the job fails. Had the
finish job written ``_archives/<id>.zip`` itself, a rerun that failed (a tightened ``qc``
threshold, a render gone wrong) would delete the last delivered archive, which with
``archive.keep_outputs: false`` is the only copy of the drama's videos. So finish writes a staged
archive (``<outdir>/<id>/archive.zip``, temp()), and the deliver job, which Snakemake starts only
once finish succeeded, links it to the delivered name: a failed rerun never reaches it, and the
delivered archive stays as it was, byte for byte. The link costs no copy and no disk (the staged
name is dropped once delivered); a copy is the fallback where hard links are refused.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from ..base.errors import DramaError
from ..base.fsutil import part_path


def deliver(staged: str | os.PathLike[str], delivered: str | os.PathLike[str]) -> None:
    """Replace ``delivered`` with ``staged`` in one rename (a hard link, else a copy)."""
    staged, delivered = Path(staged), Path(delivered)
    if not staged.is_file():
        raise DramaError(f"nothing to deliver: the staged archive {staged} is missing")
    delivered.parent.mkdir(parents=True, exist_ok=True)
    tmp = part_path(delivered)
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        try:
            os.link(staged, tmp)
        except OSError:  # another filesystem, or links refused: copy (streamed)
            shutil.copyfile(staged, tmp)
        os.replace(tmp, delivered)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
