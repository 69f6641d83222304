"""Pexels search, file choice, rate limits and clip downloads against a fake API on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import time

import pytest

from dramabatch.base.errors import DramaError
from dramabatch.footage.background import make_background, stock
from dramabatch.footage.pexels import (
    choose_file,
    clip_links,
    pick_clips,
    slugify,
    write_search,
)
from dramabatch.footage.pexels_api import PexelsAuthError, PexelsOptions
from dramabatch.sources.http import HttpOptions, download_media
from dramabatch_testkit.media import make_video
from dramabatch_testkit.pexels_server import FakePexels, pexels_video

KEY = "sk-TEST-a1b2c3d4e5f6"
FAST = PexelsOptions(connect_timeout=1, read_timeout=1, max_retries=2, backoff=0.05,
                     max_wait=5, per_page=40)
HTTP = HttpOptions(connect_timeout=1, read_timeout=1, retries=2, backoff=0.05)


@pytest.fixture(scope="session")
def stock_clips(media_dir):
    clips = []
    for orientation, size in (("landscape", "320x180"), ("portrait", "180x320")):
        for i in range(3):
            clips.append(make_video(media_dir / f"stock_{orientation}_{i}.mp4", wav=None,
                                    seconds=2 + i * 0.5, size=size))
    return clips


@pytest.fixture
def fake(stock_clips):
    with FakePexels(key=KEY, clips=stock_clips) as server:
        server.add_query("rain city", 5, first_id=100)
        yield server


def opts(fake, **kw) -> PexelsOptions:
    return PexelsOptions(**{**FAST.__dict__, "api_url": fake.url, **kw})


# --------------------------------------------------------------------------- file choice
def test_choose_file_takes_the_file_at_or_just_above_the_target():
    files = pexels_video(1, "landscape", "https://h")["video_files"]
    assert (choose_file(files, 1920, 1080)["width"], choose_file(files, 1920, 1080)["quality"]) \
        == (1920, "hd")  # not the 4K one
    assert choose_file(files, 1000, 560)["width"] == 1280
    assert choose_file(files, 160, 90)["width"] == 320
    assert choose_file(files, 7680, 4320)["width"] == 3840  # nothing covers: the largest
    portrait = pexels_video(2, "portrait", "https://h")["video_files"]
    assert (choose_file(portrait, 1080, 1920)["width"], choose_file(portrait, 1080, 1920)[
        "height"]) == (1080, 1920)
    # hls streams and files without sizes are never chosen
    assert choose_file([f for f in files if f["quality"] == "hls"], 160, 90) is None
    assert choose_file(pexels_video(3, "landscape", "https://h", sizes=False)["video_files"],
                       160, 90) is None


def test_slug_is_the_search_words():
    assert slugify("  Rainy City, night!! ") == "rainy-city-night"
    assert slugify("Lluvia en la ciudad — niño") == "lluvia-en-la-ciudad-niño"
    assert slugify("../../etc") == "etc"


def test_pick_clips_distinct_cover_and_rotate():
    record = {"videos": [{"id": i, "clip": f"{i}-0", "duration": 10} for i in range(8)]}
    picked = pick_clips(record, seconds=20, seconds_per_clip=4, drama_id="a")
    assert len(picked) == 5 and len({v["clip"] for v in picked}) == 5
    others = [pick_clips(record, 20, 4, d)[0]["clip"] for d in ("a", "b", "c", "d", "e")]
    assert len(set(others)) > 1, "dramas sharing a query should not all open on one clip"
    short = [{"id": 1, "clip": "1-0", "duration": 10}]
    assert len(pick_clips({"videos": short}, 60, 4, "a")) == 1  # no alternatives: reuse
    assert pick_clips({"videos": []}, 60, 4, "a") == []


# --------------------------------------------------------------------------- search
def test_search_writes_the_cache_and_keeps_the_key_out(fake, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "search" / "rain-city_landscape.json"
    record = write_search(out, "rain-city", "landscape", 160, 90, opts(fake), key=KEY,
                          state_path=tmp_path / "rate.json")
    assert len(fake.searches()) == 1
    path, headers = fake.requests[0]
    assert headers["Authorization"] == KEY and KEY not in fake.hits[0]
    assert "query=rain+city" in fake.hits[0] and "orientation=landscape" in fake.hits[0]
    saved = json.loads(out.read_text())
    assert saved == record and len(saved["videos"]) == 5 and saved["error"] == ""
    assert {(v["width"], v["height"]) for v in saved["videos"]} == {(320, 180)}
    assert all("/redirect/" in v["link"] for v in saved["videos"])
    assert KEY not in out.read_text() and KEY not in caplog.text
    assert json.loads((tmp_path / "rate.json").read_text())["remaining"] == 199


def test_bad_key_is_an_error_naming_no_key(fake, tmp_path, caplog):
    out = tmp_path / "s.json"
    with pytest.raises(PexelsAuthError, match="Pexels rejected the API key") as err:
        write_search(out, "rain-city", "landscape", 160, 90, opts(fake), key="sk-WRONG-999")
    assert "sk-WRONG-999" not in str(err.value) and "sk-WRONG-999" not in caplog.text
    assert not out.exists() and len(fake.searches()) == 1  # no retry of a rejected key


@pytest.mark.slow  # over a second (make test-fast stays under 90 s)
def test_429_retry_after_is_honoured(fake, tmp_path):
    fake.fault("/videos/search", "429:1")
    t0 = time.monotonic()
    record = write_search(tmp_path / "s.json", "rain-city", "portrait", 90, 160, opts(fake),
                          key=KEY)
    waited = time.monotonic() - t0
    assert len(fake.searches()) == 2 and len(record["videos"]) == 5
    assert waited >= 1.0, f"Retry-After 1 s not honoured (retried after {waited:.2f} s)"


def test_429_with_a_long_retry_after_falls_back_without_hammering(fake, tmp_path):
    fake.fault("/videos/search", "429:3600")
    record = write_search(tmp_path / "s.json", "rain-city", "landscape", 160, 90, opts(fake),
                          key=KEY)
    assert "rate limit" in record["error"] and "3600" in record["error"]
    assert len(fake.searches()) == 1


def test_quota_used_up_means_no_request_at_all(fake, tmp_path):
    fake.remaining = 1  # the next answer says 0 left
    state = tmp_path / "rate.json"
    write_search(tmp_path / "a.json", "rain-city", "landscape", 160, 90, opts(fake), key=KEY,
                 state_path=state)
    record = write_search(tmp_path / "b.json", "rain-city", "portrait", 90, 160, opts(fake),
                          key=KEY, state_path=state)
    assert "quota used up" in record["error"]
    assert len(fake.searches()) == 1


def test_empty_result_set_falls_back_with_reason(fake, tmp_path):
    record = write_search(tmp_path / "s.json", "nothing-here", "landscape", 160, 90, opts(fake),
                          key=KEY)
    assert record["videos"] == [] and record["error"] == ""
    out = tmp_path / "bg.json"
    plan = make_background("d1", "landscape", out, order=["pexels", "generated"], source="",
                           options={}, long_wh=(160, 90), short_wh=(90, 160),
                           pexels=lambda: stock(tmp_path / "s.json", []))
    assert plan.step == "generated"
    assert plan.reasons == ["pexels: Pexels search 'nothing here' (landscape) found no usable "
                            "videos"]


@pytest.mark.slow  # over a second (make test-fast stays under 90 s)
def test_hang_times_out_and_falls_back(fake, tmp_path):
    fake.fault("/videos/search", "hang")
    t0 = time.monotonic()
    record = write_search(tmp_path / "s.json", "rain-city", "landscape", 160, 90,
                          opts(fake, max_retries=0), key=KEY)
    assert "did not answer in time" in record["error"]
    assert time.monotonic() - t0 < 3, "the 1 s read timeout was not applied"


def test_a_body_that_is_not_json(fake, tmp_path):
    fake.fault("/videos/search", "notjson")
    record = write_search(tmp_path / "s.json", "rain-city", "landscape", 160, 90, opts(fake),
                          key=KEY)
    assert "not JSON" in record["error"] and "text/html" in record["error"]
    assert len(fake.searches()) == 1


def test_503_on_search_is_retried(fake, tmp_path):
    fake.fault("/videos/search", "503", "503")
    record = write_search(tmp_path / "s.json", "rain-city", "landscape", 160, 90, opts(fake),
                          key=KEY)
    assert len(record["videos"]) == 5 and len(fake.searches()) == 3


def test_no_key_is_not_an_error_when_a_fallback_exists(tmp_path, stock_clips):
    plan = make_background("d1", "landscape", tmp_path / "bg.json", order=["pexels", "source"],
                           source=str(stock_clips[0]), options={}, long_wh=(160, 90),
                           short_wh=(90, 160), pexels=None,
                           pexels_reason="PEXELS_API_KEY is not set")
    assert plan.step == "source" and plan.reasons == [
        "pexels: PEXELS_API_KEY is not set",
        "fit stock_landscape_0.mp4: cover (320x180 covers 160x90 scaled 0.50x)"]
    with pytest.raises(DramaError, match="PEXELS_API_KEY is not set"):
        make_background("d1", "landscape", tmp_path / "bg2.json", order=["pexels"], source="",
                        options={}, long_wh=(160, 90), short_wh=(90, 160),
                        pexels_reason="PEXELS_API_KEY is not set")


# --------------------------------------------------------------------------- clip files
def test_file_link_302_then_503_then_success(fake, tmp_path):
    record = write_search(tmp_path / "s.json", "rain-city", "landscape", 160, 90, opts(fake),
                          key=KEY)
    link = record["videos"][0]["link"]
    file_path = link.split(fake.url)[1].replace("/redirect/", "/video-files/")
    fake.fault(file_path, "503")
    out = tmp_path / "lib" / f"{record['videos'][0]['clip']}.mp4"
    download_media(link, out, HTTP, what="clip")
    assert out.read_bytes() == fake.file_bytes(file_path)
    redirect_hits = [h for h in fake.hits if h.startswith("/redirect/")]
    assert len(redirect_hits) == 2 and fake.file_hits()[file_path] == 2  # 302 + 503, 302 + 200
    files = [r for r in fake.requests if r[0] == file_path]
    assert all("Authorization" not in h for _, h in files), "the key must not go to file hosts"
    assert clip_links([tmp_path / "s.json"])[record["videos"][0]["clip"]] == link


def test_plan_from_clips_caps_each_clip(fake, tmp_path, stock_clips):
    record = write_search(tmp_path / "s.json", "rain-city", "landscape", 160, 90, opts(fake),
                          key=KEY)
    paths = []
    for v in pick_clips(record, 4, 1.5, "d1"):
        out = tmp_path / f"{v['clip']}.mp4"
        download_media(v["link"], out, HTTP)
        paths.append(str(out))
    plan = stock(tmp_path / "s.json", paths, seconds_per_clip=1.5)
    assert plan.step == "pexels" and len(plan.clips) == 3
    assert [c.duration for c in plan.clips] == [1.5, 1.5, 1.5]
    assert len({c.path for c in plan.clips}) == 3
