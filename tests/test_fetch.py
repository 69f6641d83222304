import os

import pytest

from dramabatch.base.errors import DramaError
from dramabatch.sources.fetch import fetch_source


@pytest.mark.slow
def test_local_source_is_linked_and_touching_it_leaves_the_users_file_alone(tmp_path,
                                                                             speech_video):
    from snakemake.io import lutime

    source = tmp_path / "mine.mp4"
    source.write_bytes(speech_video.read_bytes())
    os.utime(source, (1_000_000_000, 1_000_000_000))
    out = tmp_path / "d" / "source.media"
    fetch_source(str(source), out)
    assert out.read_bytes() == source.read_bytes()
    lutime(str(out), None)  # what Snakemake does to every output once its job is done
    assert source.stat().st_mtime == 1_000_000_000
    assert out.lstat().st_mtime > 1_000_000_000


def test_missing_local_source(tmp_path):
    with pytest.raises(DramaError, match="source file not found"):
        fetch_source(str(tmp_path / "nope.mp4"), tmp_path / "out.media")


def test_http_download(tmp_path, http_server, speech_video):
    http_server.serve_file("/v.mp4", speech_video)
    out = tmp_path / "source.media"
    fetch_source(f"{http_server.url}/v.mp4", out)
    assert out.read_bytes() == speech_video.read_bytes()


def test_http_404_names_status_and_leaves_nothing(tmp_path, http_server):
    with pytest.raises(DramaError, match="HTTP 404"):
        fetch_source(f"{http_server.url}/missing.mp4", tmp_path / "source.media")
    assert os.listdir(tmp_path) == []


def test_text_file_named_mp4_is_rejected(tmp_path, http_server):
    fake = tmp_path / "fake.mp4"
    fake.write_text("<html>not a video</html>")
    http_server.serve_file("/fake.mp4", fake)
    out = tmp_path / "dl" / "source.media"
    with pytest.raises(DramaError, match="not a usable video"):
        fetch_source(f"{http_server.url}/fake.mp4", out)
    assert not out.exists()


def test_size_cap_while_streaming_without_content_length(tmp_path, http_server, speech_video):
    data = speech_video.read_bytes()

    def no_length(h):  # HTTP/1.0, body ends when the connection closes: no size up front
        h.send_response(200)
        h.send_header("Content-Type", "video/mp4")
        h.end_headers()
        h.wfile.write(data)

    http_server.routes["/v.mp4"] = no_length
    with pytest.raises(DramaError, match="exceeded the 97.7 KiB size cap|exceeded"):
        fetch_source(f"{http_server.url}/v.mp4", tmp_path / "s.media", max_bytes=100_000)
    assert os.listdir(tmp_path) == []
    assert len(data) > 100_000


# --------------------------------------------------------------------------- resilient downloads
import json  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from dramabatch.sources.fetch import fetch_url  # noqa: E402
from dramabatch.sources.http import HttpOptions, download  # noqa: E402
from dramabatch_testkit.pexels_server import FakePexels  # noqa: E402

FAST = HttpOptions(connect_timeout=1, read_timeout=1, retries=2, backoff=0.05)


@pytest.fixture
def files_host(speech_video):
    with FakePexels() as server:
        server.extra_files["/video-files/1/v.mp4"] = speech_video.read_bytes()
        yield server


def range_headers(server, path):
    return [h.get("Range") for p, h in server.requests if p == path]


def test_dropped_connection_resumes_with_range(tmp_path, files_host):
    path = "/video-files/1/v.mp4"
    data = files_host.extra_files[path]
    files_host.fault(path, f"drop:{len(data) // 3}")
    out = tmp_path / "source.media"
    download(f"{files_host.url}{path}", out, FAST)
    assert out.read_bytes() == data
    first, second = range_headers(files_host, path)
    resumed_at = int(second.removeprefix("bytes=").rstrip("-"))
    # resumes from what reached the disk (whole blocks), never from 0 and never past the cut
    assert first is None and 0 < resumed_at <= len(data) // 3
    print(f"\nresume in-process: {len(data)} bytes, connection cut after {len(data) // 3}, "
          f"second request Range bytes={resumed_at}-")


def kill_download_midway(url: str, out, min_bytes: int):
    """Start a downloader process, kill -9 it once ``min_bytes`` reached the disk; the partial."""
    code = ("import sys; from dramabatch.sources.http import download; "
            "download(sys.argv[1], sys.argv[2])")
    proc = subprocess.Popen([sys.executable, "-c", code, url, str(out)])
    partial = out.with_name(f".{out.name}.partial")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (not partial.exists() or
                                           partial.stat().st_size < min_bytes):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return partial


