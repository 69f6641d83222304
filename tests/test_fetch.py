import os

import pytest

from dramabatch.errors import DramaError
from dramabatch.fetch import fetch_source


def test_local_source_is_linked_or_copied(tmp_path, speech_video):
    out = tmp_path / "d" / "source.media"
    fetch_source(str(speech_video), out)
    assert out.read_bytes() == speech_video.read_bytes()


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


def test_size_cap(tmp_path, http_server, speech_video):
    http_server.serve_file("/v.mp4", speech_video)
    with pytest.raises(DramaError, match="exceeded"):
        fetch_source(f"{http_server.url}/v.mp4", tmp_path / "s.media", max_bytes=1000)
    assert not (tmp_path / "s.media").exists()
