"""Bring a drama's source into the results tree: a local file, a media URL, or a platform page.

* A local path is linked (a symbolic link to it; copied only where links cannot be made).
* An ``http(s)`` URL to a media file is streamed with ``requests``: connect/read timeouts, retries
  with exponential backoff on connection errors, timeouts and 5xx/429 answers, ``Range`` resume of
  the partial file (across retries and across job attempts), and a size cap.
* A page of a video platform (any URL a specific yt-dlp extractor claims, or any URL that answers
  with an HTML page instead of media) is handed to ``yt-dlp`` as a library.

Whatever arrives is probed: it must be media with a video stream. Downloads go to a hidden part
file next to the output and are renamed only when complete, so nothing partial is ever left under
the final name.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from ..base.errors import DramaError
from ..base.fsutil import atomic_output
from ..base.media import probe
from .http import HttpOptions, PageNotMedia, download
from .platform import fetch_platform, is_platform_page

log = logging.getLogger(__name__)

def _link_target(src: Path, out: Path) -> str:
    """What ``out``'s link holds: relative when the source and the results both lie in the
    project folder (the working directory), so a moved or copied project keeps its sources;
    else the source's absolute path."""
    real, folder, cwd = src.resolve(), out.parent.resolve(), Path.cwd().resolve()
    if not src.is_absolute() and cwd in real.parents and (folder == cwd or cwd in folder.parents):
        return os.path.relpath(real, folder)
    return str(real)


def fetch_local(source: str, out: Path) -> None:
    """``out`` becomes a symbolic link to the source (a copy only where links cannot be made).

    Not a hard link: Snakemake touches every output once its job is done, and a hard link's
    mtime is the source file's own, so each fetch changed the user's file and made every other
    drama and batch reading it look out of date (seen: a second batch over the demo sources
    left the demo's Spanish drama to be redone). Snakemake touches a link itself, and follows
    it to tell whether the source was replaced. A source inside the project is linked by a
    relative path: an absolute one dangles once the project folder moves, and reruns the drama.
    """
    src = Path(source)
    if not src.is_file():
        raise DramaError(f"source file not found: {source}")
    with atomic_output(out) as tmp:
        try:
            os.symlink(_link_target(src, out), tmp)
        except OSError:
            shutil.copyfile(src, tmp)


def fetch_url(url: str, out: Path, *, connect_timeout: float = 10, read_timeout: float = 60,
              max_bytes: int = 2 * 1024**3, retries: int = 4, backoff: float = 1.0,
              max_backoff: float = 30.0, min_rate: float = 10_000, rate_window: float = 60,
              deadline: float = 7200) -> None:
    download(url, out, HttpOptions(connect_timeout, read_timeout, max_bytes, retries, backoff,
                                   max_backoff, min_rate, rate_window, deadline),
             what="download")


# --------------------------------------------------------------------------- yt-dlp
def fetch_source(source: str, out: str | os.PathLike[str], **http_options) -> None:
    """Fetch ``source`` to ``out`` and check that what arrived is readable media with a picture."""
    out = Path(out)
    if source.startswith(("http://", "https://")):
        if is_platform_page(source):
            log.info("source is a video platform page: using yt-dlp")
            fetch_platform(source, out, **http_options)
        else:
            try:
                fetch_url(source, out, **http_options)
            except PageNotMedia:
                log.info("source URL is a web page: trying yt-dlp's page extraction")
                fetch_platform(source, out, **http_options)
    else:
        fetch_local(source, out)
    try:
        probe(out)
    except DramaError as exc:
        out.unlink(missing_ok=True)
        raise DramaError(f"source is not a usable video: {exc.cause}") from exc
