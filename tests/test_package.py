import json
import zipfile

import pytest

from dramabatch.archive.package import make_zip
from dramabatch.base.errors import DramaError
from dramabatch.base.fsutil import sha256_file
from dramabatch.base.media import probe, run_ffmpeg


def test_zip_stores_media_deflates_text_and_manifest_matches(tmp_path, speech_video):
    root = tmp_path / "results"
    (root / "d1").mkdir(parents=True)
    video = root / "d1" / "long.mp4"
    video.write_bytes(speech_video.read_bytes())
    srt = root / "d1" / "d1.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:01,000\n¡Hola, señor!\n\n" * 20, encoding="utf-8")
    out = root / "dramas_completos.zip"
    make_zip([video, srt], root, out)
    with zipfile.ZipFile(out) as zf:
        info = {i.filename: i for i in zf.infolist()}
        assert info["d1/long.mp4"].compress_type == zipfile.ZIP_STORED
        assert info["d1/d1.srt"].compress_type == zipfile.ZIP_DEFLATED
        assert info["d1/d1.srt"].compress_size < info["d1/d1.srt"].file_size
        manifest = json.loads(zf.read("manifest.json"))
        assert zf.read("d1/d1.srt").decode("utf-8").count("¡Hola, señor!") == 20
    entries = {e["path"]: e for e in manifest["files"]}
    assert entries["d1/long.mp4"]["sha256"] == sha256_file(video)
    assert entries["d1/long.mp4"]["resolution"] == "160x90"
    assert entries["d1/long.mp4"]["duration"] > 1
    assert entries["d1/d1.srt"]["size"] == srt.stat().st_size
    assert not [p for p in root.iterdir() if p.name.startswith(".")], "part file left behind"


def test_mp3_stored_bytes_identical_and_zip_verifies(tmp_path, speech_video):
    root = tmp_path / "results"
    (root / "d1" / "shorts").mkdir(parents=True)
    mp3 = root / "d1" / "narration.mp3"
    run_ffmpeg(["-i", str(speech_video), "-vn", "-c:a", "libmp3lame", str(mp3)], what="mp3")
    short = root / "d1" / "shorts" / "short_01.mp4"
    short.write_bytes(speech_video.read_bytes())
    timeline = root / "d1" / "narration.json"
    timeline.write_text(json.dumps({"segments": [{"text": "¿Qué?"}] * 50}), encoding="utf-8")
    manifest = make_zip([mp3, short, timeline], root, root / "custom_name.zip")
    with zipfile.ZipFile(root / "custom_name.zip") as zf:
        assert zf.testzip() is None
        info = {i.filename: i for i in zf.infolist()}
        assert info["d1/narration.mp3"].compress_type == zipfile.ZIP_STORED
        assert info["d1/shorts/short_01.mp4"].compress_type == zipfile.ZIP_STORED
        assert info["d1/narration.json"].compress_type == zipfile.ZIP_DEFLATED
        assert zf.read("d1/shorts/short_01.mp4") == short.read_bytes()  # not re-encoded
        assert json.loads(zf.read("manifest.json")) == manifest
    entries = {e["path"]: e for e in manifest["files"]}
    assert manifest["count"] == 3
    assert abs(entries["d1/narration.mp3"]["duration"] - probe(mp3).duration) < 1e-3
    assert "resolution" not in entries["d1/narration.mp3"]
    assert entries["d1/shorts/short_01.mp4"]["resolution"] == "160x90"
    assert "duration" not in entries["d1/narration.json"]


def test_failed_packaging_keeps_the_previous_zip_and_leaves_no_part_file(tmp_path, speech_video):
    root = tmp_path / "results"
    root.mkdir()
    video = root / "long.mp4"
    video.write_bytes(speech_video.read_bytes())
    out = root / "dramas_completos.zip"
    make_zip([video], root, out)
    previous = out.read_bytes()
    with pytest.raises(DramaError, match="missing.mp4"):
        make_zip([video, root / "missing.mp4"], root, out)
    assert out.read_bytes() == previous
    assert sorted(p.name for p in root.iterdir()) == ["dramas_completos.zip", "long.mp4"]
