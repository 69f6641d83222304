"""Pack a drama's outputs into its own zip with a manifest; merge those into a batch zip.

Already-compressed media (mp4, mp3, png, jpg) is stored as is; text (srt, json) is deflated.
``manifest.json`` lists each file's size, sha256, and for media its duration and resolution, so a
recipient can verify the archive without unpacking it (``verify_archive``).

One archive per drama: a change to one drama rewrites only its archive. The batch zip, where the
config wants one, copies the members of the dramas' archives (no re-encoding, no re-hashing), so
it depends on nothing else. Sizes past 4 GB and more than 65,535 entries use ZIP64 (Python's
zipfile writes it where needed; members are streamed, never held in memory).
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

from ..base.errors import DramaError
from ..base.fsutil import atomic_output, sha256_file
from ..base.media import probe

STORED_SUFFIXES = {".mp4", ".mp3", ".m4a", ".png", ".jpg", ".jpeg", ".webm", ".zip"}
MEDIA_SUFFIXES = {".mp4", ".mp3", ".m4a", ".webm", ".wav"}


def describe(path: Path, arcname: str) -> dict:
    entry: dict = {"path": arcname, "size": path.stat().st_size, "sha256": sha256_file(path)}
    if path.suffix.lower() in MEDIA_SUFFIXES:
        info = probe(path)
        entry["duration"] = round(info.duration, 3)
        if info.width:
            entry["resolution"] = f"{info.width}x{info.height}"
    return entry


def with_listed_shorts(files: list[str | os.PathLike[str]]) -> list[Path]:
    """``files`` plus the shorts each ``shorts/index.json`` among them lists.

    The package rule declares only fixed file names (no checkpoint lookups for thousands of
    dramas); the index is rewritten whenever one of its shorts is, so it stands for them.
    """
    out = [Path(f) for f in files]
    for index in [f for f in out if f.name == "index.json" and f.parent.name == "shorts"]:
        shorts = json.loads(index.read_text(encoding="utf-8"))["shorts"]
        out += [index.parent / s["file"] for s in shorts]
    return out


def make_zip(files: list[str | os.PathLike[str]], root: str | os.PathLike[str],
             out: str | os.PathLike[str]) -> dict:
    """Zip ``files`` (arcnames relative to ``root``) plus manifest.json into ``out``."""
    root = Path(root)
    missing = [str(p) for p in files if not Path(p).is_file()]
    if missing:
        raise DramaError(f"cannot package, missing file(s): {', '.join(missing)}")
    entries = []
    with atomic_output(out) as tmp, zipfile.ZipFile(tmp, "w") as zf:
        for f in sorted(Path(p) for p in files):
            arcname = f.resolve().relative_to(root.resolve()).as_posix()
            compress = (zipfile.ZIP_STORED if f.suffix.lower() in STORED_SUFFIXES
                        else zipfile.ZIP_DEFLATED)
            zf.write(f, arcname, compress_type=compress)
            entries.append(describe(f, arcname))
        manifest = {"files": entries, "count": len(entries)}
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1),
                    compress_type=zipfile.ZIP_DEFLATED)
    return manifest


def merge_archives(archives: list[str | os.PathLike[str]], out: str | os.PathLike[str]) -> dict:
    """One zip holding every member of ``archives`` (their manifests merged into one)."""
    entries: list[dict] = []
    seen: set[str] = set()
    with atomic_output(out) as tmp, zipfile.ZipFile(tmp, "w") as zout:
        for archive in sorted(map(str, archives)):
            with zipfile.ZipFile(archive) as zin:
                manifest = json.loads(zin.read("manifest.json"))
                for info in zin.infolist():
                    if info.filename == "manifest.json":
                        continue
                    if info.filename in seen:
                        raise DramaError(f"{info.filename} is in two archives (second: {archive})")
                    seen.add(info.filename)
                    copy = zipfile.ZipInfo(info.filename, info.date_time)
                    copy.compress_type, copy.file_size = info.compress_type, info.file_size
                    with zin.open(info) as src, zout.open(copy, "w") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
                entries += manifest["files"]
        merged = {"files": entries, "count": len(entries)}
        zout.writestr("manifest.json", json.dumps(merged, ensure_ascii=False, indent=1),
                      compress_type=zipfile.ZIP_DEFLATED)
    return merged


def verify_archive(path: str | os.PathLike[str]) -> list[str]:
    """Problems found checking every member against manifest.json (empty: the archive is good).

    Hashes are computed from the stored bytes as they come out of the zip, so a damaged member,
    a missing one, or one the manifest does not know is each named.
    """
    import hashlib

    problems = []
    with zipfile.ZipFile(path) as zf:
        manifest = {e["path"]: e for e in json.loads(zf.read("manifest.json"))["files"]}
        members = {i.filename: i for i in zf.infolist() if i.filename != "manifest.json"}
        problems += [f"{p}: in the manifest, not in the archive" for p in manifest.keys()
                     - members.keys()]
        problems += [f"{p}: in the archive, not in the manifest" for p in members.keys()
                     - manifest.keys()]
        for name in sorted(members.keys() & manifest.keys()):
            digest, size = hashlib.sha256(), 0
            with zf.open(members[name]) as fh:
                while block := fh.read(1 << 20):
                    digest.update(block)
                    size += len(block)
            want = manifest[name]
            if size != want["size"] or digest.hexdigest() != want["sha256"]:
                problems.append(f"{name}: size/sha256 differ from the manifest")
    return problems
