"""The Pexels search API: one authenticated request with retries, rate limits and a scrubbed key.

The key is sent in the ``Authorization`` header to the API host only and never appears in a log
line or an error message (``scrub``). ``RateState`` follows the API's remaining-requests headers
and waits, within ``pexels.max_wait_s``, instead of failing a batch at the hourly limit.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from ..base.errors import DramaError
from ..base.fsutil import write_text_atomic
from ..base.secrets import scrub

log = logging.getLogger(__name__)

ENV_KEY = "PEXELS_API_KEY"


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


# --------------------------------------------------------------------------- choosing a file
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
    raw_key, key = key, key.strip()  # a Windows .env's "\r" or a pasted space (base.secrets)
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
            except requests.RequestException as exc:
                # a request that cannot even be sent (a malformed header, URL): no retry helps;
                # its message may quote the key in any spelling, scrubbed below
                raise PexelsUnavailable(f"Pexels search could not be sent "
                                        f"({exc.__class__.__name__}: {exc})") from None
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
        exc.cause = scrub(exc.cause, key, raw_key)
        exc.args = (exc.describe(),)
        raise
    finally:
        if own:
            session.close()


