"""Will the batch fit on the disk? An estimate before the first job, and disk used per drama.

At the scale users run (hundreds of ten-minute episodes) a batch that fills the disk halfway
through fails late and leaves a mess; the estimate runs from ``onstart`` (never in a dry run)
and warns, or refuses to start (``disk.check``), naming the numbers.

The estimate is deliberately simple and documented: for each drama whose archive does not exist
yet, the source's extra bytes (0 for a local file: it is linked, see fetch.fetch_local;
``disk.url_source_mb`` when it is still to be downloaded), plus
``disk.output_ratio`` x source bytes of outputs, counted twice when the videos are kept beside
the archive, and once more for the batch zip when one is written.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MB = 1 << 20


@dataclass(frozen=True)
class DiskEstimate:
    need: int
    free: int
    pending: int
    folder: str

    @property
    def fits(self) -> bool:
        return self.need <= self.free

    def message(self) -> str:
        verdict = "fits" if self.fits else "does NOT fit"
        return (f"disk: {self.pending} unfinished drama(s) need about {_gb(self.need)} in "
                f"{self.folder}, {_gb(self.free)} free: {verdict} (estimate: see disk.* in "
                f"config/schema.yaml)")


def _gb(n: int) -> str:
    return f"{n / (1 << 30):.2f} GB"


def _existing_parent(path: Path) -> Path:
    path = path.resolve()
    while not path.exists():
        path = path.parent
    return path


def source_bytes(drama: Any, url_source_mb: float) -> tuple[int, int]:
    """(bytes the source adds to the results disk, its size as a basis for the outputs)."""
    if drama.is_url:
        size = int(url_source_mb * MB)
        return size, size
    try:
        st = os.stat(drama.source)
    except OSError:
        return 0, 0  # a missing local source fails its drama at fetch_source, with a message
    return 0, st.st_size  # linked, not copied


def estimate_disk(dramas: Iterable[Any], outdir: str, archives: str, cfg: dict,
                  keep_outputs: bool, batch_zip: bool) -> DiskEstimate:
    """The bytes the unfinished dramas will still write, against the free space."""
    folder = _existing_parent(Path(outdir))
    copies = (2 if keep_outputs else 1) + (1 if batch_zip else 0)
    need, pending = 0, 0
    for drama in dramas:
        if (Path(archives) / f"{drama.id}.zip").exists():
            continue
        extra, basis = source_bytes(drama, cfg["url_source_mb"])
        need += extra + int(cfg["output_ratio"] * basis * copies)
        pending += 1
    return DiskEstimate(need=need, free=shutil.disk_usage(folder).free, pending=pending,
                        folder=str(folder))


def disk_used(outdir: Path, archives: Path, drama_id: str) -> int:
    """Bytes one drama takes: its folder (a linked source not counted: it is the user's file)
    and its archive."""
    total = 0
    for path in (outdir / drama_id).rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
    archive = archives / f"{drama_id}.zip"
    return total + (archive.stat().st_size if archive.exists() else 0)
