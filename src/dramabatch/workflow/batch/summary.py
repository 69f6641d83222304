"""End-of-run summary: which dramas finished, which failed, at which stage, and why.

Snakemake's own output for a batch of hundreds of dramas is thousands of lines; the summary is
one line per drama, printed at the end of every run (from ``onsuccess``/``onerror``) and written
to ``<outdir>/run_summary.json`` for scripts and dashboards.

A drama is *finished* when its archive (``_archives/<id>.zip``) exists and no job of it failed
since. Otherwise its cause is the newest ``FAILED`` line in its job logs (written by
``smk.job.run_step``), so a stale failure that was fixed by a later run never shows. Such a drama
may keep an earlier run's archive: the summary names it, when it was written and why it was not
replaced, and a batch zip that does not hold this run's archives of every drama is reported as an
earlier run's, never as the batch (``delivered``). Each drama also
reports the disk it takes (its folder and its archive), and whether its source had to be fetched
again (``archive.keep_sources: false`` dropped it after an earlier finish).

The checks of its finished videos (``qc.json``, rule qc) give each drama a verdict; ``review``
lists the dramas worst first (failed, incomplete, then by their checks' warnings), so a person
reviewing hundreds of dramas starts with the few that need it.

A job of the whole batch (a Pexels search or clip, the batch archive) has no drama: its failure
is listed under ``batch_jobs_failed`` by the job's own name, from its log (rewritten at each run
of that job, so a later success clears it), never as a drama 'None'.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ...base.fsutil import write_text_atomic
from .delivered import batch_archive, delivered_lines, kept_archive
from .diskplan import MB, disk_used

_FAILED_RE = re.compile(r"FAILED drama '[^']*', stage ([^:]+): (.*)$")
_BATCH_FAILED_RE = re.compile(r"FAILED batch-wide job (.+?): (.*)$")


def batch_failures(logs: Path) -> list[dict]:
    """The last failure line of each batch-wide job's log (``logs/*.log``, ``logs/_library``)."""
    found = []
    for log in sorted([*logs.glob("*.log"), *logs.glob("_library/*.log")]):
        last = None
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            m = _BATCH_FAILED_RE.search(line)
            if m:
                last = {"job": m.group(1), "cause": m.group(2), "log": str(log)}
        if last:
            found.append(last)
    return found


def drama_status(outdir: Path, drama_id: str, archives: Path) -> dict:
    archive = archives / f"{drama_id}.zip"
    failure = _latest_failure(outdir / "logs" / drama_id)
    extra = {"disk_mb": round(disk_used(outdir, archives, drama_id) / MB, 1),
             **_checks(outdir / drama_id / "qc.json")}
    if _refetched(outdir, drama_id):
        extra["refetched"] = True
    if archive.exists() and (failure is None
                             or Path(failure["log"]).stat().st_mtime < archive.stat().st_mtime):
        return {"id": drama_id, "status": "finished", **_speech(outdir / drama_id),
                **_recap(outdir / drama_id), **extra}
    if failure:
        status = {"id": drama_id, "status": "failed", **failure, **extra}
    else:
        status = {"id": drama_id, "status": "incomplete", "stage": "",
                  "cause": "not finished: an upstream job failed, or the run was interrupted",
                  **extra}
    return {**status, **kept_archive(archive, status)}


def _checks(path: Path) -> dict:
    """The verdict of the drama's finished-video checks, with every warning and failure line."""
    try:
        qc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {"qc": {"verdict": qc.get("verdict"), "failed": qc.get("failed", []),
                   "warnings": qc.get("warnings", []), "seconds": qc.get("seconds")}}


def review_order(dramas: list[dict]) -> list[str]:
    """Drama ids worst first: failed, incomplete, then finished with the most check failures
    and warnings; ties keep the manifest's order."""
    rank = {"failed": 0, "incomplete": 1, "finished": 2}

    def key(d: dict) -> tuple:
        qc = d.get("qc") or {}
        return (rank.get(d["status"], 1), -len(qc.get("failed", [])),
                -len(qc.get("warnings", [])))

    return [d["id"] for d in sorted(dramas, key=key)]


