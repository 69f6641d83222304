"""Pack every output into one zip with a manifest; written atomically.

Already-compressed media (mp4, mp3, png, jpg) is stored as is; text (srt, json) is deflated.
``manifest.json`` lists each file's size, sha256, and for media its duration and resolution, so a
recipient can verify the archive without unpacking it.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from .errors import DramaError
from .fsutil import atomic_output, sha256_file
from .media import probe

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
