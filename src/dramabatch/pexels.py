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
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import requests

from .errors import DramaError
from .fsutil import write_text_atomic

log = logging.getLogger(__name__)

ENV_KEY = "PEXELS_API_KEY"
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


class PexelsAuthError(DramaError):
    """Pexels answered 401/403: the key is wrong. An error, never a fallback."""


class PexelsUnavailable(DramaError):
    """Pexels could not answer usefully now (network, 5xx, 429, not JSON): fall back."""


@dataclass(frozen=True)
class PexelsOptions:
    api_url: str = "https://api.pexels.com"
    per_page: int = 40
    connect_timeout: float = 5
    read_timeout: float = 20
    max_retries: int = 3
    backoff: float = 1.0
    max_wait: float = 60.0
    min_remaining: int = 10

    @classmethod
    def from_config(cls, px: dict) -> PexelsOptions:
        return cls(api_url=px.get("api_url", cls.api_url).rstrip("/"),
                   per_page=px.get("per_page", cls.per_page),
                   connect_timeout=px.get("connect_timeout_s", cls.connect_timeout),
                   read_timeout=px.get("read_timeout_s", cls.read_timeout),
                   max_retries=px.get("max_retries", cls.max_retries),
                   backoff=px.get("backoff_s", cls.backoff),
                   max_wait=px.get("max_wait_s", cls.max_wait),
                   min_remaining=px.get("min_remaining", cls.min_remaining))


def _scrub(text: str, key: str) -> str:
    return text.replace(key, "***") if key else text


# --------------------------------------------------------------------------- choosing a file
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
class RateState:
    """The last ``X-Ratelimit-*`` headers seen, shared by every search job of the batch."""

    def __init__(self, path: str | os.PathLike[str] | None):
        self.path = Path(path) if path else None

    def load(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8")) if self.path else {}
        except (OSError, ValueError):
            return {}

    def save(self, headers) -> None:
        remaining = headers.get("X-Ratelimit-Remaining")
        if remaining is None or not self.path:
            return
        state = {"remaining": int(remaining) if str(remaining).isdigit() else remaining,
                 "limit": headers.get("X-Ratelimit-Limit"),
                 "reset": headers.get("X-Ratelimit-Reset"), "seen": time.time()}
        write_text_atomic(self.path, json.dumps(state))

    def check(self) -> None:
        """Refuse to spend a request when the quota is known to be used up until a reset."""
        state = self.load()
        reset = str(state.get("reset") or "")
        if state.get("remaining") == 0 and reset.isdigit() and int(reset) > time.time():
            wait = int(reset) - time.time()
            raise PexelsUnavailable(f"Pexels request quota used up (resets in {wait:.0f} s)")


def search(query: str, orientation: str, key: str, opt: PexelsOptions, *,
           state: RateState | None = None, session: requests.Session | None = None) -> dict:
    """GET /videos/search; honour 429 Retry-After; retry 5xx and network errors with backoff."""
    if not key:
        raise PexelsUnavailable(f"{ENV_KEY} is not set")
    state = state or RateState(None)
    state.check()
    url = f"{opt.api_url}/videos/search"
    params = {"query": query, "orientation": orientation, "per_page": opt.per_page, "page": 1}
    own = session is None
    session = session or requests.Session()
    reason = ""
    try:
        for attempt in range(opt.max_retries + 1):
            wait = min(opt.max_wait, opt.backoff * 2**attempt)
            try:
                resp = session.get(url, params=params, headers={"Authorization": key},
                                   timeout=(opt.connect_timeout, opt.read_timeout))
            except requests.Timeout:
                reason = "Pexels did not answer in time"
            except requests.ConnectionError as exc:
                reason = f"cannot reach Pexels ({exc.__class__.__name__})"
            else:
                state.save(resp.headers)
                remaining = resp.headers.get("X-Ratelimit-Remaining")
                if remaining is not None:
                    log.info("Pexels: %s requests left this period", remaining)
                    if str(remaining).isdigit() and int(remaining) <= opt.min_remaining:
                        log.warning("Pexels: only %s requests left before the quota resets",
                                    remaining)
                status = resp.status_code
                if status in (401, 403):
                    raise PexelsAuthError("Pexels rejected the API key "
                                          f"(HTTP {status}; check {ENV_KEY})")
                if status == 429:
                    retry_after = resp.headers.get("Retry-After", "")
                    delay = float(retry_after) if retry_after.isdigit() else wait
                    if delay > opt.max_wait:
                        raise PexelsUnavailable(
                            f"Pexels rate limit reached; it asks to wait {delay:.0f} s, more "
                            f"than pexels.max_wait_s ({opt.max_wait:.0f} s)")
                    reason, wait = f"Pexels rate limit (HTTP 429, Retry-After {delay:g} s)", delay
                elif status >= 500:
                    reason = f"Pexels server error (HTTP {status})"
                elif status >= 400:
                    raise PexelsUnavailable(f"Pexels refused the search (HTTP {status})")
                else:
                    try:
                        answer = resp.json()
                        if not isinstance(answer, dict):
                            raise ValueError("not an object")
                    except ValueError:
                        ctype = resp.headers.get("Content-Type", "?")
                        raise PexelsUnavailable(
                            f"Pexels answered with something that is not JSON (HTTP {status}, "
                            f"{ctype})") from None
                    return answer
            if attempt < opt.max_retries:
                log.warning("Pexels search '%s' (%s): %s; retry %d/%d in %.1f s",
                            query, orientation, reason, attempt + 1, opt.max_retries, wait)
                time.sleep(wait)
        raise PexelsUnavailable(f"{reason} after {opt.max_retries + 1} attempts")
    except DramaError as exc:
        exc.cause = _scrub(exc.cause, key)
        exc.args = (exc.describe(),)
        raise
    finally:
        if own:
            session.close()


def write_search(out: str | os.PathLike[str], slug: str, orientation: str, width: int,
                 height: int, opt: PexelsOptions, *, key: str | None = None,
                 state_path: str | os.PathLike[str] | None = None) -> dict:
    """Run one search and write its reduced answer (the cache artifact) to ``out``.

    A search that Pexels cannot answer now (network, 5xx, 429 beyond the wait, not JSON) is
    written too, with its ``error``: the drama falls back to the next background step and says
    why. A rejected key raises: that is a configuration error, not a reason to fall back.
    """
    key = os.environ.get(ENV_KEY, "") if key is None else key
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
    text = _scrub(json.dumps(record, ensure_ascii=False, indent=1), key)
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
