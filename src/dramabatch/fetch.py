"""Bring a drama's source into the results tree: hard-link/copy a local file or download a URL.

Downloads stream to a hidden part file and are renamed only when complete, so an interrupted
transfer never leaves a file under the final name.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import requests

from .errors import DramaError
from .fsutil import atomic_output
from .media import probe

log = logging.getLogger(__name__)

CHUNK = 1 << 20


def fetch_local(source: str, out: Path) -> None:
    src = Path(source)
    if not src.is_file():
        raise DramaError(f"source file not found: {source}")
    with atomic_output(out) as tmp:
        try:
            os.link(src, tmp)  # free and instant on the same filesystem
        except OSError:
            shutil.copyfile(src, tmp)


def fetch_url(url: str, out: Path, *, connect_timeout: float = 10, read_timeout: float = 60,
              max_bytes: int = 2 * 1024**3) -> None:
    with atomic_output(out) as tmp:
        try:
            with requests.get(url, stream=True, timeout=(connect_timeout, read_timeout)) as resp:
                if resp.status_code >= 400:
                    raise DramaError(f"download failed: HTTP {resp.status_code} for {url}")
                written = 0
                with open(tmp, "wb") as fh:
                    for block in resp.iter_content(CHUNK):
                        written += len(block)
                        if written > max_bytes:
                            raise DramaError(
                                f"download exceeded the {max_bytes / 1024**3:.3g} GB cap: {url}")
                        fh.write(block)
        except requests.Timeout as exc:
            raise DramaError(f"download timed out: {url}") from exc
        except requests.RequestException as exc:
            raise DramaError(f"download failed: {exc.__class__.__name__} for {url}") from exc


def fetch_source(source: str, out: str | os.PathLike[str], **http_options) -> None:
    """Fetch ``source`` to ``out`` and check that what arrived is readable media."""
    out = Path(out)
    if source.startswith(("http://", "https://")):
        fetch_url(source, out, **http_options)
    else:
        fetch_local(source, out)
    try:
        probe(out)
    except DramaError as exc:
        out.unlink(missing_ok=True)
        raise DramaError(f"source is not a usable video: {exc.cause}") from exc
