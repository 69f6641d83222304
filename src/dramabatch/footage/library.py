"""A size bound for the shared stock-footage library: least recently used clips go first.

Clips live in ``_library/pexels/clips/<clip>.mp4``, shared by every drama of the batch, and
without a bound they only grow. ``pexels.library_max_gb`` (0: no bound) is enforced at the end
of every run, by the Snakemake process itself (``onsuccess``/``onerror``): then no job is
running or waiting, so no clip can vanish under one. (Evicting from a download job raced: a
concurrent download, or a finished drama whose render was about to rerun, lost its clip.)
During a run the library grows by what the run downloads.

*Recently used* is read from the dramas' own pick files (``<id>/background/pexels_*.json``): a
clip's last use is the newest pick file that lists it. A clip listed by a drama that is not
finished (its archive is missing or older than its picks) is never evicted: a pending job needs
it. With a clip goes the shorts' footage plan (``<id>/background/portrait.json``) that uses it:
an intermediate file Snakemake leaves missing while the videos after it are up to date, and
makes again (the background job, whose inputs are its clips, downloading them first) when a
later change reruns a short that needs it. The long video's plan (``landscape.json``) is
made inside render_long and kept as the record of what it was rendered over; render_long's
inputs are its clips, so they are downloaded again before it reruns. So no job ever meets an
evicted clip.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


def clip_uses(outdir: Path) -> tuple[dict[str, float], set[str], dict[str, list[Path]]]:
    """({clip: time of its latest pick}, {clips an unfinished drama picked},
    {clip: the footage plans that use it})."""
    last_use: dict[str, float] = {}
    pending: set[str] = set()
    plans: dict[str, list[Path]] = {}
    archives = outdir / "_archives"
    for picks in outdir.glob("*/background/pexels_*.json"):
        try:
            clips = [v["clip"] for v in json.loads(picks.read_text(encoding="utf-8"))["videos"]]
            when = picks.stat().st_mtime
        except (OSError, ValueError, KeyError):
            continue  # being rewritten right now: its drama is unfinished, nothing is evicted
        archive = archives / f"{picks.parent.parent.name}.zip"
        if not archive.exists() or archive.stat().st_mtime < when:
            pending.update(clips)
        # only the shorts' plan is an intermediate file (the background job's); the long
        # video's is a record render_long rewrites whenever it renders
        plan = picks.with_name("portrait.json") if "portrait" in picks.name else None
        for clip in clips:
            last_use[clip] = max(last_use.get(clip, 0.0), when)
            if plan is not None:
                plans.setdefault(clip, []).append(plan)
    return last_use, pending, plans


def enforce_bound(outdir: str | os.PathLike[str], max_gb: float) -> list[str]:
    """Delete least recently used, unneeded clips until the library fits ``max_gb``.

    Returns the evicted clip names (logged). Clips still needed are kept even past the bound.
    Called only while no job runs (the end of a run).
    """
    if max_gb <= 0:
        return []
    outdir = Path(outdir)
    folder = outdir / "_library" / "pexels" / "clips"
    if not folder.is_dir():
        return []
    files = {p.stem: p for p in folder.glob("*.mp4")}
    sizes = {name: p.stat().st_size for name, p in files.items()}
    total, limit = sum(sizes.values()), int(max_gb * (1 << 30))
    if total <= limit:
        return []
    last_use, pending, plans = clip_uses(outdir)
    evicted = []
    for name in sorted((n for n in files if n not in pending), key=lambda n: last_use.get(n, 0)):
        if total <= limit:
            break
        try:
            files[name].unlink()
        except FileNotFoundError:
            continue  # another job evicted it first
        total -= sizes[name]
        evicted.append(name)
        for plan in plans.get(name, []):
            plan.unlink(missing_ok=True)
    if evicted:
        log.info("footage library over %.3f GB: evicted %d clip(s), least recently used first: "
                 "%s", max_gb, len(evicted), ", ".join(evicted))
    if total > limit:
        log.warning("footage library at %.3f GB, over its %.3f GB bound: the rest is needed by "
                    "unfinished dramas", total / (1 << 30), max_gb)
    return evicted