def test_killed_transfer_leaves_nothing_final_and_resumes(tmp_path, files_host):
    """kill -9 a downloader midway; the next run resumes the partial file with Range."""
    path = "/video-files/1/v.mp4"
    data = files_host.extra_files[path]
    files_host.fault(path, "slow")  # trickles 2 KiB every 50 ms
    out = tmp_path / "source.media"
    partial = kill_download_midway(f"{files_host.url}{path}", out, 8192)
    have = partial.stat().st_size
    assert 0 < have < len(data), "the transfer should have been cut midway"
    assert not out.exists(), "nothing partial may sit under the final name"
    download(f"{files_host.url}{path}", out, FAST)
    assert out.read_bytes() == data and not partial.exists()
    assert range_headers(files_host, path)[-1] == f"bytes={have}-"
    print(f"\nresume after kill -9: {have} of {len(data)} bytes were on disk; the second run "
          f"fetched only {len(data) - have} bytes (Range bytes={have}-)")


def test_a_partial_file_of_unknown_origin_is_never_resumed(tmp_path, files_host):
    """A .partial without its sidecar (a job killed before writing one, an older version) may be
    from another URL: resuming it with Range would splice two files into one source."""
    path = "/video-files/1/v.mp4"
    data = files_host.extra_files[path]
    out = tmp_path / "source.media"
    partial = tmp_path / ".source.media.partial"
    partial.write_bytes(b"\x00" * 4096)  # the first 4 KiB of some other video
    download(f"{files_host.url}{path}", out, FAST)
    assert out.read_bytes() == data
    assert range_headers(files_host, path) == [None]  # fetched whole, not resumed


def test_the_sidecar_exists_before_the_first_byte(tmp_path, files_host):
    path = "/video-files/1/v.mp4"
    files_host.fault(path, "slow")
    out = tmp_path / "source.media"
    kill_download_midway(f"{files_host.url}{path}", out, 1)
    sidecar = json.loads((tmp_path / ".source.media.partial.json").read_text())
    assert sidecar["url"] == f"{files_host.url}{path}"


def test_503_then_success_with_backoff(tmp_path, files_host):
    path = "/video-files/1/v.mp4"
    files_host.fault(path, "503", "503")
    out = tmp_path / "s.media"
    fetch_source(f"{files_host.url}{path}", out, connect_timeout=1, read_timeout=1, retries=2,
                 backoff=0.05)
    assert out.read_bytes() == files_host.extra_files[path]
    assert len(range_headers(files_host, path)) == 3


@pytest.mark.slow  # over a second (make test-fast stays under 90 s)
def test_hang_times_out_and_leaves_nothing(tmp_path, files_host):
    path = "/video-files/1/v.mp4"
    files_host.fault(path, "hang", "hang")
    t0 = time.monotonic()
    with pytest.raises(DramaError, match="timed out"):
        fetch_url(f"{files_host.url}{path}", tmp_path / "s.media", connect_timeout=1,
                  read_timeout=1, retries=1, backoff=0.05)
    assert time.monotonic() - t0 < 3.5
    assert not (tmp_path / "s.media").exists()


def test_size_cap_from_content_length_stops_before_downloading(tmp_path, files_host):
    path = "/video-files/1/v.mp4"
    with pytest.raises(DramaError, match="over the .* size cap"):
        fetch_source(f"{files_host.url}{path}", tmp_path / "s.media", max_bytes=5000)
    assert os.listdir(tmp_path) == []


@pytest.mark.slow  # over a second (make test-fast stays under 90 s)
def test_html_page_goes_to_yt_dlp(tmp_path, files_host):
    """A page URL (not media) is handed to yt-dlp, which finds the page's video and fetches it."""
    files_host.pages["/watch/42"] = (
        "<html><head><title>Episode 42</title></head><body>"
        '<video controls><source src="/video-files/1/v.mp4" type="video/mp4"></video>'
        "</body></html>")
    out = tmp_path / "source.media"
    fetch_source(f"{files_host.url}/watch/42", out, connect_timeout=2, read_timeout=2)
    assert out.read_bytes() == files_host.extra_files["/video-files/1/v.mp4"]
    assert [f for f in os.listdir(tmp_path) if f != "source.media"] == []


def test_page_without_video_fails_cleanly(tmp_path, files_host):
    files_host.pages["/blog"] = "<html><body><p>No video here</p></body></html>"
    with pytest.raises(DramaError, match="yt-dlp could not download"):
        fetch_source(f"{files_host.url}/blog", tmp_path / "s.media", connect_timeout=2,
                     read_timeout=2, retries=0)
    assert os.listdir(tmp_path) == []
