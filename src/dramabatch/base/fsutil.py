"""Atomic file writes: a finished name only ever holds a finished file.

A kill -9 or a full disk in the middle of a write must never leave a truncated file under the name
Snakemake (or a user) takes as finished. Every writer here produces a hidden sibling first and
renames it into place with ``os.replace`` (atomic on POSIX within one filesystem).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def part_path(final: Path) -> Path:
    """The temporary sibling used while ``final`` is being written (same dir, same suffix)."""
    return final.with_name(f".{final.stem}.part-{os.getpid()}{final.suffix}")


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs. A killed writer whose parent died too stays a zombie until
    init reaps it, which some container inits do late: a zombie writes nothing, so it is dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (or it went away just now): trust the signal check
    return state not in ("Z", "X")


def clear_stale_parts(final: Path) -> list[Path]:
    """Delete part files of ``final`` left by writers that were killed (kill -9 skips cleanup).

    Only those of dead processes: a file shared by several jobs (the Pexels rate-limit state,
    written by concurrent searches) may have a live writer's part file beside it.
    """
    mine = part_path(final)
    stale = []
    for p in final.parent.glob(f".{final.stem}.part-*{final.suffix}"):
        pid = p.name[len(f".{final.stem}.part-"):len(p.name) - len(final.suffix)]
        if p != mine and (not pid.isdigit() or not _alive(int(pid))):
            stale.append(p)
    for p in stale:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
    return stale


@contextlib.contextmanager
def atomic_output(final: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path; on success rename it to ``final``, on any error delete it."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    clear_stale_parts(final)
    tmp = part_path(final)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"writer produced no file for {final}")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_text_atomic(final: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text atomically."""
    with atomic_output(final) as tmp:
        tmp.write_text(text, encoding="utf-8")


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """Streamed sha256 of a file (never loads a whole video into memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def load_json(path: str | os.PathLike[str]) -> Any:
    """A JSON file's content (the jobs' records: timelines, plans, transcripts)."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
