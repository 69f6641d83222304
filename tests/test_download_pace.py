"""Downloads that never end: a trickle, an endless stream, a live page. Each fails its drama by
name within the configured window or deadline; the other dramas go on.

``requests``' read timeout is per read, so a server sending 100 bytes every 15 s kept a drama
"downloading" for hours with nothing written (issue 33). Real loopback servers, real requests.
"""

from __future__ import annotations

import select
import socket
import time

import pytest
from conftest import TINY_CONFIG, snakemake, write_manifest

from dramabatch.base.errors import DramaError
from dramabatch.sources.http import HttpOptions, PageNotMedia, download
from dramabatch.sources.pace import TooSlow
from dramabatch.sources.platform import live_reason

# slow: waits out real download windows and deadlines (2-3 s each); make test-fast leaves it out
pytestmark = pytest.mark.slow

WINDOW = 2.0


def trickle(connections: list, every: float = 1.0, size: int = 100,
            content_type: str = "video/mp4", length: int | None = 1_000_000, headers=()):
    """A route sending ``size`` bytes every ``every`` s; records (start, end) per connection."""
    def handler(h):
        start = time.monotonic()
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        if length is not None:
            h.send_header("Content-Length", str(length))
        for name, value in headers:
            h.send_header(name, value)
        h.end_headers()
        try:
            for _ in range(10_000):
                h.wfile.write(b"\0" * size)
                h.wfile.flush()
                # wait, but see the client hang up at once (a closed socket reads as b"")
                ready, _, _ = select.select([h.connection], [], [], every)
                if ready and not h.connection.recv(1, socket.MSG_PEEK):
                    break
        except OSError:  # the client gave up: the moment we measure
            pass
        finally:
            connections.append((start, time.monotonic()))
    return handler


def options(**kw) -> HttpOptions:
    base = dict(connect_timeout=2, read_timeout=30, retries=3, backoff=0.1, min_rate=1000,
                rate_window=WINDOW, deadline=60)
    return HttpOptions(**{**base, **kw})


def test_a_trickle_fails_within_the_window(tmp_path, http_server):
    seen: list = []
    http_server.routes["/slow.mp4"] = trickle(seen)
    started = time.monotonic()
    with pytest.raises(TooSlow) as err:
        download(f"{http_server.url}/slow.mp4", tmp_path / "s.media", options())
    took = time.monotonic() - started
    assert WINDOW <= took < WINDOW + 1.5, took
    assert "too slow" in err.value.cause and f"{http_server.url}/slow.mp4" in err.value.cause
    assert http_server.hits == ["/slow.mp4"], "too slow is not retried within the job"
    assert not (tmp_path / "s.media").exists()


def test_a_stall_is_a_rate_of_zero(tmp_path, http_server):
    """Headers, then nothing: the read timeout (30 s here) is cut to the window."""
    seen: list = []
    http_server.routes["/stall.mp4"] = trickle(seen, every=100.0)
    started = time.monotonic()
    with pytest.raises(TooSlow, match="too slow: 50 bytes/s|too slow"):
        download(f"{http_server.url}/stall.mp4", tmp_path / "s.media", options())
    assert time.monotonic() - started < WINDOW + 1.5


def test_a_fast_enough_endless_download_ends_at_its_deadline(tmp_path, http_server):
    seen: list = []
    http_server.routes["/long.mp4"] = trickle(seen, every=0.1, size=4000)  # 40 kB/s
    started = time.monotonic()
    with pytest.raises(TooSlow) as err:
        download(f"{http_server.url}/long.mp4", tmp_path / "s.media",
                 options(deadline=WINDOW + 1.0))
    assert WINDOW + 1.0 <= time.monotonic() - started < WINDOW + 2.5
    assert "passed its deadline of 3 s (download.deadline_s)" in err.value.cause


@pytest.mark.parametrize("ctype, length, headers, why", [
    ("multipart/x-mixed-replace", None, (), "'multipart/x-mixed-replace'"),
    ("audio/mpeg", None, (("icy-name", "Radio"),), "an Icecast/Shoutcast broadcast (icy-name"),
    ("video/mp2t", None, (), "'video/mp2t' sent with no length"),
])
def test_a_live_http_stream_is_refused_by_name(tmp_path, http_server, ctype, length, headers,
                                               why):
    seen: list = []
    http_server.routes["/live"] = trickle(seen, every=0.05, size=2000, content_type=ctype,
                                          length=length, headers=headers)
    started = time.monotonic()
    with pytest.raises(DramaError) as err:
        download(f"{http_server.url}/live", tmp_path / "s.media", options())
    assert time.monotonic() - started < 1.5
    assert f"{http_server.url}/live is a live stream ({why}" in err.value.cause
    assert "live streams are refused" in err.value.cause


def test_a_playlist_goes_to_yt_dlp(tmp_path, http_server):
    def playlist(h):
        body = b"#EXTM3U\n"
        h.send_response(200)
        h.send_header("Content-Type", "application/vnd.apple.mpegurl")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    http_server.routes["/index.m3u8"] = playlist
    with pytest.raises(PageNotMedia):
        download(f"{http_server.url}/index.m3u8", tmp_path / "s.media", options())


@pytest.mark.parametrize("info, live", [({"is_live": True}, True),
                                         ({"live_status": "is_upcoming"}, True),
                                         ({"live_status": "was_live"}, False),
                                         ({"live_status": "not_live", "is_live": False}, False)])
def test_yt_dlp_live_status_is_refused(info, live):
    assert bool(live_reason(info)) is live


def test_a_trickling_source_fails_its_drama_in_the_window_and_the_others_go_on(
        tmp_path, http_server, speech_video):
    seen: list = []
    http_server.routes["/slow.mp4"] = trickle(seen)
    manifest = write_manifest(tmp_path / "manifest.tsv", [
        ("slow", f"{http_server.url}/slow.mp4"), ("good", str(speech_video))])
    (tmp_path / "config.yaml").write_text(
        TINY_CONFIG.format(manifest=manifest)
        + f"download: {{min_rate_kb_s: 1, min_rate_window_s: {WINDOW:g}, retries: 1, "
          "backoff_s: 0.1}\n")
    proc = snakemake(tmp_path, "--cores", "2", "results/slow/source.media",
                     "results/good/source.media", timeout=240)
    console = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert (tmp_path / "results/good/source.media").exists(), console[-3000:]
    assert not (tmp_path / "results/slow/source.media").exists()
    log = (tmp_path / "results/logs/slow/fetch_source.log").read_text(encoding="utf-8")
    assert (f"FAILED drama 'slow', stage fetch_source: download of {http_server.url}/slow.mp4 "
            "too slow:") in log, log
    time.sleep(0.5)  # the server notices the last closed connection
    assert seen, "the source was never requested"
    # every job attempt (the rule retries) gave up within the window, not at a read timeout
    for start, end in seen:
        assert WINDOW - 0.5 < end - start < WINDOW + 1.5, seen
    assert len(seen) == len([h for h in http_server.hits if h == "/slow.mp4"])
