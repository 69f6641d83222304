"""The user's cache folder: assembled models and caption fonts, built once and shared.

``$DRAMABATCH_CACHE``, else ``$XDG_CACHE_HOME/dramabatch``, else ``~/.cache/dramabatch``. On a
cluster it points at the shared filesystem so every node reuses one copy.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """Where assembled models live (shared by every job and drama of a user)."""
    env = os.environ.get("DRAMABATCH_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "dramabatch"
