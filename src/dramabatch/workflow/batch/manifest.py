"""The batch manifest: a TSV with one drama per line, validated before any job runs.

Drama IDs become directory and file names, so they are restricted to ``[A-Za-z0-9_-]+``; a bad
line is reported with its line number, never discovered halfway through a batch.

Each line is read on its own: a quoted field never spans lines, so a title opening with a stray
``"`` is an error naming its line instead of swallowing the lines after it. A relative source
path stays relative (to the working directory, the project folder, when it lies inside it): it
becomes fetch_source's input and param, and an absolute one would rerun every drama of a project
folder that was moved or copied.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from ...base.errors import ConfigError

#: Ids start with a letter or digit (never '-' or '_', so no id reads as a command-line option or
#: lands in a shared folder such as results/_library) and continue with letters, digits, '_', '-'.
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
ID_PATTERN = ID_RE.pattern
#: Folder names the results tree uses for itself.
RESERVED_IDS = frozenset({"logs", "benchmarks", "report"})
REQUIRED_COLUMNS = ("id", "source")
OPTIONAL_COLUMNS = ("language", "title", "background_query", "audio_track")
AUDIO_TRACK_RE = re.compile(r"\d+|[A-Za-z]{2,3}(-[A-Za-z]{2,4})?")
LANGUAGE_RE = re.compile(r"auto|[a-z]{2,3}(-[A-Za-z]{2,4})?")


@dataclass(frozen=True)
class Drama:
    """One line of the manifest, with its source resolved."""

    id: str
    source: str
    language: str = ""
    title: str = ""
    background_query: str = ""
    #: Which audio track to transcribe: a number from 0, or a language tag (see tracks.py).
    audio_track: str = ""
    line: int = 0
    #: The id as the manifest wrote it ('capítulo-1' for the id 'capitulo-1').
    label: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_url(self) -> bool:
        return urlparse(self.source).scheme in ("http", "https")


def fold_accents(text: str) -> str:
    """'capítulo-ñandú' -> 'capitulo-nandu': accents and tildes dropped, nothing else changed."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed
                                                if not unicodedata.combining(ch)))


def suggest_id(raw: str) -> str:
    """A safe id close to ``raw``, for error messages ('Capítulo 1!' -> 'Capitulo-1')."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", fold_accents(raw)).strip("-_")
    return slug or "drama-1"


def normalise_id(raw: str) -> str:
    """Accept ids written with accents (Spanish titles): fold them to ASCII, then validate.

    The folded id names the folder and the files; the manifest's spelling stays the drama's label.
    """
    return validate_id(fold_accents((raw or "").strip()))


def validate_id(drama_id: str) -> str:
    """Return ``drama_id`` if it is safe as a file name, else raise ConfigError."""
    if not ID_RE.fullmatch(drama_id or ""):
        raise ConfigError(
            f"invalid drama id {drama_id!r}: ids become file names and may only contain "
            f"letters, digits, '_' and '-', starting with a letter or digit (use "
            f"{suggest_id(drama_id or '')!r} instead)"
        )
    if drama_id.lower() in RESERVED_IDS:
        raise ConfigError(f"invalid drama id {drama_id!r}: the name is reserved for the "
                          f"results tree ({', '.join(sorted(RESERVED_IDS))})")
    return drama_id


def _project_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies inside it, else absolute.

    Folders are compared resolved (a symlinked home or mount point), the file itself is not:
    a source that is a link stays the link the user named.
    """
    folder = path.parent.resolve()
    cwd = Path.cwd().resolve()
    if folder == cwd or cwd in folder.parents:
        return os.path.relpath(folder / path.name, cwd)
    return str(folder / path.name)


def classify_source(source: str, base_dir: Path, allowed_schemes: tuple[str, ...]) -> str:
    """Normalise a source: an http(s) URL stays as is; an absolute path as written; a relative
    one is looked up against base_dir (the manifest's folder) and stays relative to the working
    directory when it lies inside it."""
    parsed = urlparse(source)
    if parsed.scheme and len(parsed.scheme) > 1:  # 'C:' style drive letters are not schemes
        if parsed.scheme not in allowed_schemes:
            raise ConfigError(
                f"source scheme '{parsed.scheme}://' is not allowed (allowed: "
                f"{', '.join(allowed_schemes)}, or a local path)"
            )
        if not parsed.netloc:
            raise ConfigError(f"source URL has no host: {source!r}")
        return source
    path = Path(source).expanduser()
    if path.is_absolute():
        return str(path)
    return _project_path(base_dir / path)


def _fields(path: Path, lineno: int, line: str) -> list[str]:
    """One line's fields; a quote left open (or text after a closing one) names its line."""
    try:
        return next(csv.reader([line.rstrip("\r\n")], delimiter="\t", strict=True), [])
    except csv.Error as exc:
        what = ("a field opens with '\"' and the quote is never closed"
                if "end of data" in str(exc) else "text follows a field's closing '\"'")
        raise ConfigError(
            f"manifest {path} line {lineno}: unbalanced quote: {what} (quote a whole field, "
            f"write a quote inside it as '\"\"', or drop the quote)") from None


def load_manifest(
    path: str | Path, allowed_schemes: tuple[str, ...] = ("http", "https")
) -> list[Drama]:
    """Parse and validate the manifest TSV; raise ConfigError naming the offending line."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"manifest not found: {path}")
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = [(n, line) for n, line in enumerate(fh, start=1)]
    content = [(n, line) for n, line in rows if line.strip() and not line.lstrip().startswith("#")]
    if not content:
        raise ConfigError(f"manifest {path} is empty")
    parsed = [_fields(path, n, line) for n, line in content]
    header = [h.strip() for h in parsed[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ConfigError(
            f"manifest {path} line {content[0][0]}: missing column(s) {', '.join(missing)} "
            f"(found: {', '.join(header)}); columns are tab-separated"
        )
    dramas: list[Drama] = []
    seen: dict[str, int] = {}
    for (lineno, _), values in zip(content[1:], parsed[1:], strict=True):
        where = f"manifest {path} line {lineno}"
        if len(values) > len(header):
            raise ConfigError(f"{where}: {len(values)} fields but the header has {len(header)}")
        record = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
        try:
            drama_id = normalise_id(record["id"])
            if not record["source"]:
                raise ConfigError("empty source")
            source = classify_source(record["source"], path.parent, allowed_schemes)
            language = record.get("language", "")
            if language and not LANGUAGE_RE.fullmatch(language):
                raise ConfigError(
                    f"invalid language {language!r} (use a code such as 'es' or 'en')")
            audio_track = record.get("audio_track", "")
            if audio_track and not AUDIO_TRACK_RE.fullmatch(audio_track):
                raise ConfigError(f"invalid audio_track {audio_track!r} (a track number from 0, "
                                  f"or a language tag such as 'spa' or 'es')")
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc.cause}") from None
        if drama_id in seen:
            raise ConfigError(
                f"{where}: duplicate id '{drama_id}' (first on line {seen[drama_id]}; ids are "
                f"compared with accents folded)")
        seen[drama_id] = lineno
        dramas.append(
            Drama(
                id=drama_id,
                source=source,
                language=language,
                title=record.get("title", ""),
                background_query=record.get("background_query", ""),
                audio_track=audio_track,
                line=lineno,
                label=record["id"].strip(),
                extra={k: v for k, v in record.items()
                       if k not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS},
            )
        )
    if not dramas:
        raise ConfigError(f"manifest {path} has a header but no dramas")
    return dramas
