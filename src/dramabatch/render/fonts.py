"""Caption fonts that libass really uses, on any machine, and text it shows literally.

``fontpkg-montserrat`` ships Montserrat as a *variable* font whose name table says "Montserrat
Thin" (its default instance). libass matches the family name ``Montserrat`` against that name
table, finds no match, and quietly takes whatever the system has (DejaVu Sans Bold), or nothing at
all on a machine without fonts: captions then vanish while the job succeeds. So static Regular and
Bold instances are cut from the variable font once (fontTools), named plainly "Montserrat", and
cached (``$DRAMABATCH_CACHE``, like the Whisper model), written under a temporary name and renamed.

Every render then asks libass itself which font it picks for each caption style (a one-frame
probe with ``-loglevel debug``, ~0.2 s): a style that resolves to another family, or to no font,
fails the job with the cause instead of producing a video without readable captions.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..base.cache import cache_root
from ..base.errors import DramaError
from ..base.media import filter_escape

log = logging.getLogger(__name__)

#: Static instances cut from the variable font: (file name, weight).
INSTANCES = (("Montserrat-Regular.ttf", 400), ("Montserrat-Bold.ttf", 700))
_SELECT_RE = re.compile(r"fontselect: \((.+?), (\d+), (\d+)\) -> (.+?), \d+, (\S+)")
_MISSING_RE = re.compile(r"failed to find any fallback with glyph 0x([0-9A-Fa-f]+) "
                         r"for font: \((.+?), (\d+), (\d+)\)")


def _variable_font() -> Path:
    import fontpkg_montserrat

    return Path(fontpkg_montserrat.ROOT) / "files" / "Montserrat[wght].ttf"


@functools.lru_cache(maxsize=1)
def caption_fonts_dir() -> str:
    """The folder of the static Montserrat instances (built once per user, then reused)."""
    source = _variable_font()
    tag = hashlib.sha256(f"{source.stat().st_size}:{INSTANCES}".encode()).hexdigest()[:12]
    folder = cache_root() / f"fonts-{tag}"
    if all((folder / name).is_file() for name, _ in INSTANCES):
        return str(folder)
    try:
        from fontTools.ttLib import TTFont
        from fontTools.varLib import instancer
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise DramaError("caption fonts need the package fonttools") from exc
    work = folder.with_name(f".{folder.name}.part-{os.getpid()}")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        for name, weight in INSTANCES:
            font = instancer.instantiateVariableFont(TTFont(source), {"wght": weight},
                                                     updateFontNames=True)
            font.save(work / name)
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        os.rename(work, folder)
    except OSError as exc:
        if all((folder / name).is_file() for name, _ in INSTANCES):
            return str(folder)  # another job finished first
        raise DramaError(f"could not write the caption fonts to {folder.parent}: {exc} (set "
                         f"DRAMABATCH_CACHE to a writable folder)") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("caption fonts: static Montserrat instances written to %s", folder)
    return str(folder)


@functools.lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(Path(caption_fonts_dir()) / INSTANCES[-1][0])
    return frozenset(font.getBestCmap())


def ass_text(text: str) -> str:
    """Text for an ASS event, shown literally by libass.

    ``{...}`` would be an override block (``{\\fs300}`` resizes the caption) and ``\\N``, ``\\n``,
    ``\\h`` line breaks: braces are escaped as ``\\{`` ``\\}`` and a word joiner (invisible) goes
    between a backslash and the letter after it. Characters the caption font has no glyph for
    (emoji) are left out rather than drawn as empty boxes; subtitles files keep them.
    """
    covered = _covered()
    kept = "".join(ch for ch in text if ch.isspace() or ord(ch) in covered)
    kept = re.sub(r"\\(?=[Nnh{}])", "\\\\\u2060", kept)
    return kept.replace("{", "\\{").replace("}", "\\}")


def ass_plain(text: str) -> str:
    """What libass shows for an ``ass_text`` event (for renderers that draw text themselves)."""
    text = text.replace("\\N", "\n").replace("\\{", "{").replace("\\}", "}")
    return text.replace("\\\u2060", "\\")


def verify_fonts(ass_path: str | os.PathLike[str], fonts_dir: str, ffmpeg: str) -> list[str]:
    """Ask libass which font each style of ``ass_path`` resolves to; fail on a wrong family.

    Returns the font names libass chose. Renders one frame of a probe with one event per style.
    """
    import pysubs2

    subs = pysubs2.load(str(ass_path), encoding="utf-8")
    probe = pysubs2.SSAFile()
    probe.info.update(subs.info)
    probe.styles = dict(subs.styles)
    for name in subs.styles:
        probe.append(pysubs2.SSAEvent(start=0, end=1000, text="Ág¿ñ", style=name))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "probe.ass"
        probe.save(str(path), encoding="utf-8")
        w, h = int(subs.info.get("PlayResX", 320)), int(subs.info.get("PlayResY", 180))
        proc = subprocess.run(
            [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "debug", "-f", "lavfi", "-i",
             f"color=c=black:s={w}x{h}:d=0.1", "-vf",
             f"ass=filename={filter_escape(str(path))}:fontsdir={filter_escape(fonts_dir)}",
             "-frames:v", "1", "-f", "null", "-"],
            capture_output=True, text=True, timeout=120)
    chosen = _SELECT_RE.findall(proc.stderr)
    missing = _MISSING_RE.findall(proc.stderr)
    wrong = [f"'{family}' -> {ps}" for family, _, _, _, ps in chosen
             if not _key(ps).startswith(_key(family))]
    if missing and not chosen:
        raise DramaError(f"captions cannot render: libass found no font for "
                         f"{sorted({m[1] for m in missing})} (fonts folder {fonts_dir})")
    if wrong or not chosen:
        raise DramaError(f"captions would not use their font: libass chose {', '.join(wrong)} "
                         f"(fonts folder {fonts_dir}); the packaged font is 'Montserrat'")
    log.info("caption fonts (libass): %s", json.dumps(sorted({c[4] for c in chosen})))
    return sorted({c[4] for c in chosen})


def _key(name: str) -> str:
    return re.sub(r"[\s_-]", "", name).lower()