def report_category(outdir: str | Path, drama_id: str) -> str:
    """The drama's category in ``snakemake --report``, named so that the report's menu (sorted
    by name) lists the dramas worst first: a two-digit review rank (failed checks, then
    warnings, most first, then passed, then not checked), the verdict and the id."""
    qc = _checks(Path(outdir) / drama_id / "qc.json").get("qc") or {}
    verdict = qc.get("verdict")
    issues = len(qc.get("failed", [])) + len(qc.get("warnings", []))
    rank = {"fail": 0, "warn": 1, "ok": 2}.get(verdict, 3)
    label = f"{verdict}, {issues} check(s)" if issues else (verdict or "not checked")
    return f"{rank}{9 - min(issues, 9)} {drama_id} ({label})"


def _refetched(outdir: Path, drama_id: str) -> bool:
    """The source was fetched again during this run after being dropped (fetch_source's log says
    so; "this run": the log is newer than the previous run's summary)."""
    log = outdir / "logs" / drama_id / "fetch_source.log"
    previous = outdir / "run_summary.json"
    if not log.exists() or (previous.exists() and log.stat().st_mtime < previous.stat().st_mtime):
        return False
    return REFETCH_NOTE in log.read_text(encoding="utf-8", errors="replace")


#: What fetch_source logs when a finished drama's dropped source is fetched again.
REFETCH_NOTE = "fetching again: the source was dropped after the drama finished"


