"""Finished batches recorded before sources stayed relative: their records adopted, not redone.

Manifest sources used to reach fetch_source as absolute paths (its param and its input); they
are now kept relative to the project folder, so a moved project plans nothing (manifest.py).
For a batch finished before that change, Snakemake's record of each ``source.media`` still holds
the absolute spelling, and the new one would rerun every drama from fetch_source although the
file is the same. So, once per project (a mark file under ``.snakemake``), each such record is
rewritten to the relative spelling, and only where the recorded absolute path is exactly the
relative source resolved here: a different file is never adopted, it reruns.

This reads and writes Snakemake's file-based metadata records (``.snakemake/metadata/<urlsafe
base64 of the output path>``, format 6); any other shape is left alone, which costs one rerun.
"""

from __future__ import annotations

import json
import os
from base64 import urlsafe_b64encode
from pathlib import Path

from ...base.fsutil import write_text_atomic

#: Written once the project's records were looked at: later runs skip the pass.
MARK = "dramabatch-relative-sources"


def record_path(metadata: Path, output: str) -> Path:
    """Where Snakemake keeps the record of ``output`` (short paths: one file name)."""
    return metadata / urlsafe_b64encode(output.encode()).decode()


def _adopt(record: dict, old: str, new: str) -> bool:
    params = record.get("params")
    if record.get("rule") != "fetch_source" or not isinstance(params, list):
        return False
    if repr(old) not in params or record.get("record_format_version") != 6:
        return False
    record["params"] = sorted(repr(new) if p == repr(old) else p for p in params)
    record["input"] = [new if p == old else p for p in record.get("input") or []]
    checksums = record.get("input_checksums")
    if isinstance(checksums, dict) and old in checksums:
        checksums[new] = checksums.pop(old)
    return True


def adopt_relative_sources(outdir: str, sources: dict[str, str],
                           snakemake_dir: str | os.PathLike[str] = ".snakemake") -> list[str]:
    """Rewrite the fetch_source records of ``sources`` ({drama id: source as the manifest now
    gives it}) that hold the same file's absolute path; return the ids adopted."""
    folder = Path(snakemake_dir)
    metadata = folder / "metadata"
    if (folder / MARK).exists() or not metadata.is_dir():
        return []
    adopted = []
    for drama_id, source in sources.items():
        if "://" in source or os.path.isabs(source):
            continue
        path = record_path(metadata, f"{outdir}/{drama_id}/source.media")
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and _adopt(record, str(Path(source).resolve()), source):
            write_text_atomic(path, json.dumps(record))
            adopted.append(drama_id)
    write_text_atomic(folder / MARK, f"{len(adopted)} fetch_source records adopted\n")
    return adopted
