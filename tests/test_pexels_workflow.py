"""Pexels through the real Snakemake CLI: one search per distinct query, one download per clip."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from dramabatch_testkit.media import make_video
from dramabatch_testkit.pexels_server import FakePexels
from dramabatch_testkit.runner import TINY_CONFIG, snakemake

KEY = "sk-LIVE-7f3a9c2e1b0d"

pytestmark = pytest.mark.slow

PEXELS_CONFIG = """\
pexels:
  api_url: {url}
  default_query: city night
  seconds_per_clip: 1.5
  per_page: 6
  connect_timeout_s: 1
  read_timeout_s: 1
  max_retries: 1
  backoff_s: 0.1
download: {{connect_timeout_s: 1, read_timeout_s: 1, retries: 2, backoff_s: 0.1}}
"""


def batch(workdir: Path, server: FakePexels, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["id\tsource\tlanguage\ttitle\tbackground_query"]
    lines += [f"{i}\t{src}\ten\tTitle {i}\t{q}" for i, src, q in rows]
    manifest = workdir / "manifest.tsv"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = TINY_CONFIG.format(manifest=manifest).replace(
        "order: [generated]", "order: [pexels, generated]")
    (workdir / "config.yaml").write_text(config + PEXELS_CONFIG.format(url=server.url))
    return workdir


@pytest.fixture(scope="module")
def stock_library(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stock")
    clips = []
    for orientation, size in (("landscape", "320x180"), ("portrait", "180x320")):
        for i in range(4):
            clips.append(make_video(folder / f"{orientation}_{i}.mp4", wav=None, seconds=2,
                                    size=size))
    return clips


def every_file_text(root: Path):
    for path in root.rglob("*"):
        if path.is_file() and path.stat().st_size < 5_000_000:
            yield path, path.read_bytes()


QUERIES = ["rain city", "Rain City!", "rain city", "rain city", "ocean waves", "ocean waves",
           "Ocean  waves", "", "", ""]


def test_ten_dramas_share_searches_and_clip_downloads(tmp_path, stock_library, brief_videos):
    """Ten is the point (many dramas, few queries): each drama is one short sentence instead."""
    with FakePexels(key=KEY, clips=stock_library) as server:
        server.add_query("rain city", 6, first_id=100)
        server.add_query("ocean waves", 6, first_id=200)
        server.add_query("city night", 6, first_id=300)
        rows = [(f"d{i:02d}", str(brief_videos[i % 2]), q) for i, q in enumerate(QUERIES)]
        wd = batch(tmp_path, server, rows)
        # long videos and portrait plans of every drama (shorts, reports, zip: test_workflow)
        targets = [f"results/{d}/{name}" for d, _, _ in rows
                   for name in ("long.mp4", "background/portrait.json")]
        proc = snakemake(wd, "--cores", "2", *targets, env={"PEXELS_API_KEY": KEY})
        assert proc.returncode == 0, proc.stderr[-4000:]

        searches = Counter(server.searches())
        files = server.file_hits()
        redirects = [h for h in server.hits if h.startswith("/redirect/")]
        library = sorted((wd / "results/_library/pexels/clips").glob("*.mp4"))
        print(f"\n10 dramas, 3 distinct queries x 2 orientations: {sum(searches.values())} "
              f"search requests ({len(searches)} distinct), {len(redirects)} file-link "
              f"redirects, {sum(files.values())} clip downloads of {len(files)} distinct "
              f"files, {len(library)} clips in the shared library")
        assert sum(searches.values()) == 6 and set(searches.values()) == {1}
        assert {h.split("orientation=")[1].split("&")[0] for h in searches} == {"landscape",
                                                                               "portrait"}
        assert files and set(files.values()) == {1}, f"a clip was downloaded twice: {files}"
        assert len(library) == len(files) == len(redirects)
        assert all("_320_180_" in p or "_180_320_" in p for p in files), "wrong size chosen"

        used = set()
        for drama_id, _, _ in rows:
            for orientation in ("landscape", "portrait"):
                plan = json.loads(
                    (wd / f"results/{drama_id}/background/{orientation}.json").read_text())
                paths = [c["path"] for c in plan["clips"]]
                assert plan["step"] == "pexels", plan["reasons"]
                assert len(paths) >= 2 and len(set(paths)) == len(paths), paths
                assert all(c["duration"] <= 1.5 for c in plan["clips"])
                used |= {Path(p).name for p in paths}
            assert (wd / f"results/{drama_id}/long.mp4").stat().st_size > 0
        assert used == {p.name for p in library}, "every downloaded clip is used by some drama"

        # the key never lands in a file (results, logs, Snakemake metadata) or in the output
        for path, data in every_file_text(wd):
            assert KEY.encode() not in data, path
        assert KEY not in proc.stdout + proc.stderr

        before = len(server.hits)
        again = snakemake(wd, "--cores", "2", *targets, env={"PEXELS_API_KEY": KEY})
        assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr
        assert len(server.hits) == before, "a rerun must not call Pexels again"


def test_rejected_key_fails_the_drama_and_never_shows_the_key(tmp_path, stock_library,
                                                             speech_video):
    wrong = "sk-WRONG-5e6f7a8b9c"
    with FakePexels(key=KEY, clips=stock_library) as server:
        server.add_query("rain city", 3, first_id=100)
        wd = batch(tmp_path, server, [("solo", str(speech_video), "rain city")])
        proc = snakemake(wd, "--cores", "2", env={"PEXELS_API_KEY": wrong})
    assert proc.returncode != 0
    assert not (wd / "results/solo/long.mp4").exists()
    log = (wd / "results/logs/solo/pexels_search_landscape.log").read_text()
    assert "drama 'solo', stage background (pexels): Pexels rejected the API key" in log
    summary = json.loads((wd / "results/run_summary.json").read_text())
    entry = next(d for d in summary["dramas"] if d["id"] == "solo")
    assert entry["status"] == "failed" and "Pexels rejected the API key" in entry["cause"]
    assert "Pexels rejected the API key" in proc.stderr
    for path, data in every_file_text(wd):
        assert wrong.encode() not in data, path
    assert wrong not in proc.stdout + proc.stderr
    search_dir = wd / "results/_library/pexels/search"
    assert not search_dir.exists() or not os.listdir(search_dir), "a rejected key is not cached"


def _library_bytes(wd: Path) -> int:
    return sum(p.stat().st_size for p in (wd / "results/_library/pexels/clips").glob("*.mp4"))


def test_library_bound_evicts_least_recently_used_and_never_a_needed_clip(
        tmp_path, stock_library, brief_videos):
    """Four dramas with their own queries need more clips than the bound holds: the library
    ends within it, no job fails, and a later change that needs evicted clips downloads them
    again."""
    biggest = max(p.stat().st_size for p in stock_library if "landscape" in p.name)
    bound = 3 * biggest  # bytes: room for three clips, where the batch picks more
    with FakePexels(key=KEY, clips=stock_library) as server:
        for n, query in enumerate(("rain city", "ocean waves", "forest path", "desert road")):
            server.add_query(query, 4, first_id=100 * (n + 1))
        rows = [(f"d{n}", str(brief_videos[n % 2]), q)
                for n, q in enumerate(("rain city", "ocean waves", "forest path", "desert road"))]
        wd = batch(tmp_path, server, rows)
        edit = wd / "bound.yaml"
        edit.write_text(f"pexels: {{library_max_gb: {bound / (1 << 30):.12f}}}\n")
        configs = ["--configfiles", str(wd / "config.yaml"), str(edit)]
        proc = snakemake(wd, "--cores", "2", *configs, env={"PEXELS_API_KEY": KEY})
        assert proc.returncode == 0, proc.stderr[-4000:]
        downloads = sum(server.file_hits().values())
        kept = sorted((wd / "results/_library/pexels/clips").glob("*.mp4"))
        print(f"\nlibrary bound {bound} bytes: {downloads} clips downloaded, {len(kept)} kept, "
              f"{_library_bytes(wd)} bytes at the end")
        assert downloads > len(kept), "the batch never went past the bound"
        assert _library_bytes(wd) <= bound
        # A change that reruns every long video needs the evicted clips back: downloaded again.
        (wd / "style.yaml").write_text("render: {style_long: {size: 0.06}}\n")
        again = snakemake(wd, "--cores", "2", *configs, str(wd / "style.yaml"),
                          env={"PEXELS_API_KEY": KEY})
        assert again.returncode == 0, again.stderr[-4000:]
        assert sum(server.file_hits().values()) > downloads, "no evicted clip was needed again?"
        assert _library_bytes(wd) <= bound
        for drama_id, _, _ in rows:
            assert (wd / f"results/_archives/{drama_id}.zip").exists()
