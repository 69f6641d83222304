import json
import zipfile

from dramabatch.fsutil import sha256_file
from dramabatch.package import make_zip


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
