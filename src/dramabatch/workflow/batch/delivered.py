"""Deliverables of an earlier run: which ones a run did not replace, and why.

A drama that fails keeps its last delivered archive (``dramabatch.archive.deliver``), and the
batch zip is rewritten only when every drama's archive is, so after a failed rerun both may be an
earlier run's. The run summary must say so: a user who finds ``_archives/<id>.zip`` or the batch
zip after a run takes it for that run's result unless told otherwise. Judged from the files
alone (their modification times against the drama's newest failure), so the summary needs no
record of earlier runs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path


def _written(path: Path) -> str:
    """When ``path`` was written, in UTC to the minute (what a person compares to a run)."""
    stamp = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    return stamp.strftime("%Y-%m-%d %H:%M UTC")


def kept_archive(archive: Path, status: dict) -> dict:
    """For a drama that did not finish this run: its delivered archive, if an earlier run left
    one, with why this run did not replace it ({} when there is none)."""
    if status["status"] == "finished" or not archive.exists():
        return {}
    stage = f"{status['stage']} failed: " if status.get("stage") else ""
    kept = {"archive": str(archive), "written": _written(archive), "earlier_run": True,
            "why": f"not replaced: {stage}{status['cause']}"}
    missing = _missing_members(archive)
    if missing:
        kept["only_in_archive"] = missing
    return {"delivered": kept}


def _missing_members(archive: Path, shown: int = 20) -> list[str]:
    """Members of the drama's archive (``<id>/...``) missing from the results folder beside
    ``_archives``: what the failed jobs removed (Snakemake deletes a job's outputs before it
    runs), or all of them where only archives are kept. Reads the zip's directory only."""
    import zipfile

    results = archive.parent.parent
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if n != "manifest.json"]
    except (OSError, zipfile.BadZipFile):
        return []
    return [n for n in names if not (results / n).exists()][:shown]


def batch_archive(archive: Path, archives: Path, dramas: list[dict]) -> dict:
    """``{"archive": path}`` when the batch zip holds this run's archives of every drama;
    otherwise ``{"archive": None}``, plus ``stale_archive`` naming an earlier run's batch zip
    and why it is not this run's (the dramas whose current archive it lacks)."""
    if not archive.exists():
        return {"archive": None}
    unfinished = [d["id"] for d in dramas if d["status"] != "finished"]
    batch_time = archive.stat().st_mtime
    newer = [d["id"] for d in dramas
             if (archives / f"{d['id']}.zip").exists()
             and (archives / f"{d['id']}.zip").stat().st_mtime > batch_time]
    if not unfinished and not newer:
        return {"archive": str(archive)}
    why = []
    if unfinished:
        why.append(f"{_ids(unfinished)} did not finish this run (it holds their earlier "
                   f"archives, if any)")
    if newer:
        why.append(f"{_ids(newer)} were delivered again after it was written")
    return {"archive": None, "stale_archive": {"path": str(archive), "written": _written(archive),
                                               "why": "; ".join(why)}}


def _only_there(drama: dict) -> str:
    names = [n.split("/", 1)[-1] for n in drama["delivered"].get("only_in_archive", [])]
    if not names:
        return ""
    more = " ..." if len(names) > 5 else ""
    return f"; only there now: {', '.join(names[:5])}{more}"


def _ids(ids: list[str], shown: int = 10) -> str:
    return ", ".join(ids[:shown]) + (f" and {len(ids) - shown} more" if len(ids) > shown else "")


def delivered_lines(summary: dict, shown: int = 10) -> list[str]:
    """Console lines: each kept archive (first ``shown``), and a stale batch zip."""
    kept = [d for d in summary["dramas"] if "delivered" in d]
    lines = [f"  KEPT  {d['id']}: {d['delivered']['archive']} is from an earlier run (written "
             f"{d['delivered']['written']}); {d['delivered']['why']}" + _only_there(d)
             for d in kept[:shown]]
    if len(kept) > shown:
        lines.append(f"  KEPT  ... and {len(kept) - shown} more dramas' earlier archives "
                     f"(run_summary.json)")
    stale = summary.get("stale_archive")
    if stale:
        lines.append(f"  batch archive {stale['path']} is from an earlier run (written "
                     f"{stale['written']}), not this batch: {stale['why']}")
    return lines
