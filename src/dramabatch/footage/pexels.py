"""Pexels stock footage: search once per (query, orientation), download each clip once per batch.

The workflow turns this module into three kinds of jobs:

* ``pexels_search``, one per distinct query slug and orientation in the batch, writes the API
  answer, reduced to what the pipeline needs, as a JSON file: the cache artifact. For each video
  it records the one file that suits the output size (mp4, at or just above the target
  resolution). Without a key it makes no request and records why.
* ``pexels_pick`` (a checkpoint), per drama and orientation, picks enough *distinct* clips from
  the cached search to cover the narration (``pexels.seconds_per_clip`` each);
* ``pexels_clip``, one per picked file, downloads it into the shared library that every drama
  reuses.

The API key comes only from the environment variable ``PEXELS_API_KEY``. It is sent in the
``Authorization`` header to the API host only (never to the file host) and never appears in a log
line, an output file or an error message: every message built here is scrubbed of it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path

from ..base.fsutil import write_text_atomic
from ..base.secrets import read_key, scrub
from .pexels_api import ENV_KEY, PexelsOptions, PexelsUnavailable, RateState, search

log = logging.getLogger(__name__)

#: A query slug: lower-case words (any script) joined by '-'; safe as a file name and wildcard.
SLUG_PATTERN = r"[^\W_]+(?:-[^\W_]+)*"
CLIP_PATTERN = r"\d+-\d+"
MAX_SLUG = 60


def slugify(query: str) -> str:
    """'Rainy City, night!' -> 'rainy-city-night' (also the words actually searched for)."""
    words = re.findall(r"[^\W_]+", query.casefold())
    slug = "-".join(words)[:MAX_SLUG].strip("-")
    return slug


def query_of(slug: str) -> str:
    return slug.replace("-", " ")


def choose_file(video_files: Iterable[dict], width: int, height: int) -> dict | None:
    """The file of one Pexels video that best suits a ``width`` x ``height`` output.

    Only mp4 files with known sizes count (``hls`` streams and entries whose width/height are
    null are skipped). The cheapest file that needs no upscaling wins, i.e. the one at or just
    above the target (a 1080p output gets the 1080p file, not the 4K one); when every file is
    smaller than the target, the largest one.
    """
    usable = []
    for f in video_files or []:
        w, h, link = f.get("width"), f.get("height"), f.get("link") or ""
        if not (isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0 and link):
            continue
        ftype = (f.get("file_type") or "").lower()
        if f.get("quality") == "hls" or ".m3u8" in link or (ftype and ftype != "video/mp4"):
            continue
        if not link.startswith(("http://", "https://")):
            continue
        usable.append(f)
    if not usable:
        return None

    def scale(f: dict) -> float:  # factor the renderer scales by to cover the frame
        return max(width / f["width"], height / f["height"])

    covering = [f for f in usable if scale(f) <= 1.0]
    if covering:
        return min(covering, key=lambda f: (f["width"] * f["height"], -(f.get("fps") or 0),
                                            f.get("id") or 0))
    return max(usable, key=lambda f: (f["width"] * f["height"], f.get("id") or 0))


def clip_name(video: dict, file: dict) -> str:
    return f"{int(video['id'])}-{int(file.get('id') or 0)}"


def reduce_answer(answer: dict, width: int, height: int) -> tuple[list[dict], list[str]]:
    """Keep, per video, what the pipeline needs and the one file chosen for the output size."""
    videos, skipped = [], []
    for v in answer.get("videos") or []:
        if not isinstance(v, dict) or not isinstance(v.get("id"), int):
            continue
        f = choose_file(v.get("video_files") or [], width, height)
        if f is None:
            skipped.append(f"video {v['id']}: no mp4 file with a known size")
            continue
        videos.append({
            "id": v["id"], "page": v.get("url") or "", "duration": v.get("duration") or 0,
            "author": (v.get("user") or {}).get("name") or "",
            "clip": clip_name(v, f), "link": f["link"], "width": f["width"],
            "height": f["height"], "quality": f.get("quality"), "fps": f.get("fps"),
        })
    return videos, skipped


# --------------------------------------------------------------------------- the API
def write_search(out: str | os.PathLike[str], slug: str, orientation: str, width: int,
                 height: int, opt: PexelsOptions, *, key: str | None = None,
                 state_path: str | os.PathLike[str] | None = None) -> dict:
    """Run one search and write its reduced answer (the cache artifact) to ``out``.

    A search that Pexels cannot answer now (network, 5xx, 429 beyond the wait, not JSON) is
    written too, with its ``error``: the drama falls back to the next background step and says
    why. A rejected key raises: that is a configuration error, not a reason to fall back.
    """
    key = read_key(ENV_KEY) if key is None else key
    query = query_of(slug)
    record = {"query": query, "slug": slug, "orientation": orientation,
              "target": [width, height], "total_results": 0, "videos": [], "skipped": [],
              "error": ""}
    try:
        answer = search(query, orientation, key, opt, state=RateState(state_path))
    except PexelsUnavailable as exc:
        log.warning("Pexels search '%s' (%s) failed: %s", query, orientation, exc.cause)
        record["error"] = exc.cause
    else:
        record["total_results"] = answer.get("total_results") or 0
        record["videos"], record["skipped"] = reduce_answer(answer, width, height)
        log.info("Pexels search '%s' (%s): %d usable videos of %s", query, orientation,
                 len(record["videos"]), record["total_results"])
        for s in record["skipped"]:
            log.info("Pexels: skipped %s", s)
    text = scrub(json.dumps(record, ensure_ascii=False, indent=1), key)
    write_text_atomic(out, text)
    return record


# --------------------------------------------------------------------------- picking clips
def pick_clips(record: dict, seconds: float, seconds_per_clip: float, drama_id: str) -> list[dict]:
    """Distinct videos from one cached search that together cover ``seconds``.

    Each clip covers at most ``seconds_per_clip``. The start in the result list rotates with the
    drama id, so dramas that share a query do not all open on the same clip (their downloads are
    still shared). When the search has too few videos, all of them are used (the renderer then
    cycles them): a clip repeats only when no alternative exists.
    """
    videos = list(record.get("videos") or [])
    if not videos:
        return []
    start = int(hashlib.sha256(drama_id.encode()).hexdigest(), 16) % len(videos)
    ordered = videos[start:] + videos[:start]
    picked, covered = [], 0.0
    for v in ordered:
        if covered >= seconds - 1e-3 and picked:
            break
        picked.append(v)
        covered += min(float(v.get("duration") or seconds_per_clip), seconds_per_clip)
    return picked


def clip_links(search_files: Iterable[str | os.PathLike[str]]) -> dict[str, str]:
    """{clip name: file link} over every cached search of the library."""
    links: dict[str, str] = {}
    for path in search_files:
        try:
            record = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for v in record.get("videos") or []:
            links.setdefault(v["clip"], v["link"])
    return links
