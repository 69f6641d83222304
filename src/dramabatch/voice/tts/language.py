"""A language tag's primary subtag: what every engine and the voice plan key their choices by.

Its own module so that an engine can use it without importing the package ``__init__``, which
imports the engines (that loop is what tests/test_layers.py's module-cycle check forbids).
"""

from __future__ import annotations


def primary_language(language: str | None) -> str:
    """'es-MX' -> 'es'; '' / 'auto' / None -> '' (unknown)."""
    lang = (language or "").strip().lower().replace("_", "-")
    return "" if lang in ("", "auto") else lang.split("-")[0]
