"""End-of-run summary: which dramas finished, which failed, at which stage, and why.

Snakemake's own output for a batch of hundreds of dramas is thousands of lines; the summary is
one line per drama, printed at the end of every run (from ``onsuccess``/``onerror``) and written
to ``<outdir>/run_summary.json`` for scripts and dashboards.

A drama is *finished* when its long video and every planned short exist. Otherwise its cause is
the newest ``FAILED`` line in its job logs (written by ``smk.run_step``), so a stale failure that
was fixed by a later run never shows.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .fsutil import write_text_atomic

_FAILED_RE = re.compile(r"FAILED drama '[^']*', stage ([^:]+): (.*)$")


def drama_status(outdir: Path, drama_id: str) -> dict:
    base = outdir / drama_id
    done = (base / "long.mp4").exists()
    plan = base / "shorts" / "plan.json"
    if done and plan.exists():
        shorts = json.loads(plan.read_text(encoding="utf-8")).get("shorts", [])
        done = all((base / "shorts" / f"short_{s['number']:02d}.mp4").exists() for s in shorts)
    else:
        done = False
    if done:
        return {"id": drama_id, "status": "finished", **_speech(base)}
    failure = _latest_failure(outdir / "logs" / drama_id)
    if failure:
        return {"id": drama_id, "status": "failed", **failure}
    return {"id": drama_id, "status": "incomplete", "stage": "",
            "cause": "not finished: an upstream job failed, or the run was interrupted"}


def _speech(base: Path) -> dict:
    """The drama's language and who voiced it (with the engines skipped on the way)."""
    try:
        transcript = json.loads((base / "transcript.json").read_text(encoding="utf-8"))
        timeline = json.loads((base / "narration.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {"language": transcript.get("language", ""),
            "voice": {"engine": timeline.get("engine"), "voice": timeline.get("voice", ""),
                      "skipped": timeline.get("skipped_engines", [])}}


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


def summarise(outdir: str | Path, drama_ids: list[str], archive: str | Path) -> dict:
    """Collect every drama's status; write run_summary.json; return it."""
    outdir = Path(outdir)
    dramas = [drama_status(outdir, d) for d in drama_ids]
    summary = {
        "finished": sum(d["status"] == "finished" for d in dramas),
        "failed": sum(d["status"] == "failed" for d in dramas),
        "incomplete": sum(d["status"] == "incomplete" for d in dramas),
        "archive": str(archive) if Path(archive).exists() else None,
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
    lines += _voice_lines(summary["dramas"])
    if summary["archive"]:
        lines.append(f"  archive: {summary['archive']}")
    elif summary["failed"] or summary["incomplete"]:
        lines.append("  archive not written: fix the dramas above (or list them in the config "
                     "key 'skip') and rerun; finished work is not redone")
    return "\n".join(lines)