def _speech(base: Path) -> dict:
    """The drama's language and who voiced it (with the engines skipped on the way)."""
    try:
        transcript = json.loads((base / "transcript.json").read_text(encoding="utf-8"))
        timeline = json.loads((base / "narration.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    voice = {"engine": timeline.get("engine"), "voice": timeline.get("voice", ""),
             "skipped": timeline.get("skipped_engines", [])}
    check = timeline.get("check")
    if check:  # the narration as heard: its worst segment, and who re-voiced what
        voice["worst"] = check["worst"]
        voice["revoiced"] = {str(s["index"]): s["engine"] for s in timeline["segments"]
                             if "revoiced_from" in s}
    return {"language": transcript.get("language", ""), "voice": voice}


def _recap(base: Path) -> dict:
    """A recap's outcome (rewrite.mode: recap): its beats, whether the repair round was needed,
    or why the drama fell back to the transcript."""
    try:
        record = json.loads((base / "rewrite.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if record.get("mode") != "recap":
        return {}
    if "fallback" in record:
        return {"recap": {"fallback": record["fallback"]}}
    return {"recap": {"beats": len(record.get("beats", [])),
                      "repaired": bool(record.get("repaired"))}}


def _recap_lines(dramas: list[dict]) -> list[str]:
    """One line per drama whose recap fell back to the transcript, one for those repaired."""
    lines = [f"  RECAP FELL BACK  {d['id']}: narrated from the transcript; the recap answer "
             f"stayed invalid after one repair round: {d['recap']['fallback']}"
             for d in dramas if "fallback" in (d.get("recap") or {})]
    repaired = [d["id"] for d in dramas if (d.get("recap") or {}).get("repaired")]
    if repaired:
        lines.append(f"  RECAP REPAIRED  {', '.join(repaired[:10])}"
                     + (" ..." if len(repaired) > 10 else "")
                     + ": the first answer was invalid; the repair round fixed it")
    return lines


def _voice_lines(dramas: list[dict]) -> list[str]:
    """One line per distinct (engine, skipped engines) among finished dramas that skipped one."""
    groups: dict[tuple, list[str]] = {}
    for d in dramas:
        voice = d.get("voice") or {}
        if voice.get("skipped"):
            why = tuple(f"{s['engine']} ({s['reason']})" for s in voice["skipped"])
            groups.setdefault((voice["engine"], voice.get("voice", ""), why), []).append(d["id"])
    lines = []
    for (engine, voice, why), ids in groups.items():
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        lines.append(f"  VOICE  {shown}: spoken by {engine} {voice}; skipped " + "; ".join(why))
    for d in dramas:
        voice = d.get("voice") or {}
        worst = voice.get("worst")
        if worst:
            again = voice.get("revoiced") or {}
            lines.append(f"  HEARD  {d['id']}: worst segment {worst['index']} at "
                         f"{100 * worst['wer']:.0f} % word errors ({worst['engine']})"
                         + (f"; re-voiced: {', '.join(f'{k} by {v}' for k, v in again.items())}"
                            if again else ""))
    return lines


def _check_lines(summary: dict, shown: int = 10) -> list[str]:
    """Finished dramas whose videos passed with warnings, worst first (failures have their own
    FAILED line, which names the check)."""
    by_id = {d["id"]: d for d in summary["dramas"]}
    warned = [by_id[i] for i in summary.get("review", by_id)
              if by_id[i]["status"] == "finished" and (by_id[i].get("qc") or {}).get("warnings")]
    lines = []
    for d in warned[:shown]:
        warnings = d["qc"]["warnings"]
        more = f" (+{len(warnings) - 1} more in qc.json)" if len(warnings) > 1 else ""
        lines.append(f"  QC WARN  {d['id']}: {warnings[0]}{more}")
    if len(warned) > shown:
        lines.append(f"  QC WARN  ... and {len(warned) - shown} more dramas (review order in "
                     f"run_summary.json)")
    return lines


def _latest_failure(logdir: Path) -> dict | None:
    if not logdir.is_dir():
        return None
    found = None
    for log in sorted(logdir.glob("*.log"), key=lambda p: p.stat().st_mtime):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            m = _FAILED_RE.search(line)
            if m:
                found = {"stage": m.group(1), "cause": m.group(2), "log": str(log)}
    return found


def summarise(outdir: str | Path, drama_ids: list[str], archive: str | Path,
              archives: str | Path) -> dict:
    """Collect every drama's status; write run_summary.json; return it."""
    outdir = Path(outdir)
    dramas = [drama_status(outdir, d, Path(archives)) for d in drama_ids]
    summary = {
        "finished": sum(d["status"] == "finished" for d in dramas),
        "failed": sum(d["status"] == "failed" for d in dramas),
        "incomplete": sum(d["status"] == "incomplete" for d in dramas),
        **batch_archive(Path(archive), Path(archives), dramas),
        "archives": str(archives),
        "disk_mb": round(sum(d["disk_mb"] for d in dramas), 1),
        "review": review_order(dramas),
        "batch_jobs_failed": batch_failures(outdir / "logs"),
        "dramas": dramas,
    }
    outdir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(outdir / "run_summary.json",
                      json.dumps(summary, ensure_ascii=False, indent=1))
    return summary


def format_summary(summary: dict) -> str:
    """Human-readable summary: a headline, then one line per drama that did not finish."""
    lines = [f"dramabatch: {summary['finished']} finished, {summary['failed']} failed, "
             f"{summary['incomplete']} incomplete"]
    for d in summary["dramas"]:
        if d["status"] == "failed":
            lines.append(f"  FAILED  {d['id']}  at {d['stage']}: {d['cause']}")
        elif d["status"] == "incomplete":
            lines.append(f"  INCOMPLETE  {d['id']}: {d['cause']}")
    for job in summary.get("batch_jobs_failed", []):
        lines.append(f"  FAILED  batch-wide job {job['job']}: {job['cause']}")
    lines += delivered_lines(summary)
    lines += _check_lines(summary)
    lines += _voice_lines(summary["dramas"])
    lines += _recap_lines(summary["dramas"])
    refetched = [d["id"] for d in summary["dramas"] if d.get("refetched")]
    if refetched:
        lines.append(f"  SOURCE FETCHED AGAIN (dropped after an earlier finish): "
                     f"{', '.join(refetched[:10])}" + (" ..." if len(refetched) > 10 else ""))
    if summary["dramas"]:
        biggest = max(summary["dramas"], key=lambda d: d["disk_mb"])
        lines.append(f"  disk: {summary['disk_mb']:.1f} MB for {len(summary['dramas'])} "
                     f"drama(s), largest {biggest['id']} {biggest['disk_mb']:.1f} MB "
                     f"(per drama in run_summary.json)")
    lines.append(f"  archives: {summary['archives']}/<id>.zip, one per finished drama")
    if summary["archive"]:
        lines.append(f"  batch archive: {summary['archive']}")
    elif (summary["failed"] or summary["incomplete"]) and not summary.get("stale_archive"):
        lines.append("  batch archive not written: fix the dramas above (or list them in the "
                     "config key 'skip') and rerun; finished work is not redone")
    return "\n".join(lines)
