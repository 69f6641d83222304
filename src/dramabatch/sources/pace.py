"""The pace of a download: a minimum rate over a window, a deadline, and live streams refused.

``requests``' read timeout applies to each read, so a server that trickles a few bytes now and
then (seen: 100 bytes every 15 s) kept a drama "downloading" for hours with nothing written.
Like curl's ``--speed-limit``/``--speed-time``, a download slower than ``min_rate`` bytes/s over
``rate_window`` s ends, and so does one past its ``deadline`` (all attempts together); the body
is read as it arrives (``read1``), so a trickle is measured instead of waited for. An answer that
never ends (a camera's ``multipart/x-mixed-replace``, an Icecast broadcast, a streaming type sent
with no length) is a live stream, refused by name.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import requests

from ..base.errors import DramaError

CHUNK = 1 << 16
#: Types that, sent without a length, are a broadcast rather than a file.
STREAM_TYPES = ("video/mp2t", "audio/mpeg", "audio/aac", "audio/aacp", "audio/ogg",
                "video/x-flv")


class TooSlow(DramaError):
    """Under the minimum rate, or past the deadline: what arrived is kept for a later resume."""


def live_stream(resp: requests.Response, ctype: str) -> str:
    """Why the answer is a live stream (an endless body), or ''."""
    if ctype == "multipart/x-mixed-replace":
        return f"'{ctype}' (a camera-style endless stream)"
    icy = sorted(h for h in resp.headers if h.lower().startswith("icy-"))
    if icy:
        return f"an Icecast/Shoutcast broadcast ({icy[0]} header)"
    if ctype in STREAM_TYPES and "Content-Length" not in resp.headers:
        return f"'{ctype}' sent with no length"
    return ""


class Pace:
    """The minimum rate over a window and the deadline of one download (all its attempts)."""

    def __init__(self, opt: Any, what: str, url: str):
        self.opt, self.what, self.url = opt, what, url
        self.started = time.monotonic()
        self.window_start, self.window_bytes = self.started, 0

    def restart_window(self) -> None:
        self.window_start, self.window_bytes = time.monotonic(), 0

    def read_timeout(self) -> float:
        """A stalled read must not outlast the window or the deadline."""
        limits = [self.opt.read_timeout]
        if self.opt.min_rate > 0:
            limits.append(self.opt.rate_window)
        if self.opt.deadline > 0:
            limits.append(max(0.1, self.opt.deadline - (time.monotonic() - self.started)))
        return min(limits)

    def before_retry(self, wait: float) -> None:
        """A retry that would start past the deadline is not made."""
        if self.opt.deadline > 0 and time.monotonic() + wait - self.started > self.opt.deadline:
            raise TooSlow(f"{self.what} of {self.url} passed its deadline of "
                          f"{self.opt.deadline:g} s (download.deadline_s) while retrying")

    def check(self, got: int) -> None:
        now = time.monotonic()
        self.window_bytes += got
        if self.opt.deadline > 0 and now - self.started > self.opt.deadline:
            raise TooSlow(f"{self.what} of {self.url} passed its deadline of "
                          f"{self.opt.deadline:g} s (download.deadline_s)")
        span = now - self.window_start
        if self.opt.min_rate > 0 and span >= self.opt.rate_window:
            rate = self.window_bytes / span
            if rate < self.opt.min_rate:
                raise TooSlow(f"{self.what} of {self.url} too slow: {rate:.0f} bytes/s "
                              f"over {span:.0f} s, under the minimum {self.opt.min_rate:.0f} "
                              f"bytes/s (download.min_rate_kb_s over min_rate_window_s)")
            self.restart_window()


def blocks(resp: requests.Response, pace: Pace) -> Iterator[bytes]:
    """The body as it arrives (``read1``: no waiting for a full chunk, so a trickle is seen),
    each block checked against the pace; urllib3's errors as requests' own."""
    import urllib3

    while True:
        try:
            block = resp.raw.read1(CHUNK, decode_content=True)
        except urllib3.exceptions.ReadTimeoutError as exc:
            pace.check(0)  # a stall as long as the window is a rate of 0: too slow, not a retry
            raise requests.ReadTimeout(str(exc)) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise requests.ConnectionError(str(exc)) from exc
        pace.check(len(block))
        if not block:
            return
        yield block
